"""Delete error-log rows not seen for a while: ``manage.py purge_error_log [--days N]``."""

from django.conf import settings
from django.core.management.base import BaseCommand

from ...retention import purge_old_errors


class Command(BaseCommand):
    help = "Delete logged errors whose last occurrence is older than the retention period."

    def add_arguments(self, parser):
        parser.add_argument(
            "--days",
            type=int,
            default=settings.ERROR_LOG_RETENTION_DAYS,
            help="Keep errors seen in the last N days (default: ERROR_LOG_RETENTION_DAYS).",
        )

    def handle(self, *args, days, **options):
        deleted = purge_old_errors(days)
        self.stdout.write(f"Deleted {deleted} logged error(s) not seen in {days} days.")
