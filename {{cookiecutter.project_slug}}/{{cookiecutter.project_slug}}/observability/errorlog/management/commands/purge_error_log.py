"""Delete error-log rows not seen for a while: ``manage.py purge_error_log [--days N]``."""

from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandParser

from ...retention import purge_old_errors


class Command(BaseCommand):
    help = "Delete logged errors whose last occurrence is older than the retention period."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--days",
            type=int,
            default=settings.ERROR_LOG_RETENTION_DAYS,
            help="Keep errors seen in the last N days (default: ERROR_LOG_RETENTION_DAYS).",
        )

    def handle(self, *args: Any, days: int, **options: Any) -> None:
        deleted = purge_old_errors(days)
        self.stdout.write(f"Deleted {deleted} logged error(s) not seen in {days} days.")
