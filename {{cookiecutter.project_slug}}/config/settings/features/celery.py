"""Celery: background and scheduled tasks on Redis.

Every periodic task of every feature is listed in CELERY_BEAT_SCHEDULE below, so one
place shows what runs when. Tasks whose name starts with ``maintenance.`` go to their own
``maintenance`` queue, so a long backup never delays the API's own tasks.
"""

from celery.schedules import crontab
from django.core.exceptions import ImproperlyConfigured

from config.env import env

CELERY_BROKER_URL = env.str("CELERY_BROKER_URL", default=REDIS_URL or "redis://localhost:6379/0")
CELERY_RESULT_BACKEND = env.str("CELERY_RESULT_BACKEND", default=CELERY_BROKER_URL)
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
CELERY_BROKER_TRANSPORT_OPTIONS = {
    "visibility_timeout": env.positive_int("CELERY_VISIBILITY_TIMEOUT", default=4 * 3600),
    "socket_connect_timeout": 5,
}
CELERY_RESULT_BACKEND_TRANSPORT_OPTIONS = {"socket_connect_timeout": 5}

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

HEALTH_CHECKS["broker"] = "config.celery.check_broker"
