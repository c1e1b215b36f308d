"""Logging: readable lines locally, one JSON object per line in production.

Every record carries the request id (see observability.request_id), so a request's lines can be found
together; the request log itself comes from observability.request_log.RequestLogMiddleware.
"""

from config.env import env

LOG_LEVEL = env.choice(
    "DJANGO_LOG_LEVEL", ["DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL"], default="INFO"
)
LOG_FORMAT = env.choice(
    "DJANGO_LOG_FORMAT",
    ["console", "json"],
    default="json" if ENVIRONMENT == "production" else "console",
)

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {
        "request_id": {"()": "{{ cookiecutter.project_slug }}.observability.request_id.RequestIdFilter"},
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
    },
}
