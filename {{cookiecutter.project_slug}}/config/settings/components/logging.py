"""Logging: readable lines locally, one JSON object per line in production.

Every record carries the request id (see observability.request_id), so a request's lines can be found
together; the request log itself comes from observability.request_log.RequestLogMiddleware.
"""

from typing import Any

from config.env import ENVIRONMENT, env
from config.settings.components.mail import ERROR_EMAILS, MAIL_ERRORS_MODULE

LOG_LEVEL = env.choice(
    "DJANGO_LOG_LEVEL", ["DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL"], default="INFO"
)
LOG_FORMAT = env.choice(
    "DJANGO_LOG_FORMAT",
    ["console", "json"],
    default="json" if ENVIRONMENT == "production" else "console",
)

LOGGING: dict[str, Any] = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {
        "request_id": {
            "()": "{{ cookiecutter.project_slug }}.observability.request_id.RequestIdFilter",
        },
    },
    "formatters": {
        "console": {
            "format": "%(asctime)s %(levelname)-8s %(name)s [%(request_id)s] %(message)s",
        },
        "json": {
            "()": "pythonjsonlogger.json.JsonFormatter",
            "fmt": "%(asctime)s %(levelname)s %(name)s %(message)s %(request_id)s",
            "rename_fields": {"asctime": "time", "levelname": "level", "name": "logger"},
        },
    },
    "handlers": {
        "console": {
            "class": "logging.StreamHandler",
            "formatter": LOG_FORMAT,
            "filters": ["request_id"],
        },
    },
    "root": {"handlers": ["console"], "level": LOG_LEVEL},
    "loggers": {
        # Our request log replaces Django's: one line per request, with its duration.
        "django.server": {"level": "WARNING"},
        "django.request": {"level": "ERROR"},
        "django.security.DisallowedHost": {"level": "ERROR"},
        # Django's default logging mails ADMINS from this logger without any limit; the
        # empty list replaces that, so every error report goes through the limit below.
        "django": {"handlers": []},
        # Its start-up banner on every command is noise; lockouts are still logged as warnings.
        "axes.apps": {"level": "WARNING"},  # feature: throttling
    },
}
# Error reports by e-mail (components/mail.py), rate-limited.
if ERROR_EMAILS:
    LOGGING["filters"]["error_mail_rate_limit"] = {
        "()": f"{MAIL_ERRORS_MODULE}.RateLimitFilter",
        "interval": env.positive_int("DJANGO_ERROR_EMAIL_INTERVAL", default=300),
        "limit": env.positive_int("DJANGO_ERROR_EMAIL_LIMIT", default=10),
    }
    LOGGING["formatters"]["mail_admins"] = {"format": "%(message)s\n\nRequest id: %(request_id)s"}
    LOGGING["handlers"]["mail_admins"] = {
        "level": "ERROR",
        "class": "django.utils.log.AdminEmailHandler",
        "filters": ["request_id", "error_mail_rate_limit"],
        "formatter": "mail_admins",
        "include_html": False,
    }
    LOGGING["loggers"]["django.request"]["handlers"] = ["mail_admins"]
    LOGGING["loggers"]["{{ cookiecutter.project_slug }}.mail"] = {
        "handlers": ["mail_admins"],
        "level": "ERROR",
        "propagate": False,
    }
