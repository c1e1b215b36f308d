"""Celery beat makes a backup every day and proves one restores every week."""

from typing import Any

import pytest
from celery.schedules import crontab
from django.conf import settings
from django.core.cache import cache
from django.core.exceptions import ImproperlyConfigured
from django.core.management.base import CommandError

from config.celery import app, stamp_message
from config.env import env

from .. import tasks


def entry_for(task_name):
    [entry] = [e for e in settings.CELERY_BEAT_SCHEDULE.values() if e["task"] == task_name]
    return entry


def test_a_backup_is_scheduled_every_day():
    schedule = entry_for("maintenance.backup_database")["schedule"]

    assert isinstance(schedule, crontab)
    # Set by crontab.__init__ from the day_of_week it was given; celery-types leaves it out.
    assert schedule.day_of_week == set(range(7))  # type: ignore[attr-defined]


def test_a_verification_is_scheduled_every_week():
    schedule = entry_for("maintenance.verify_backup")["schedule"]

    assert len(schedule.day_of_week) == 1


def test_backup_tasks_run_on_the_maintenance_queue_with_their_own_time_limit():
    for task in (tasks.backup_database, tasks.verify_backup):
        assert app.amqp.router.route({}, task.name)["queue"].name == "maintenance"
        assert task.soft_time_limit == settings.BACKUP_TIME_LIMIT


@pytest.mark.django_db(transaction=True)
def test_a_failing_backup_task_fails(monkeypatch):
    def failing_command(*args, **kwargs):
        raise CommandError("pg_dump failed")

    monkeypatch.setattr(tasks, "call_command", failing_command)

    with pytest.raises(CommandError, match="pg_dump failed"):
        tasks.backup_database.delay()


def test_the_backup_time_comes_from_backup_schedule(monkeypatch):
    monkeypatch.setenv("BACKUP_SCHEDULE", "15 1 * * 1-5")

    schedule = env.crontab("BACKUP_SCHEDULE", default="0 2 * * *")

    assert schedule.minute == {15}
    assert schedule.hour == {1}
    assert schedule.day_of_week == {1, 2, 3, 4, 5}


@pytest.mark.parametrize("value", ["every night", "0 2 * *", "61 2 * * *"])
def test_a_malformed_backup_schedule_is_refused_naming_it(monkeypatch, value):
    monkeypatch.setenv("BACKUP_SCHEDULE", value)

    with pytest.raises(ImproperlyConfigured, match="BACKUP_SCHEDULE"):
        env.crontab("BACKUP_SCHEDULE", default="0 2 * * *")


def test_beat_messages_are_stamped_with_their_tick():
    from_beat: dict[str, object] = {"celery_beat_task": True}
    by_hand: dict[str, object] = {}

    stamp_message(headers=from_beat)
    stamp_message(headers=by_hand)

    assert isinstance(from_beat["beat_tick"], int)
    assert "beat_tick" not in by_hand


@pytest.mark.django_db(transaction=True)
def test_two_beats_sending_one_tick_make_one_backup(monkeypatch):
    runs = []
    monkeypatch.setattr(tasks, "call_command", lambda *args, **kwargs: runs.append(args))
    cache.clear()
    # Celery carries any JSON value in a header; celery-types' Mapping[str, str] is narrower.
    tick: dict[str, Any] = {"beat_tick": 29_000_000}
    next_one: dict[str, Any] = {"beat_tick": 29_000_001}

    first = tasks.backup_database.apply(headers=tick, task_id="from-beat-1")
    second = tasks.backup_database.apply(headers=tick, task_id="from-beat-2")
    redelivered = tasks.backup_database.apply(headers=tick, task_id="from-beat-1")
    next_tick = tasks.backup_database.apply(headers=next_one, task_id="b-3")
    by_hand = [tasks.backup_database.apply(task_id=f"hand-{n}") for n in range(2)]

    assert [first.get(), second.get(), redelivered.get(), next_tick.get()] == [
        "done",
        "skipped",
        "done",
        "done",
    ]
    assert [result.get() for result in by_hand] == ["done", "done"]
    assert len(runs) == 5
