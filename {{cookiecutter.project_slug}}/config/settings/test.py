"""Tests: fast, isolated and deterministic."""

from split_settings.tools import include

from config.settings.base import PASSWORD_HASHERS
from config.settings.features.jwt import SIMPLE_JWT, jwt_signing_key  # feature: jwt

include("base.py")

DEBUG = False
SECRET_KEY = "test-only-secret-key-that-is-long-and-not-used-anywhere-else-0123456789"  # noqa: S105
ALLOWED_HOSTS = ["testserver", "localhost", "127.0.0.1"]
SIMPLE_JWT = {**SIMPLE_JWT, "SIGNING_KEY": jwt_signing_key(SECRET_KEY, required=False)}  # feature: jwt
# Fast hashing in tests; the project's own list stays at hand for the tests of hashing.
PROJECT_PASSWORD_HASHERS = PASSWORD_HASHERS
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
# Mail stays in memory (django.core.mail.outbox), whatever EMAIL_URL says.
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
