"""Celery beat makes a backup every day and proves one restores every week."""

import pytest
from celery.schedules import crontab
from django.conf import settings
from django.core.management.base import CommandError

from config.celery import app

from .. import tasks


def entry_for(task_name):
    [entry] = [e for e in settings.CELERY_BEAT_SCHEDULE.values() if e["task"] == task_name]
    return entry


def test_a_backup_is_scheduled_every_day():
    schedule = entry_for("maintenance.backup_database")["schedule"]

    assert isinstance(schedule, crontab)
    assert schedule.day_of_week == set(range(7))


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
