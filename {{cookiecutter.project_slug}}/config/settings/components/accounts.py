"""Accounts: the password-reset link that the e-mail carries, and how long it works."""

from django.core.exceptions import ImproperlyConfigured

from config.env import env


def at_least_one(variable, default):
    """A lifetime or a count from the environment: a whole number, at least 1."""
    value = env.int(variable, default=default)
    if value < 1:
        raise ImproperlyConfigured(f"Environment variable {variable}={value} must be at least 1")
    return value


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
PASSWORD_RESET_TIMEOUT = at_least_one("PASSWORD_RESET_TIMEOUT", default=3600)
