"""Retention keeps the newest backup of each recent day, week and month, and never the last one."""

from datetime import datetime, timedelta

from ..retention import backups_to_keep

START = datetime(2025, 1, 1, 2, 0)


def daily_backups(days):
    return [(f"db-{i:03d}", START + timedelta(days=i)) for i in range(days)]


def test_keeps_the_last_days_weeks_and_months():
    backups = daily_backups(120)

    keep = backups_to_keep(backups, daily=7, weekly=4, monthly=3)

    newest_days = {f"db-{i:03d}" for i in range(113, 120)}
    assert newest_days <= keep
    # 7 days + up to 4 weekly + up to 3 monthly, overlapping: never more than 14.
    assert len(keep) <= 14
    months = {dict(backups)[name].month for name in keep}
    assert len(months) == 3


def test_keeps_only_the_newest_of_a_day():
    backups = [("early", START), ("late", START + timedelta(hours=5))]

    assert backups_to_keep(backups, daily=1, weekly=0, monthly=0) == {"late"}


def test_never_deletes_the_newest_backup():
    backups = daily_backups(3)

    assert backups_to_keep(backups, daily=0, weekly=0, monthly=0) == {"db-002"}


def test_nothing_to_keep_when_there_is_nothing():
    assert backups_to_keep([], daily=7, weekly=4, monthly=6) == set()
