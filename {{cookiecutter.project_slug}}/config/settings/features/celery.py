"""Celery: background and scheduled tasks on Redis.

Every periodic task of every feature is listed in CELERY_BEAT_SCHEDULE below, so one
place shows what runs when.
"""

from config.env import env

CELERY_BROKER_URL = env.str("CELERY_BROKER_URL", default=REDIS_URL or "redis://localhost:6379/0")

CELERY_BEAT_SCHEDULE = {}
