"""Cache: Redis when REDIS_URL is set (shared by every worker), else per-process memory."""

from config.env import env

REDIS_URL = env.str("REDIS_URL", default="")
# Every Redis client (the cache and all else that uses Redis) gives up after these:
# a Redis that accepts connections but never answers must not hold a request for longer.
REDIS_CONNECT_TIMEOUT = env.seconds("REDIS_CONNECT_TIMEOUT", default=1.0)
REDIS_TIMEOUT = env.seconds("REDIS_TIMEOUT", default=1.0)

_redis_backend = "django.core.cache.backends.redis.RedisCache"  # feature: not prometheus
_locmem_backend = "django.core.cache.backends.locmem.LocMemCache"  # feature: not prometheus
# begin feature: prometheus
# Instrumented backends: hits, misses and failures (core.metrics, django-prometheus).
_redis_backend = "{{ cookiecutter.project_slug }}.observability.metrics.RedisCache"
# end feature: prometheus
_locmem_backend = "django_prometheus.cache.backends.locmem.LocMemCache"  # feature: prometheus

if REDIS_URL:
    CACHES = {
        "default": {
            "BACKEND": _redis_backend,
            "LOCATION": REDIS_URL,
            "KEY_PREFIX": "{{ cookiecutter.project_slug }}",
            "OPTIONS": {
                # A stalled Redis must not stall requests: fail fast, the health check says why.
                "socket_connect_timeout": REDIS_CONNECT_TIMEOUT,
                "socket_timeout": REDIS_TIMEOUT,
            },
        }
    }
else:
    CACHES = {"default": {"BACKEND": _locmem_backend}}
