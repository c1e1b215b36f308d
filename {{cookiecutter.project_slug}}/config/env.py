"""Environment variables, read once, validated loudly.

django-environ does the parsing; this subclass makes every bad value fail at start-up
with ``ImproperlyConfigured`` naming the variable, instead of a bare ``ValueError``.
"""

import os
import sys
from collections.abc import Sequence
from email.utils import getaddresses
from pathlib import Path
from typing import Any

import environ
from django.core.exceptions import ImproperlyConfigured, ValidationError
from django.core.validators import validate_email

BASE_DIR = Path(__file__).resolve().parent.parent
ENVIRONMENTS = ("local", "test", "production")
TRUE_WORDS = {"true", "1", "yes", "on"}
FALSE_WORDS = {"false", "0", "no", "off", ""}
# ADMINS' shape: [(name, address), ...].
Addresses = list[tuple[str, str]]


def naming_the_variable(parse):
    """Turn any parsing error into ImproperlyConfigured that names the variable."""

    def wrapper(self, var, *args, **kwargs):
        try:
            return parse(self, var, *args, **kwargs)
        except ImproperlyConfigured:
            raise
        except Exception as exc:
            raise ImproperlyConfigured(f"Environment variable {var} is invalid: {exc!r}") from exc

    return wrapper


class Env(environ.Env):
    get_value = naming_the_variable(environ.Env.get_value)
    db_url = naming_the_variable(environ.Env.db_url)
    cache_url = naming_the_variable(environ.Env.cache_url)
    email_url = naming_the_variable(environ.Env.email_url)

    def bool(self, var: str, default: Any = environ.Env.NOTSET) -> bool:
        """Only unambiguous words: a typo such as DJANGO_DEBUG=ture is an error, not False."""
        value = self.str(var, default=default)
        if isinstance(value, bool):
            return value
        word = value.strip().lower()
        if word not in TRUE_WORDS | FALSE_WORDS:
            raise ImproperlyConfigured(
                f"Environment variable {var}={value!r} must be one of: true, false, 1, 0, yes, no"
            )
        return word in TRUE_WORDS

    def choice(self, var: str, choices: Sequence[str], default: str) -> str:
        """A string that must be one of ``choices``."""
        value = self.str(var, default=default)
        if value not in choices:
            expected = ", ".join(choices)
            raise ImproperlyConfigured(
                f"Environment variable {var}={value!r} must be one of: {expected}"
            )
        return value

    def url_path(self, var: str, default: str) -> str:
        """A relative URL prefix such as ``admin/``: no leading slash, one trailing slash."""
        value = self.str(var, default=default)
        if not value.endswith("/") or value.startswith("/") or " " in value:
            raise ImproperlyConfigured(
                f"Environment variable {var}={value!r} must look like 'admin/' "
                "(no leading slash, a trailing slash)"
            )
        return value

    def addresses(self, var: str, default: Addresses | None) -> Addresses | None:
        """E-mail addresses such as ``Ops <ops@example.com>, "Doe, Jo" <jo@example.com>``.

        Returns ``[(name, address), ...]`` (Django's ADMINS shape), or ``default`` when the
        variable is unset or empty; a malformed entry is an error naming the variable, so a
        typo never silently drops alerts.
        """
        value = self.str(var, default="")
        if not value.strip():
            return default
        found: Addresses = []
        for name, address in getaddresses([value]):
            try:
                validate_email(address)
            except ValidationError:
                raise ImproperlyConfigured(
                    f"Environment variable {var}={value!r} has a malformed address "
                    f"{address!r}; expected 'Name <user@example.com>, other@example.com'"
                ) from None
            found.append((name or address, address))
        return found

    def address(self, var: str, default: str) -> str:
        """One e-mail address, optionally with a display name: ``Name <user@example.com>``."""
        found = self.addresses(var, default=None)
        if found is None:
            return default
        if len(found) != 1:
            raise ImproperlyConfigured(f"Environment variable {var} must hold exactly one address")
        return self.str(var).strip()

    def seconds(self, var: str, default: float) -> float:
        """A duration in seconds: a number greater than zero (``0.5`` and ``2`` both work)."""
        value = self.float(var, default=default)
        if not value > 0:
            raise ImproperlyConfigured(
                f"Environment variable {var}={value!r} must be a number of seconds above 0"
            )
        return value

    def positive_int(self, var: str, default: int) -> int:
        value = self.int(var, default=default)
        if value < 0:
            raise ImproperlyConfigured(f"Environment variable {var}={value} must not be negative")
        return value
    # begin feature: celery

    def crontab(self, var: str, default: str):  # a celery.schedules.crontab
        """A five-field cron line ("minute hour day-of-month month day-of-week") as a crontab."""
        from celery.schedules import crontab

        value = self.str(var, default=default)
        fields = value.split()
        try:
            if len(fields) != 5:
                raise ValueError("five fields expected")
            minute, hour, day_of_month, month_of_year, day_of_week = fields
            return crontab(minute, hour, day_of_week, day_of_month, month_of_year)
        except ValueError as error:
            raise ImproperlyConfigured(
                f"Environment variable {var}={value!r} is not a cron line like '0 2 * * *' "
                f"({error})"
            ) from None
    # end feature: celery


def loading_environment() -> str:
    """local, test or production: the environment module whose import loads the settings.

    Read from the modules being imported, so a settings module of your own that starts
    with ``from config.settings.production import *`` (a staging variant, say) is
    production too; failing that, the last part of DJANGO_SETTINGS_MODULE. Shared settings
    read it only to pick a default; what differs structurally lives in the environment's
    own module (local.py, test.py, production.py).
    """
    for name in ENVIRONMENTS:
        if f"config.settings.{name}" in sys.modules:
            return name
    return os.environ.get("DJANGO_SETTINGS_MODULE", "").rpartition(".")[2]


ENVIRONMENT = loading_environment()
env = Env()

# A local .env file (written by the template, never committed) fills in whatever the real
# environment does not set; real environment variables always win.
if env.bool("DJANGO_READ_DOT_ENV_FILE", default=True) and (BASE_DIR / ".env").is_file():
    Env.read_env(BASE_DIR / ".env", overwrite=False)
