"""Opaque tokens (django-rest-knox): stored as digests, each with an expiry."""

from django.contrib.auth.signals import user_logged_in, user_logged_out
from django.utils import timezone
from drf_spectacular.utils import extend_schema  # feature: openapi
from knox.auth import TokenAuthentication
from knox.models import get_token_model
from knox.settings import knox_settings
from rest_framework import generics, serializers, status
from rest_framework.exceptions import PermissionDenied
from rest_framework.permissions import IsAuthenticated
from rest_framework.response import Response

from .endpoints import AuthEndpoint, SignInEndpoint
from .serializers import CredentialsSerializer


class TokenSerializer(serializers.Serializer):
    token = serializers.CharField(read_only=True, help_text="Send as `Authorization: Token`.")
    expires = serializers.DateTimeField(read_only=True, help_text="When the token stops working.")


class TokenView(SignInEndpoint):
    """Sign in: credentials in, a token and its expiry out (the token is shown only once)."""

    serializer_class = CredentialsSerializer
    response_serializer_class = TokenSerializer

    def signed_in(self, request, user):
        live = user.auth_token_set.filter(expiry__gt=timezone.now())
        if live.count() >= knox_settings.TOKEN_LIMIT_PER_USER:
            raise PermissionDenied(
                "Too many active tokens for this account: sign out elsewhere first."
            )
        instance, token = get_token_model().objects.create(
            user=user, expiry=knox_settings.TOKEN_TTL
        )
        user_logged_in.send(sender=user.__class__, request=request, user=user)
        return Response(TokenSerializer({"token": token, "expires": instance.expiry}).data)


class LogoutView(AuthEndpoint, generics.GenericAPIView):
    """Revoke the token that signs this request."""

    authentication_classes = [TokenAuthentication]
    permission_classes = [IsAuthenticated]
    serializer_class = None

    @extend_schema(request=None, responses={204: None})  # feature: openapi
    def post(self, request, *args, **kwargs):
        request.auth.delete()
        user_logged_out.send(sender=request.user.__class__, request=request, user=request.user)
        return Response(status=status.HTTP_204_NO_CONTENT)


def revoke_tokens(user, keep=None):
    """Delete every token of the user but ``keep`` (the one that signed the request)."""
    tokens = get_token_model().objects.filter(user=user)
    if keep is not None:
        tokens = tokens.exclude(pk=keep.pk)
    tokens.delete()


def after_password_change(request, user):
    return Response(status=status.HTTP_204_NO_CONTENT)
