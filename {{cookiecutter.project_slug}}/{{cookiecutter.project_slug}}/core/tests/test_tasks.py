"""Celery: tasks run, periodic tasks exist, maintenance work has its own queue."""

import logging
from datetime import timedelta

import pytest
from celery import current_app
from django.conf import settings
from django.contrib.sessions.models import Session
from django.utils import timezone

from config.celery import app, stamp_message

from ...observability.request_id import RequestIdFilter, request_id_var
from .. import tasks


def test_a_task_runs_and_returns_its_result():
    assert tasks.ping.delay().get(timeout=5) == "pong"


def test_the_celery_app_is_the_current_app():
    assert current_app.main == app.main


def test_every_periodic_task_is_a_registered_task():
    app.loader.import_default_modules()
    for name, entry in settings.CELERY_BEAT_SCHEDULE.items():
        assert entry["task"] in app.tasks, f"{name}: unknown task {entry['task']}"


def test_maintenance_tasks_have_their_own_queue():
    route = app.amqp.router.route({}, "maintenance.clear_expired_sessions")
    assert route["queue"].name == "maintenance"
    assert app.amqp.router.route({}, "core.ping")["queue"].name == "default"


def test_messages_are_json_only():
    assert app.conf.accept_content == ["json"]
    assert app.conf.task_serializer == "json"
    assert app.conf.task_acks_late is True
    assert app.conf.task_reject_on_worker_lost is True
    assert app.conf.worker_prefetch_multiplier == 1


@pytest.mark.django_db
def test_clearing_expired_sessions_keeps_live_ones():
    now = timezone.now()
    Session.objects.create(session_key="old", session_data="", expire_date=now - timedelta(days=1))
    Session.objects.create(session_key="new", session_data="", expire_date=now + timedelta(days=1))

    tasks.clear_expired_sessions.delay()

    assert list(Session.objects.values_list("session_key", flat=True)) == ["new"]


@pytest.mark.django_db
def test_health_includes_the_broker(client):
    body = client.get("/api/health/").json()

    assert body["checks"]["broker"]["status"] == "ok"


@pytest.mark.django_db
def test_health_names_an_unreachable_broker(client, monkeypatch):
    monkeypatch.setattr(app.conf, "broker_url", "redis://127.0.0.1:1/0")

    response = client.get("/api/health/")

    assert response.status_code == 503
    assert response.json()["failing"] == ["broker"]


def test_a_queued_task_carries_the_id_of_the_request_that_queued_it():
    headers: dict[str, object] = {}
    token = request_id_var.set("req-queuer-1")
    try:
        stamp_message(headers=headers)
    finally:
        request_id_var.reset(token)
    outside_any_request: dict[str, object] = {}
    stamp_message(headers=outside_any_request)

    assert headers["request_id"] == "req-queuer-1"
    assert "request_id" not in outside_any_request


def test_a_task_logs_with_the_request_id_of_its_message(caplog):
    caplog.handler.addFilter(RequestIdFilter())
    with caplog.at_level(logging.INFO, logger=tasks.logger.name):
        tasks.ping.apply(headers={"request_id": "req-from-message"})

    [record] = [r for r in caplog.records if r.name == tasks.logger.name]
    assert record.request_id == "req-from-message"
    assert request_id_var.get() == "-", "the id does not leak into what runs next"
# begin feature: sentry


def test_a_tasks_error_reports_carry_the_request_id_of_its_message(captured_sentry):
    import sentry_sdk

    @app.task(name="tests.report_something")
    def report_something():
        sentry_sdk.capture_message("reported from a task")

    events = captured_sentry(traces_sample_rate=0.0)
    with sentry_sdk.isolation_scope():
        report_something.apply(headers={"request_id": "req-task-tag"})
    sentry_sdk.flush()

    assert [event["tags"]["request_id"] for event in events] == ["req-task-tag"]
# end feature: sentry
