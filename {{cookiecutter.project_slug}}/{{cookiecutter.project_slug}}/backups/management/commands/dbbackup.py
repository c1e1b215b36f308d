"""``manage.py dbbackup``: django-dbbackup's command, made safe to run unattended.

On top of the library: one backup at a time (a lock: schedules and people may overlap);
a backup exists only once its dump and its SHA-256 (in ``NAME.metadata``) are both
durable, and never over an existing one; ``--clean`` applies the daily/weekly/monthly
retention (BACKUP_KEEP_*) to verified backups only, and only after a successful backup;
SQLite dumps are gzipped (PostgreSQL's custom format is compressed already); a failure is
logged as an error, e-mailed to ADMINS and raised, so the exit status is non-zero.
"""

import json
import os
import time

from dbbackup import utils
from dbbackup.signals import post_backup, pre_backup
from django.conf import settings
from django.core.files import File
from django.core.management.base import CommandError
from django.utils import timezone

from ....core.files import atomic_write
from ...compat import BackupCommand
from ...retention import backups_to_keep
from ...services import (
    backup_exists,
    backup_lock,
    publish_backup,
    report_failure,
    retention_settings,
    sha256_of,
    verified_backups,
)
from ...storage import publish_backup_files


class Command(BackupCommand):
    help = "Back up the database, record its SHA-256 and apply the retention policy (--clean)."

    def handle(self, **options):
        if settings.BACKUP_GZIP:
            options["compress"] = True
        try:
            with backup_lock():
                super().handle(**options)
        except Exception as exc:
            report_failure("backup", exc)
            if isinstance(exc, CommandError):
                raise
            raise CommandError(f"Database backup failed: {exc}") from exc
        self.record_success()

    def record_success(self):
        """Write the time of this success where node_exporter's textfile collector reads it."""
        path = settings.BACKUP_HEARTBEAT_FILE
        if not path:
            return
        content = (
            "# HELP db_backup_last_success_timestamp_seconds When the last backup succeeded.\n"
            "# TYPE db_backup_last_success_timestamp_seconds gauge\n"
            f"db_backup_last_success_timestamp_seconds {time.time():.0f}\n"
        )
        atomic_write(path, [content.encode()], mode=0o644, replace=True)

    def save_new_backup(self, database):
        self.logger.info("Backing Up Database: %s", database["NAME"])
        pre_backup.send(
            sender=self.__class__,
            database=database,
            connector=self.connector,
            servername=self.servername,
        )
        if self.schemas:
            self.connector.schemas = self.schemas
        started = self.connector.generate_filename(self.servername)
        dump, name = self.connector.create_dump(), started
        if self.compress:
            dump, name = utils.compress_file(dump, name)
        if self.encrypt:
            dump, name = utils.encrypt_file(dump, name)
        name = self.unused_name(started, suffix=name[len(started) :])
        digest, size = sha256_of(dump)
        metadata = {
            "engine": self.connector.connection.settings_dict["ENGINE"],
            "connector": f"{self.connector.__module__}.{self.connector.__class__.__name__}",
        }
        metadata |= {
            **utils.get_user_metadata(metadata),
            "sha256": digest,
            "size": size,
            "created": timezone.now().isoformat(),
        }
        content = json.dumps(metadata, indent=2).encode()
        if self.path and not self.path.startswith("s3://"):
            directory, name = os.path.split(os.path.abspath(self.path))
            publish_backup_files(directory, name, File(dump).chunks(), content)
        else:
            publish_backup(self.storage, self.path or name, File(dump, name=name), content)
        self.logger.info("SHA-256 %s  %s", digest, name)
        post_backup.send(
            sender=self.__class__,
            database=database,
            connector=self.connector,
            servername=self.servername,
            filename=name,
            storage=self.storage,
        )

    def unused_name(self, started, suffix):
        """The backup's name (its start time), never one a backup already has.

        Names carry the time to the second and backups are serialised by a lock, so a run
        that got the lock in the second the previous one finished waits for the next
        second. A name given with -o/-O is used as is (publishing refuses a taken one).
        """
        if self.filename or self.path:
            return self.filename or self.path
        name = started + suffix
        for _ in range(3):
            if not backup_exists(self.storage, name):
                return name
            time.sleep(1.05 - time.time() % 1)
            name = self.connector.generate_filename(self.servername) + suffix
        raise FileExistsError(f"{name} already exists in the backup storage")

    def apply_retention(self, database):
        verified, unverified = verified_backups(self.storage, database)
        for name in unverified:
            self.logger.warning(
                "Retention: %s has no matching checksum: it is not counted as a backup and "
                "left in place (delete it, or restore it knowingly: docs/BACKUP_STRATEGY.md)",
                name,
            )
        keep = backups_to_keep(verified, **retention_settings())
        for name, _ in verified:
            if name not in keep:
                self.logger.info("Retention: deleting %s", name)
                # The dump first: from then on no listing shows it, whatever happens next.
                self.storage.delete_file(name)
                self.storage.delete_file(f"{name}.metadata")
