"""JWT sign-in (djangorestframework-simplejwt): short-lived access, rotating refresh tokens.

Every refresh token is recorded (token_blacklist), so logout and a password change revoke
them; a refresh token used once is blacklisted and refused the next time. Access tokens
carry a fingerprint of the password hash (CHECK_REVOKE_TOKEN), so a password change ends
every access token issued before it.
"""

import hashlib
import hmac
from datetime import timedelta

from django.core.exceptions import ImproperlyConfigured

from config.env import env
from config.settings.components.accounts import at_least_one

SIMPLE_JWT = {
    "ACCESS_TOKEN_LIFETIME": timedelta(
        minutes=at_least_one("JWT_ACCESS_TOKEN_LIFETIME_MINUTES", default=5)
    ),
    "REFRESH_TOKEN_LIFETIME": timedelta(
        days=at_least_one("JWT_REFRESH_TOKEN_LIFETIME_DAYS", default=7)
    ),
    "ROTATE_REFRESH_TOKENS": True,
    "BLACKLIST_AFTER_ROTATION": True,
    "UPDATE_LAST_LOGIN": True,
    "CHECK_REVOKE_TOKEN": True,
    "ALGORITHM": "HS256",
    "AUTH_HEADER_TYPES": ("Bearer",),
    # The environment module sets SIGNING_KEY once SECRET_KEY is known (jwt_signing_key).
}


def jwt_signing_key(secret_key, required):
    """JWT_SIGNING_KEY: required in production, else derived from the secret key when unset.

    A key of its own can be rotated (signing every session out) without touching
    SECRET_KEY, and a leaked token signature says nothing about SECRET_KEY. Local and test
    settings may derive one (never the secret key itself) so they need no configuration.
    """
    key = env.str("JWT_SIGNING_KEY", default="")
    if not key and required:
        raise ImproperlyConfigured(
            "Set the JWT_SIGNING_KEY environment variable: production signs JWTs with a key "
            "of its own (at least 32 random characters, not DJANGO_SECRET_KEY)"
        )
    if not key:
        return hmac.new(secret_key.encode(), b"jwt-signing-key", hashlib.sha256).hexdigest()
    if key == secret_key:
        raise ImproperlyConfigured(
            "Environment variable JWT_SIGNING_KEY must differ from DJANGO_SECRET_KEY"
        )
    if len(key) < 32:
        raise ImproperlyConfigured(
            "Environment variable JWT_SIGNING_KEY must be at least 32 characters long"
        )
    return key
