"""Password change and reset, and the current user (signing in: see urls.py)."""

# begin feature: not celery
import logging
from functools import partial

# end feature: not celery
from django.contrib.auth import update_session_auth_hash
from drf_spectacular.utils import OpenApiResponse, extend_schema  # feature: openapi
from rest_framework import generics, status
from rest_framework.permissions import IsAuthenticated
from rest_framework.response import Response

from . import (
    jwt,  # feature: jwt
    knox,  # feature: knox
    services,
)
from .endpoints import AuthEndpoint
from .serializers import (
    CurrentUserSerializer,
    DetailSerializer,
    PasswordChangeSerializer,
    PasswordResetConfirmSerializer,
    PasswordResetSerializer,
)

RESET_REQUESTED = "If an account uses this address, a password reset link is on its way."
# begin feature: not celery

logger = logging.getLogger(__name__)


class RespondFirst(Response):
    """A response that runs ``then`` once it has been sent.

    The server calls close() after the last byte of the body (WSGI and ASGI alike), so the
    client has its answer before ``then`` starts, and the answer takes the same time
    whatever ``then`` does.
    """

    def __init__(self, *args, then, **kwargs):
        super().__init__(*args, **kwargs)
        self.then = then

    def close(self):
        then, self.then = self.then, None
        try:
            if then is not None:
                then()
        except Exception:
            # The client already has its answer: the failure goes to the logs (and alerts).
            logger.exception("Work after the response failed")
        finally:
            super().close()
# end feature: not celery


class PasswordChangeView(AuthEndpoint, generics.GenericAPIView):
    """Change the password; every other token and session of the user stops working."""

    permission_classes = [IsAuthenticated]
    serializer_class = PasswordChangeSerializer

    @extend_schema(responses={200: jwt.TokenPairSerializer})  # feature: jwt and openapi
    @extend_schema(responses={204: None})  # feature: knox and openapi
    def post(self, request, *args, **kwargs):
        serializer = self.get_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        user = request.user
        services.set_new_password(
            user, serializer.validated_data["new_password"], keep=request.auth
        )
        update_session_auth_hash(request, user)  # a browser session (admin, browsable API) lives on
        return jwt.after_password_change(request, user)  # feature: jwt
        return knox.after_password_change(request, user)  # feature: knox


class PasswordResetView(AuthEndpoint, generics.GenericAPIView):
    """E-mail a reset link: the same 202 whether the address is known or not."""

    authentication_classes = []
    serializer_class = PasswordResetSerializer

    @extend_schema(responses={202: DetailSerializer})  # feature: openapi
    def post(self, request, *args, **kwargs):
        serializer = self.get_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        email = serializer.validated_data["email"]
        answer = DetailSerializer({"detail": RESET_REQUESTED}).data
        # begin feature: celery
        services.request_password_reset(email)
        return Response(answer, status=status.HTTP_202_ACCEPTED)
        # end feature: celery
        # begin feature: not celery
        # The look-up and the mail wait until the answer has gone out: the same time either way.
        send = partial(services.send_password_reset, email)
        return RespondFirst(answer, status=status.HTTP_202_ACCEPTED, then=send)
        # end feature: not celery


class PasswordResetConfirmView(AuthEndpoint, generics.GenericAPIView):
    """Set a new password with the uid and token of the e-mailed link (once, before it expires)."""

    authentication_classes = []
    serializer_class = PasswordResetConfirmSerializer

    @extend_schema(responses={204: OpenApiResponse(description="Password changed.")})  # feature: openapi
    def post(self, request, *args, **kwargs):
        serializer = self.get_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        services.reset_password(**serializer.validated_data)
        return Response(status=status.HTTP_204_NO_CONTENT)


class CurrentUserView(generics.RetrieveUpdateAPIView):
    """The signed-in user: read it, or change the name fields (PATCH)."""

    serializer_class = CurrentUserSerializer
    permission_classes = [IsAuthenticated]
    http_method_names = ["get", "patch", "head", "options"]

    def get_object(self):
        return self.request.user
