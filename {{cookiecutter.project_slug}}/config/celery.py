"""The Celery application: ``celery -A config worker`` and ``celery -A config beat``.

Configuration comes from Django settings (the ``CELERY_*`` names in
config/settings/features/celery.py); tasks are found in every app's ``tasks.py``.
"""

import os

from celery import Celery
from django.conf import settings

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.production")

app = Celery("config")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()


def check_broker():
    """Health check: the broker answers (Redis: a PING) within HEALTH_CHECK_TIMEOUT."""
    timeout = settings.HEALTH_CHECK_TIMEOUT
    with app.connection_for_write(
        connect_timeout=timeout,
        transport_options={"socket_connect_timeout": timeout, "socket_timeout": timeout},
    ) as connection:
        connection.ensure_connection(max_retries=1, interval_start=0, timeout=timeout)
