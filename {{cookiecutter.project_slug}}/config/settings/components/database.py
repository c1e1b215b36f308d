"""Database: SQLite with no configuration, PostgreSQL (psycopg 3) when DATABASE_URL says so."""

from django.core.exceptions import ImproperlyConfigured

from config.env import env

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

# After a request finds the database unreachable, this process answers 503 at once for
# this long before it checks again ({{ cookiecutter.project_slug }}/core/database_outage.py).
DATABASE_OUTAGE_RETRY_SECONDS = env.seconds("DATABASE_OUTAGE_RETRY_SECONDS", default=2.0)
