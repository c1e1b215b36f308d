"""What every /api/auth/ endpoint shares: open to anyone, and limited per client IP."""

from django.conf import settings  # feature: throttling
from django.utils.module_loading import import_string  # feature: throttling
from drf_spectacular.utils import extend_schema, extend_schema_view  # feature: openapi
from rest_framework import generics
from rest_framework.permissions import AllowAny
from rest_framework.serializers import BaseSerializer
from rest_framework.views import APIView


class AuthEndpoint(APIView):
    """Anonymous by default; the sensitive per-IP tier first, then the general ones."""

    permission_classes = [AllowAny]
    # begin feature: throttling
    # The limits belong to the throttling app; its settings name them
    # (AUTH_ENDPOINT_THROTTLE_CLASSES, SIGN_IN_LOCKOUT_CALLABLE): accounts imports no
    # feature app.

    def perform_authentication(self, request):
        # Per IP, so it needs no user: counted before any credentials are looked at, so a
        # guessed token is an attempt like a guessed password.
        for throttle_class in settings.AUTH_ENDPOINT_THROTTLE_CLASSES:
            throttle = import_string(throttle_class)()
            if not throttle.allow_request(request, self):
                self.throttled(request, throttle.wait())
        super().perform_authentication(request)
    # end feature: throttling


class SignInEndpoint(AuthEndpoint, generics.GenericAPIView):
    """Credentials in (serializer_class), whatever ``signed_in`` answers out."""

    authentication_classes = []
    response_serializer_class: type[BaseSerializer] | None = None

    def post(self, request, *args, **kwargs):
        # A body that cannot be parsed (too large, not JSON, too deep) is refused first.
        serializer = self.get_serializer(data=request.data)
        # begin feature: throttling
        # A locked-out client (django-axes) gets the lockout's 429 with Retry-After before
        # its credentials are looked at: the right password neither works nor extends it.
        lockout = import_string(settings.SIGN_IN_LOCKOUT_CALLABLE)(request)
        if lockout is not None:
            return lockout
        # end feature: throttling
        serializer.is_valid(raise_exception=True)
        return self.signed_in(request, serializer.validated_data["user"])

    def signed_in(self, request, user):
        """The answer to a valid sign-in: the sign-in view of each api_auth choice issues its tokens."""
        raise NotImplementedError
    # begin feature: openapi

    def __init_subclass__(cls, **kwargs):
        """Each sign-in view documents its own answer (response_serializer_class).

        The operation is ``sign_in``: the name a generated client gives its function.
        """
        super().__init_subclass__(**kwargs)
        if cls.response_serializer_class is not None:
            answer = extend_schema(
                operation_id="sign_in", responses={200: cls.response_serializer_class}
            )
            extend_schema_view(post=answer)(cls)
    # end feature: openapi
