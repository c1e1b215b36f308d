"""Settings: one module per environment (local.py, test.py, production.py).

Each environment module calls ``include_shared_settings(globals())`` first, then sets what
only its environment has. The shared files run in the order below, each in the
environment module's namespace; every file imports the names it reads from the file that
defines them, so the order only decides which file's value wins if two set one name (none
do).
"""

from typing import Any

from split_settings.tools import include


def include_shared_settings(scope: dict[str, Any]) -> None:
    """Run the shared settings files in ``scope`` (an environment module's globals())."""
    include(
        # The lists Django walks (apps, middleware, DRF classes): start reading here.
        "base.py",
        # Always present, one concern each.
        "components/accounts.py",
        "components/caches.py",
        "components/database.py",
        "components/health.py",
        "components/logging.py",
        "components/mail.py",
        "components/proxies.py",
        "components/queries.py",
        "components/rest_framework.py",
        "components/security.py",
        "components/static_files.py",
        # Optional features: each line (and file) is gone when its feature is off.
        # (features/sentry.py is imported by base.py instead: it starts Sentry, once.)  # feature: sentry
        "features/admin_error_log.py",  # feature: admin_error_log
        "features/api_versions.py",  # feature: api_versions
        "features/celery.py",  # feature: celery
        "features/csp.py",  # feature: csp
        "features/db_backups.py",  # feature: db_backups
        "features/email_anymail.py",  # feature: email_anymail
        "features/jwt.py",  # feature: jwt
        "features/knox.py",  # feature: knox
        "features/openapi.py",  # feature: openapi
        "features/permissions_policy.py",  # feature: permissions_policy
        "features/prometheus.py",  # feature: prometheus
        "features/throttling.py",  # feature: throttling
        "features/users.py",  # feature: users
        "features/whitenoise.py",  # feature: whitenoise
        scope=scope,
    )
