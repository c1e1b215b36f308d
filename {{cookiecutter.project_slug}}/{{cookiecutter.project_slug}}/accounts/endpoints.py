"""What every /api/auth/ endpoint shares: open to anyone, and limited per client IP."""

from drf_spectacular.utils import extend_schema, extend_schema_view  # feature: openapi
from rest_framework import generics
from rest_framework.permissions import AllowAny
from rest_framework.serializers import BaseSerializer
from rest_framework.views import APIView
# begin feature: throttling

from ..throttling.lockout import is_locked_out, lockout_response
from ..throttling.throttles import SensitiveRateThrottle
# end feature: throttling


class AuthEndpoint(APIView):
    """Anonymous by default; the sensitive per-IP tier first, then the general ones."""

    permission_classes = [AllowAny]
    # begin feature: throttling

    def perform_authentication(self, request):
        # Per IP, so it needs no user: counted before any credentials are looked at, so a
        # guessed token is an attempt like a guessed password.
        sensitive = SensitiveRateThrottle()
        if not sensitive.allow_request(request, self):
            self.throttled(request, sensitive.wait())
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
        if is_locked_out(request, credentials=None):
            return lockout_response(request)
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
