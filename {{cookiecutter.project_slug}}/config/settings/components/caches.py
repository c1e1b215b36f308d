"""Cache: Redis when REDIS_URL is set (shared by every worker), else per-process memory."""

from config.env import env

REDIS_URL = env.str("REDIS_URL", default="")

if REDIS_URL:
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": REDIS_URL,
            "KEY_PREFIX": "{{ cookiecutter.project_slug }}",
            "OPTIONS": {
                # A stalled Redis must not stall requests: fail fast, the health check says why.
                "socket_connect_timeout": env.float("REDIS_CONNECT_TIMEOUT", default=2.0),
                "socket_timeout": env.float("REDIS_TIMEOUT", default=2.0),
            },
        }
    }
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
