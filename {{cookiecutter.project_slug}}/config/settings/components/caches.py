"""Cache: Redis when REDIS_URL is set (shared by every worker), else per-process memory."""

from config.env import env

REDIS_URL = env.str("REDIS_URL", default="")
# Every Redis client (the cache and all else that uses Redis) gives up after these:
# a Redis that accepts connections but never answers must not hold a request for longer.
REDIS_CONNECT_TIMEOUT = env.seconds("REDIS_CONNECT_TIMEOUT", default=1.0)
REDIS_TIMEOUT = env.seconds("REDIS_TIMEOUT", default=1.0)

if REDIS_URL:
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
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
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
