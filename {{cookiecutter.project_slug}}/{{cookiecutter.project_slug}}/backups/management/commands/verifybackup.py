"""``manage.py verifybackup``: prove that a backup restores, by restoring it.

Checks the recorded SHA-256, restores the backup (the newest by default) into a scratch
database, compares the row count of every table with the source database, drops the
scratch database, and exits non-zero on any difference.
"""

from typing import Any

from dbbackup.storage import StorageError
from django.core.management.base import BaseCommand, CommandError, CommandParser

from ...services import BackupError, report_failure, verify_backup


class Command(BaseCommand):
    help = "Restore a backup into a scratch database and compare row counts with the source."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("-i", "--input-filename", help="Backup to verify (default: newest)")
        parser.add_argument("-d", "--database", default="default", help="Database alias")

    def handle(self, **options: Any) -> None:
        try:
            result = verify_backup(options["input_filename"], database=options["database"])
        except (BackupError, StorageError) as exc:
            report_failure("backup verification", exc)
            raise CommandError(str(exc)) from exc
        except Exception as exc:
            report_failure("backup verification", exc)
            raise CommandError(f"Restoring the backup failed: {exc}") from exc

        for table, (source, restored) in result.tables.items():
            mark = "ok" if source == restored else "MISMATCH"
            self.stdout.write(f"{mark:9} {table}: source {source}, restored {restored}")
        if result.mismatches:
            error = CommandError(
                f"{result.name}: {len(result.mismatches)} tables differ from the source: "
                + ", ".join(sorted(result.mismatches))
            )
            report_failure("backup verification", error)
            raise error
        self.stdout.write(
            self.style.SUCCESS(f"{result.name}: restored {len(result.tables)} tables, all match")
        )
