"""Start-up checks, the one convention every app follows.

Each app keeps its checks in its own ``checks.py``, registered with Django's system checks
by the decorators below, and imports that module from its AppConfig's ``ready()``. An
Error stops ``manage.py check``, ``migrate`` and ``runserver``; ``check_before_serving``
(called by config/wsgi.py and config/asgi.py) makes it stop gunicorn as well.

``SERVING`` holds the few checks that only hold for a process about to answer requests
(collectstatic must have run before the server starts, not before ``migrate``).
"""

import logging
from pathlib import Path

from django.conf import settings
from django.core import checks
from django.core.checks.registry import CheckRegistry
from django.core.management.base import SystemCheckError

from .static_files import MANIFEST_NAME

logger = logging.getLogger(__name__)

# Checks that run when a server starts, never in manage.py check/migrate/collectstatic.
SERVING = CheckRegistry()


def check_before_serving():
    """Run every start-up check before a server answers its first request.

    Errors stop the process with Django's own report (naming each problem); warnings of
    the serving checks are logged, as manage.py check would print them.
    """
    serving = SERVING.run_checks()
    visible = [issue for issue in checks.run_checks() + serving if not issue.is_silenced()]
    errors = [issue for issue in visible if issue.is_serious()]
    if errors:
        raise SystemCheckError("\n".join(str(error) for error in errors))
    for issue in serving:
        logger.error("%s", issue)


@checks.register(checks.Tags.security)
def check_trusted_proxies_are_not_everyone(app_configs, **kwargs):
    """Settings that would let any client choose who it is."""
    everyone = [
        network for network in getattr(settings, "TRUSTED_PROXIES", ()) if network.prefixlen == 0
    ]
    if not everyone:
        return []
    listed = ", ".join(str(network) for network in everyone)
    return [
        checks.Warning(
            f"TRUSTED_PROXIES includes {listed}: X-Forwarded-For is believed from any peer, so "
            "any client can pick the address its rate limits, lockouts and logs are keyed by.",
            hint="List only your proxies' addresses or networks in TRUSTED_PROXIES.",
            id="core.W001",
        )
    ]


@SERVING.register(checks.Tags.staticfiles)
def check_static_manifest_collected(app_configs, **kwargs):
    """Say at start-up, not at the first page, that collectstatic has not run.

    Production only (elsewhere static files come straight from the apps). With
    DJANGO_STATIC_REQUIRE_MANIFEST=true the server refuses to start instead.
    """
    if getattr(settings, "ENVIRONMENT", None) != "production":
        return []
    if settings.STATIC_ROOT is None:
        return [
            checks.Error(
                "STATIC_ROOT is not set: collectstatic has nowhere to write",
                hint="Set DJANGO_STATIC_ROOT.",
                id="core.E002",
            )
        ]
    manifest = Path(settings.STATIC_ROOT) / MANIFEST_NAME
    if manifest.is_file():
        return []
    message = (
        f"{manifest} does not exist: run 'python manage.py collectstatic --noinput' "
        "before starting the server"
    )
    if settings.STATIC_REQUIRE_MANIFEST:
        return [checks.Error(message, id="core.E001")]
    return [checks.Warning(f"{message} (static files answer 404 until then)", id="core.W002")]
