"""Sentry errors and performance: on in any environment where SENTRY_DSN is set, never otherwise."""

from importlib import import_module

from config.env import ENVIRONMENT, env
from config.settings.components.static_files import STATIC_URL

SENTRY_DSN = env.str("SENTRY_DSN", default="")
# Listed first in MIDDLEWARE (base.py) while Sentry is on: every error below it is
# reported with the client's real address.
SENTRY_MIDDLEWARE: list[str] = []

if SENTRY_DSN:
    SENTRY_MIDDLEWARE = [
        "{{ cookiecutter.project_slug }}.observability.sentry.ClientIpMiddleware",
    ]
    from sentry_sdk.integrations import Integration

    _sentry = import_module("{{ cookiecutter.project_slug }}.observability.sentry")

    sentry_integrations: list[Integration] = []
    # begin feature: celery
    from sentry_sdk.integrations.celery import CeleryIntegration

    # Failing tasks become events; beat schedules can be monitored as Sentry crons.
    sentry_integrations.append(CeleryIntegration(monitor_beat_tasks=True))
    # end feature: celery

    _sentry.init_sentry(
        SENTRY_DSN,
        environment=env.str("SENTRY_ENVIRONMENT", default=ENVIRONMENT),
        # Empty: the git commit of the checkout, else the package version.
        release=env.str("SENTRY_RELEASE", default=""),
        # A tenth of requests traced in production is enough for p95s; everything locally.
        traces_sample_rate=env.float(
            "SENTRY_TRACES_SAMPLE_RATE", default=0.1 if ENVIRONMENT == "production" else 1.0
        ),
        # Per process: above this many traced requests a second, the rate falls so that tracing
        # costs no more as traffic grows (docs/PERFORMANCE.md). 0: no cap.
        traces_max_per_second=env.positive_int(
            "SENTRY_TRACES_MAX_PER_SECOND", default=2 if ENVIRONMENT == "production" else 0
        ),
        # Static files are never worth a trace, whoever serves them.
        untraced_paths=(*_sentry.QUIET_PATHS, STATIC_URL),
        # A share of the traced requests that are also profiled.
        profiles_sample_rate=env.float("SENTRY_PROFILES_SAMPLE_RATE", default=0.0),
        send_default_pii=env.bool("SENTRY_SEND_DEFAULT_PII", default=False),
        # Seconds during which a repeat of the same error is not sent again (0: send all).
        dedupe_window=env.positive_int("SENTRY_DEDUPE_SECONDS", default=60),
        integrations=sentry_integrations,
    )
