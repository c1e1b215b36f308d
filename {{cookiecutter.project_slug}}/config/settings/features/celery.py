"""Celery: background and scheduled tasks on Redis.

Every periodic task of every feature is listed in CELERY_BEAT_SCHEDULE below, so one
place shows what runs when. Tasks whose name starts with ``maintenance.`` go to their own
``maintenance`` queue, so a long backup never delays the API's own tasks.
"""

from urllib.parse import urlsplit, urlunsplit

from celery.schedules import crontab
from django.core.exceptions import ImproperlyConfigured

from config.env import ENVIRONMENT, env
from config.settings.base import TIME_ZONE
from config.settings.components.caches import REDIS_CONNECT_TIMEOUT, REDIS_TIMEOUT, REDIS_URL


def redis_location(url):
    """(scheme, host, port, database number) of a redis:// URL; None for other brokers."""
    parts = urlsplit(url)
    if parts.scheme not in {"redis", "rediss"}:
        return None
    return (parts.scheme, parts.hostname, parts.port or 6379, int(parts.path.strip("/") or 0))


def next_redis_database(url):
    """The same Redis server as ``url``, one logical database further (0 -> 1)."""
    parts = urlsplit(url)
    database = int(parts.path.strip("/") or 0)
    return urlunsplit(parts._replace(path=f"/{database + 1}"))


# The cache keeps REDIS_URL's database (0); the broker and results use the next one, so
# cache.clear() (or an eviction policy) can never delete a queued task.
CELERY_BROKER_URL = env.str(
    "CELERY_BROKER_URL", default=next_redis_database(REDIS_URL or "redis://localhost:6379/0")
)
CELERY_RESULT_BACKEND = env.str("CELERY_RESULT_BACKEND", default=CELERY_BROKER_URL)
if REDIS_URL:
    for _variable, _url in (
        ("CELERY_BROKER_URL", CELERY_BROKER_URL),
        ("CELERY_RESULT_BACKEND", CELERY_RESULT_BACKEND),
    ):
        if redis_location(_url) is not None and redis_location(_url) == redis_location(REDIS_URL):
            raise ImproperlyConfigured(
                f"Environment variable {_variable} must not use the cache's Redis database "
                f"(REDIS_URL={REDIS_URL}): cache.clear() would delete Celery's data; "
                "use another database number, e.g. /1"
            )
CELERY_RESULT_EXPIRES = 24 * 3600
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
CELERY_TIMEZONE = TIME_ZONE

# JSON only: a pickled message from a compromised broker would run arbitrary code.
CELERY_ACCEPT_CONTENT = ["json"]
CELERY_TASK_SERIALIZER = "json"
CELERY_RESULT_SERIALIZER = "json"

# A task is acknowledged only once it has finished, and given back to the queue when its
# worker dies, so a deploy or a crash never silently drops work (tasks must be idempotent).
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TASK_SOFT_TIME_LIMIT = env.positive_int("CELERY_TASK_SOFT_TIME_LIMIT", default=300)
CELERY_TASK_TIME_LIMIT = env.positive_int("CELERY_TASK_TIME_LIMIT", default=360)
if CELERY_TASK_SOFT_TIME_LIMIT >= CELERY_TASK_TIME_LIMIT:
    raise ImproperlyConfigured(
        "Environment variable CELERY_TASK_SOFT_TIME_LIMIT must be lower than CELERY_TASK_TIME_LIMIT"
    )
# Redis hands an unacknowledged task to another worker after this many seconds: it must be
# longer than the longest task, or that task would run twice.
# The Redis timeouts (REDIS_CONNECT_TIMEOUT, REDIS_TIMEOUT) hold for the broker and the
# results too: a hung Redis fails a publish or a result read instead of blocking it.
CELERY_BROKER_TRANSPORT_OPTIONS = {
    "visibility_timeout": env.positive_int("CELERY_VISIBILITY_TIMEOUT", default=4 * 3600),
    "socket_connect_timeout": REDIS_CONNECT_TIMEOUT,
    "socket_timeout": REDIS_TIMEOUT,
}
CELERY_BROKER_CONNECTION_TIMEOUT = REDIS_CONNECT_TIMEOUT
CELERY_REDIS_SOCKET_CONNECT_TIMEOUT = REDIS_CONNECT_TIMEOUT
CELERY_REDIS_SOCKET_TIMEOUT = REDIS_TIMEOUT

CELERY_TASK_DEFAULT_QUEUE = "default"
CELERY_TASK_ROUTES = {"maintenance.*": {"queue": "maintenance"}}
# Keep our logging configuration (JSON in production) instead of Celery's own.
CELERY_WORKER_HIJACK_ROOT_LOGGER = False
CELERY_WORKER_SEND_TASK_EVENTS = True
CELERY_TASK_SEND_SENT_EVENT = True

# Tests run tasks in-process and synchronously, with no broker to run; so does local
# development until a broker is configured (the project works with nothing installed).
# Production always needs a worker.
CELERY_TASK_ALWAYS_EAGER = ENVIRONMENT == "test" or (
    ENVIRONMENT == "local" and not REDIS_URL and not env.str("CELERY_BROKER_URL", default="")
)
CELERY_TASK_EAGER_PROPAGATES = True
if CELERY_TASK_ALWAYS_EAGER:
    CELERY_BROKER_URL = "memory://"
    CELERY_RESULT_BACKEND = "cache+memory://"

CELERY_BEAT_SCHEDULE = {
    "clear-expired-sessions": {
        "task": "maintenance.clear_expired_sessions",
        "schedule": crontab(hour=3, minute=30),
    },
    # begin feature: db_backups
    # Daily backup at a quiet hour (BACKUP_SCHEDULE); every Sunday, prove the newest one restores.
    "backup-database": {
        "task": "maintenance.backup_database",
        "schedule": env.crontab("BACKUP_SCHEDULE", default="0 2 * * *"),
    },
    "verify-backup": {
        "task": "maintenance.verify_backup",
        "schedule": crontab(day_of_week="sunday", hour=4, minute=0),
    },
    # end feature: db_backups
    # begin feature: admin_error_log
    "purge-error-log": {
        "task": "maintenance.purge_error_log",
        "schedule": crontab(hour=3, minute=45),
    },
    # end feature: admin_error_log
}
