"""Tests: fast, isolated and deterministic."""

from split_settings.tools import include

ENVIRONMENT = "test"
include("base.py")

DEBUG = False
SECRET_KEY = "test-only-secret-key-that-is-long-and-not-used-anywhere-else-0123456789"  # noqa: S105
ALLOWED_HOSTS = ["testserver", "localhost", "127.0.0.1"]
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
