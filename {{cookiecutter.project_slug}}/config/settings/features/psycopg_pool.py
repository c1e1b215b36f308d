"""Connection pooling with Django's native psycopg pool (one pool per process).

Only for PostgreSQL; SQLite is left as it is. Each process holds between
DATABASE_POOL_MIN_SIZE and DATABASE_POOL_MAX_SIZE server connections, so the server sees
at most (processes x max size): size ``max_connections`` for that. A connection is
checked before it is handed out, so the pool recovers by itself after a server restart.
"""

from django.core.exceptions import ImproperlyConfigured

from config.env import env

if "postgresql" in DATABASES["default"]["ENGINE"]:
    DATABASE_POOL_MIN_SIZE = env.positive_int("DATABASE_POOL_MIN_SIZE", default=2)
    DATABASE_POOL_MAX_SIZE = env.positive_int("DATABASE_POOL_MAX_SIZE", default=10)
    if DATABASE_POOL_MAX_SIZE < 1:
        raise ImproperlyConfigured("Environment variable DATABASE_POOL_MAX_SIZE must be at least 1")
    if DATABASE_POOL_MIN_SIZE > DATABASE_POOL_MAX_SIZE:
        raise ImproperlyConfigured(
            f"Environment variable DATABASE_POOL_MIN_SIZE={DATABASE_POOL_MIN_SIZE} must not be "
            f"greater than DATABASE_POOL_MAX_SIZE={DATABASE_POOL_MAX_SIZE}"
        )
    DATABASE_POOL_TIMEOUT = env.float("DATABASE_POOL_TIMEOUT", default=2.0)
    DATABASE_POOL_MAX_LIFETIME = env.float("DATABASE_POOL_MAX_LIFETIME", default=1800.0)
    DATABASE_POOL_MAX_IDLE = env.float("DATABASE_POOL_MAX_IDLE", default=600.0)
    for _name in ("DATABASE_POOL_TIMEOUT", "DATABASE_POOL_MAX_LIFETIME", "DATABASE_POOL_MAX_IDLE"):
        if globals()[_name] <= 0:
            raise ImproperlyConfigured(f"Environment variable {_name} must be a positive number")

    DATABASES["default"]["OPTIONS"]["pool"] = {
        "min_size": DATABASE_POOL_MIN_SIZE,
        "max_size": DATABASE_POOL_MAX_SIZE,
        # Seconds a request waits for a free connection before it fails (PoolTimeout).
        "timeout": DATABASE_POOL_TIMEOUT,
        # Connections are replaced after this long, and closed after idling this long.
        "max_lifetime": DATABASE_POOL_MAX_LIFETIME,
        "max_idle": DATABASE_POOL_MAX_IDLE,
    }
    # The pool replaces persistent connections; Django refuses both at once.
    DATABASES["default"]["CONN_MAX_AGE"] = 0
    # With a pool, this makes Django check each connection on checkout
    # (ConnectionPool.check_connection): one broken by a server restart is replaced.
    DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
