"""The Celery application: ``celery -A config worker`` and ``celery -A config beat``.

Configuration comes from Django settings (the ``CELERY_*`` names in
config/settings/features/celery.py); tasks are found in every app's ``tasks.py``.
"""

import logging
import os
import time
from contextvars import Token
from importlib import import_module

import sentry_sdk  # feature: sentry
from celery import Celery, signals
from django.conf import settings

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.production")

app = Celery("config")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()

logger = logging.getLogger(__name__)
_logging = import_module("{{ cookiecutter.project_slug }}.observability.request_id")
# Failed tasks are mailed to ADMINS: importing the module connects its signal handler.
import_module("{{ cookiecutter.project_slug }}.observability.task_failures")
request_id_var = _logging.request_id_var
NO_REQUEST = _logging.NO_REQUEST

# The id of the request that queued a task travels in the task's message headers, so the
# task's log lines (and its error reports) carry the same id as the request's.
REQUEST_ID_HEADER = "request_id"
_request_id_tokens: dict[str, Token[str]] = {}
# A second beat started by mistake (two deploys, two replicas) sends every tick again: the
# tasks that must run once per tick claim it (first_delivery_of_its_tick). crontab's finest
# schedule is a minute, and every beat sends a tick in the minute it falls due.
BEAT_TICK_HEADER = "beat_tick"
TICK_SECONDS = 60
TICK_CLAIM_SECONDS = 24 * 3600


@signals.before_task_publish.connect
def stamp_message(headers=None, **kwargs):
    """The request id, and beat's tick, into the headers of every message sent.

    Runs in the process sending the task (a web worker, beat, another task).
    """
    if headers is None:
        return
    request_id = request_id_var.get()
    if request_id != NO_REQUEST:
        headers.setdefault(REQUEST_ID_HEADER, request_id)
    if headers.get("celery_beat_task"):  # set by Celery beat on what it sends
        headers.setdefault(BEAT_TICK_HEADER, int(time.time() // TICK_SECONDS))


def message_header(task, name):
    """A custom header of the running task's message (``apply(headers=...)`` in eager mode)."""
    request = task.request
    return getattr(request, name, None) or (request.headers or {}).get(name)


def request_id_of(task):
    return message_header(task, REQUEST_ID_HEADER)


def first_delivery_of_its_tick(task):
    """False when another beat's message already claimed this schedule tick of ``task``.

    Messages not sent by beat always run. A message redelivered after its worker died
    keeps its claim (same task id), so acks_late still retries it.
    """
    tick = message_header(task, BEAT_TICK_HEADER)
    if tick is None:
        return True
    from django.core.cache import cache

    key = f"beat-tick:{task.name}:{tick}"
    try:
        claimed = cache.add(key, task.request.id, TICK_CLAIM_SECONDS)
        return claimed or cache.get(key) == task.request.id
    except Exception:  # the cache is down: a duplicate run beats a missed one
        logger.warning("cannot claim the beat tick of %s: running it", task.name, exc_info=True)
        return True


@signals.task_prerun.connect
def adopt_request_id(task_id=None, task=None, **kwargs):
    request_id = request_id_of(task)
    if request_id:
        _request_id_tokens[task_id] = request_id_var.set(request_id)
        sentry_sdk.set_tag("request_id", request_id)  # feature: sentry


@signals.task_postrun.connect
def forget_request_id(task_id=None, **kwargs):
    token = _request_id_tokens.pop(task_id, None)
    if token is not None:
        request_id_var.reset(token)


def check_broker():
    """Health check: the broker answers (Redis: a PING) within HEALTH_CHECK_TIMEOUT."""
    timeout = settings.HEALTH_CHECK_TIMEOUT
    with app.connection_for_write(
        connect_timeout=timeout,
        transport_options={"socket_connect_timeout": timeout, "socket_timeout": timeout},
    ) as connection:
        connection.ensure_connection(max_retries=1, interval_start=0, timeout=timeout)
