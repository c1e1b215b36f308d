"""Accounts: the password-reset link that the e-mail carries, and how long it works."""

from django.core.exceptions import ImproperlyConfigured

from config.env import env

# The front end owns the page: the link is this URL with {uid} and {token} filled in.
PASSWORD_RESET_URL = env.str(
    "PASSWORD_RESET_URL",
    default="https://{{ cookiecutter.domain_name }}/password-reset/{uid}/{token}/",
)
if "{uid}" not in PASSWORD_RESET_URL or "{token}" not in PASSWORD_RESET_URL:
    raise ImproperlyConfigured(
        f"Environment variable PASSWORD_RESET_URL={PASSWORD_RESET_URL!r} must contain "
        "{uid} and {token}"
    )
# Seconds a reset link stays valid (Django's own setting; its default is three days).
PASSWORD_RESET_TIMEOUT = env.positive_int("PASSWORD_RESET_TIMEOUT", default=3600)
