"""Health checks: readiness (every dependency) and liveness (nothing at all).

``GET /api/health/`` runs the checks named in ``settings.HEALTH_CHECKS`` and answers 200
when all pass, 503 naming the failing ones otherwise. ``GET /api/health/live/`` touches no
dependency, so an orchestrator never restarts a healthy process because the database
blinked. Plain Django views: no authentication, throttling or content negotiation.

The checks run concurrently, each with HEALTH_CHECK_TIMEOUT, on their own connections
(never the request pool), so the readiness answer comes within that timeout plus a few
milliseconds whatever hangs: docs/DEPLOYMENT.md gives each probe's time budget.
"""

import concurrent.futures
import logging
import math
import threading
import time
import uuid
from collections.abc import Callable

import psycopg
import redis
from django.conf import settings
from django.core.cache import caches
from django.core.cache.backends.redis import RedisCache
from django.db import connection
from django.http import JsonResponse
from django.utils.module_loading import import_string
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from .django_compat import mark_response_logged

logger = logging.getLogger(__name__)
# Checks that outlive their timeout keep a thread until their own client timeout ends
# them; past this many at once, new checks wait and are reported as timed out.
MAX_CHECK_THREADS = 16
_executor = None
_executor_lock = threading.Lock()


def check_database():
    """A fresh, direct connection with the health timeout: never waits on the request pool."""
    if connection.vendor != "postgresql":
        try:
            with connection.cursor() as cursor:
                cursor.execute("SELECT 1")
        finally:
            connection.close()  # this thread's own connection
        return
    params = connection.get_connection_params()
    # libpq (and psycopg) take whole seconds, at least 2; the wait in run_checks is exact.
    params["connect_timeout"] = max(2, math.ceil(settings.HEALTH_CHECK_TIMEOUT))
    with psycopg.connect(**params) as direct:
        direct.execute("SELECT 1").fetchone()


def check_cache():
    """The cache stores and returns a value; a Redis cache with the health timeout."""
    backend = caches["default"]
    if not isinstance(backend, RedisCache):
        key, value = f"health:{uuid.uuid4().hex}", "ok"
        backend.set(key, value, timeout=10)
        if backend.get(key) != value:
            raise RuntimeError("value written to the cache could not be read back")
        backend.delete(key)
        return
    timeout = settings.HEALTH_CHECK_TIMEOUT
    client = redis.Redis.from_url(
        settings.CACHES["default"]["LOCATION"],
        socket_connect_timeout=timeout,
        socket_timeout=timeout,
    )
    try:
        key = f"health:{uuid.uuid4().hex}"
        client.set(key, "ok", px=10_000)
        if client.get(key) != b"ok":
            raise RuntimeError("value written to the cache could not be read back")
        client.delete(key)
    finally:
        client.close()


def check_executor():
    global _executor
    with _executor_lock:
        if _executor is None:
            _executor = concurrent.futures.ThreadPoolExecutor(
                MAX_CHECK_THREADS, thread_name_prefix="health-check"
            )
        return _executor


def timed(check: Callable[[], object]) -> dict[str, str | float]:
    started = time.perf_counter()
    result: dict[str, str | float]
    try:
        check()
    except Exception as exc:  # any failure at all means "unhealthy"
        result = {"status": "error", "error": f"{type(exc).__name__}: {exc}"[:300]}
    else:
        result = {"status": "ok"}
    result["duration_ms"] = round((time.perf_counter() - started) * 1000, 2)
    return result


def run_checks():
    """Every check at once, each given HEALTH_CHECK_TIMEOUT: the answer never waits longer."""
    timeout = settings.HEALTH_CHECK_TIMEOUT
    executor = check_executor()
    futures = {
        name: executor.submit(timed, import_string(dotted_path))
        for name, dotted_path in settings.HEALTH_CHECKS.items()
    }
    concurrent.futures.wait(futures.values(), timeout=timeout)
    results = {}
    for name, future in futures.items():
        if future.done():
            results[name] = future.result()
        else:
            results[name] = {
                "status": "error",
                "error": f"no answer within {timeout}s (HEALTH_CHECK_TIMEOUT)",
                "duration_ms": round(timeout * 1000, 2),
            }
        if results[name]["status"] != "ok":
            logger.warning("health check %s failed: %s", name, results[name]["error"])
    return results


@never_cache
@require_GET
def health(request):
    checks = run_checks()
    failing = sorted(name for name, result in checks.items() if result["status"] != "ok")
    body = {"status": "error" if failing else "ok", "checks": checks}
    if failing:
        body["failing"] = failing
    response = JsonResponse(body, status=503 if failing else 200)
    # Each failing check is logged above as a warning. Django would also log the 503 as an
    # error (an e-mail to ADMINS per probe, and a cache round trip that a hung Redis makes
    # wait): a probe saying "not ready" is an answer, not a server error.
    mark_response_logged(response)
    return response


@never_cache
@require_GET
def live(request):
    return JsonResponse({"status": "ok"})
