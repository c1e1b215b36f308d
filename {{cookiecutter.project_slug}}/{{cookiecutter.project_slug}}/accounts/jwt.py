"""JWT sign-in (djangorestframework-simplejwt): the token, refresh and logout endpoints."""

import hashlib

from django.contrib.auth import get_user_model
from django.contrib.auth.signals import user_logged_in
from drf_spectacular.utils import extend_schema  # feature: openapi
from rest_framework import serializers, status
from rest_framework.response import Response
from rest_framework_simplejwt.exceptions import AuthenticationFailed
from rest_framework_simplejwt.serializers import TokenRefreshSerializer
from rest_framework_simplejwt.settings import api_settings
from rest_framework_simplejwt.token_blacklist.models import BlacklistedToken, OutstandingToken
from rest_framework_simplejwt.tokens import RefreshToken
from rest_framework_simplejwt.utils import get_md5_hash_password
from rest_framework_simplejwt.views import TokenBlacklistView, TokenRefreshView

from .endpoints import AuthEndpoint, SignInEndpoint
from .serializers import CredentialsSerializer


class TokenPairSerializer(serializers.Serializer):
    access = serializers.CharField(read_only=True, help_text="Send as `Authorization: Bearer`.")
    refresh = serializers.CharField(read_only=True, help_text="Trade at /api/auth/token/refresh/.")


def token_pair(user):
    refresh = RefreshToken.for_user(user)  # recorded as outstanding, so it can be revoked
    return {"access": str(refresh.access_token), "refresh": str(refresh)}


class TokenView(SignInEndpoint):
    """Sign in: credentials in, a short-lived access token and a refresh token out."""

    serializer_class = CredentialsSerializer
    response_serializer_class = TokenPairSerializer

    def signed_in(self, request, user):
        user_logged_in.send(sender=user.__class__, request=request, user=user)
        return Response(token_pair(user))


class RefreshSerializer(TokenRefreshSerializer):
    """simplejwt's refresh, refused once the password changed (the access would be refused).

    Tokens carry a fingerprint of the password hash (CHECK_REVOKE_TOKEN); simplejwt checks
    it on access tokens only, so without this a refresh would hand out dead access tokens.
    """

    def validate(self, attrs):
        refresh = self.token_class(attrs["refresh"])
        user = (
            get_user_model()
            ._default_manager.filter(
                **{api_settings.USER_ID_FIELD: refresh.payload.get(api_settings.USER_ID_CLAIM)}
            )
            .first()
        )
        fingerprint = refresh.payload.get(api_settings.REVOKE_TOKEN_CLAIM)
        if user is None or fingerprint != get_md5_hash_password(user.password):
            raise AuthenticationFailed("The password changed: sign in again.", "password_changed")
        return super().validate(attrs)


# simplejwt's views declare permission_classes as (), AuthEndpoint as [AllowAny]: both mean
# "open to anyone", but mypy wants one type for an attribute two bases define.
class RefreshView(AuthEndpoint, TokenRefreshView):  # type: ignore[misc]
    """A refresh token in, a new access token and a new refresh token out (the old one dies)."""

    authentication_classes = ()
    serializer_class = RefreshSerializer


class LogoutView(AuthEndpoint, TokenBlacklistView):  # type: ignore[misc]  # as RefreshView
    """Revoke the presented refresh token (access tokens expire on their own, soon)."""

    authentication_classes = ()

    @extend_schema(responses={204: None})  # feature: openapi
    def post(self, request, *args, **kwargs):
        super().post(request, *args, **kwargs)
        return Response(status=status.HTTP_204_NO_CONTENT)


def keep_a_digest_of_the_refresh_token(sender, instance, **kwargs):
    """The database keeps a digest of each refresh token, never the token itself.

    simplejwt records every refresh token (OutstandingToken) but finds them by their jti
    only, so the digest loses nothing, and a leaked database holds no usable token.
    """
    if "." in instance.token:  # a JWT; a digest (saved again) has no dot
        instance.token = "sha256:" + hashlib.sha256(instance.token.encode()).hexdigest()


def revoke_tokens(user, keep=None):
    """Blacklist every refresh token of the user.

    Access tokens issued before a password change fail on their own: they carry a
    fingerprint of the old password hash (SIMPLE_JWT["CHECK_REVOKE_TOKEN"]). The caller
    keeps going with the fresh pair that the password change answers with (``keep`` is
    not needed: its old tokens carry the old fingerprint too).
    """
    for token in OutstandingToken.objects.filter(user=user, blacklistedtoken__isnull=True):
        BlacklistedToken.objects.get_or_create(token=token)


def after_password_change(request, user):
    return Response(token_pair(user))
