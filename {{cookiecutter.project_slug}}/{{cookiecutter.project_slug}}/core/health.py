"""Health checks: readiness (every dependency) and liveness (nothing at all).

``GET /api/health/`` runs the checks named in ``settings.HEALTH_CHECKS`` and answers 200
when all pass, 503 naming the failing ones otherwise. ``GET /api/health/live/`` touches no
dependency, so an orchestrator never restarts a healthy process because the database
blinked. Plain Django views: no authentication, throttling or content negotiation.
"""

import logging
import time
import uuid

from django.conf import settings
from django.core.cache import cache
from django.db import connection
from django.http import JsonResponse
from django.utils.module_loading import import_string
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

logger = logging.getLogger(__name__)


def check_database():
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
        cursor.fetchone()


def check_cache():
    key, value = f"health:{uuid.uuid4().hex}", "ok"
    cache.set(key, value, timeout=10)
    if cache.get(key) != value:
        raise RuntimeError("value written to the cache could not be read back")
    cache.delete(key)


def run_checks():
    results = {}
    for name, dotted_path in settings.HEALTH_CHECKS.items():
        started = time.perf_counter()
        try:
            import_string(dotted_path)()
        except Exception as exc:  # any failure at all means "unhealthy"
            logger.warning("health check %s failed: %s", name, exc)
            results[name] = {"status": "error", "error": f"{type(exc).__name__}: {exc}"[:300]}
        else:
            results[name] = {"status": "ok"}
        results[name]["duration_ms"] = round((time.perf_counter() - started) * 1000, 2)
    return results


@never_cache
@require_GET
def health(request):
    checks = run_checks()
    failing = sorted(name for name, result in checks.items() if result["status"] != "ok")
    body = {"status": "error" if failing else "ok", "checks": checks}
    if failing:
        body["failing"] = failing
    return JsonResponse(body, status=503 if failing else 200)


@never_cache
@require_GET
def live(request):
    return JsonResponse({"status": "ok"})
