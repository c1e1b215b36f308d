"""Prometheus metrics (django-prometheus) at /metrics.

Requests (latency and count by view, method and status), database and cache operations,
and inserts/updates/deletes of the example model. Outside production /metrics is open; in
production only scrapers from METRICS_ALLOWED_NETWORKS or with ``Authorization: Bearer
$METRICS_TOKEN`` get it (everyone else gets 404, or 403 for a wrong token).
"""

from config.env import env

INSTALLED_APPS.append("django_prometheus")
# First and last, so the measured time covers every other middleware.
MIDDLEWARE.insert(0, "django_prometheus.middleware.PrometheusBeforeMiddleware")
MIDDLEWARE.append("django_prometheus.middleware.PrometheusAfterMiddleware")

# Instrumented drop-in database engines; only ENGINE changes, the rest of the dict stays.
DATABASES["default"]["ENGINE"] = DATABASES["default"]["ENGINE"].replace(
    "django.db.backends.", "django_prometheus.db.backends.", 1
)
# Instrumented cache backends (hits, misses, failures).
_redis_cache = "{{ cookiecutter.project_slug }}.observability.metrics.RedisCache"
_instrumented_caches = {
    "django.core.cache.backends.redis.RedisCache": _redis_cache,
    "django.core.cache.backends.locmem.LocMemCache": "django_prometheus.cache.backends.locmem.LocMemCache",
}
for _cache in CACHES.values():
    _cache["BACKEND"] = _instrumented_caches.get(_cache["BACKEND"], _cache["BACKEND"])

METRICS_PUBLIC = env.bool("METRICS_PUBLIC", default=ENVIRONMENT != "production")
METRICS_TOKEN = env.str("METRICS_TOKEN", default="")
# Comma-separated addresses or networks (CIDR) of the scrapers, e.g. 10.0.0.0/8
METRICS_ALLOWED_NETWORKS = env.list("METRICS_ALLOWED_NETWORKS", default=[])
