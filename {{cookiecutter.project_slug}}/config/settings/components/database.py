"""Database: SQLite with no configuration, PostgreSQL (psycopg 3) when DATABASE_URL says so."""

from django.core.exceptions import ImproperlyConfigured

from config.env import BASE_DIR, env

DATABASES = {
    "default": env.db_url("DATABASE_URL", default=f"sqlite:///{BASE_DIR / 'db.sqlite3'}"),
}
if DATABASES["default"]["ENGINE"] not in {
    "django.db.backends.postgresql",
    "django.db.backends.sqlite3",
}:
    raise ImproperlyConfigured(
        "Environment variable DATABASE_URL must be a postgres://... or sqlite:///... URL"
    )

if DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":
    DATABASES["default"].setdefault("OPTIONS", {})
    # Fail fast when the server is unreachable: health checks answer within this bound.
    DATABASES["default"]["OPTIONS"]["connect_timeout"] = env.positive_int(
        "DATABASE_CONNECT_TIMEOUT", default=5
    )
    # Persistent connections, checked before reuse so a restarted server is not an error.
    DATABASES["default"]["CONN_MAX_AGE"] = env.positive_int("DATABASE_CONN_MAX_AGE", default=60)
    DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
    # begin feature: psycopg_pool
    # Django's native psycopg pool, one per process: each holds between
    # DATABASE_POOL_MIN_SIZE and DATABASE_POOL_MAX_SIZE server connections, so the server
    # sees at most (processes x max size); size max_connections for that.
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
    for _name, _seconds in (
        ("DATABASE_POOL_TIMEOUT", DATABASE_POOL_TIMEOUT),
        ("DATABASE_POOL_MAX_LIFETIME", DATABASE_POOL_MAX_LIFETIME),
        ("DATABASE_POOL_MAX_IDLE", DATABASE_POOL_MAX_IDLE),
    ):
        if _seconds <= 0:
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
    # The pool replaces persistent connections; Django refuses both at once. With a pool,
    # CONN_HEALTH_CHECKS makes Django check each connection on checkout
    # (ConnectionPool.check_connection): one broken by a server restart is replaced.
    DATABASES["default"]["CONN_MAX_AGE"] = 0
    # end feature: psycopg_pool
    # begin feature: pgbouncer
    # Safe behind PgBouncer in transaction mode, where consecutive transactions of one
    # connection may run on different server connections, so nothing may outlive a
    # transaction: no server-side cursors, no prepared statements (docs/DATABASE.md).
    DATABASES["default"]["DISABLE_SERVER_SIDE_CURSORS"] = True
    DATABASES["default"]["OPTIONS"]["prepare_threshold"] = None
    # end feature: pgbouncer

# begin feature: prometheus
# Instrumented drop-in engines (django-prometheus); only ENGINE changes, the rest stays.
DATABASES["default"]["ENGINE"] = DATABASES["default"]["ENGINE"].replace(
    "django.db.backends.", "django_prometheus.db.backends.", 1
)
# end feature: prometheus

# After a request finds the database unreachable, this process answers 503 at once for
# this long before it checks again ({{ cookiecutter.project_slug }}/core/database_outage.py).
DATABASE_OUTAGE_RETRY_SECONDS = env.seconds("DATABASE_OUTAGE_RETRY_SECONDS", default=2.0)
