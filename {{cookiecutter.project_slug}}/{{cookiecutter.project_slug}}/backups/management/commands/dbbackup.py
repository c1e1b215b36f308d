"""``manage.py dbbackup``: django-dbbackup's command, made safe to run unattended.

On top of the library: the SHA-256 of every backup is recorded in its ``.metadata`` file;
``--clean`` applies the daily/weekly/monthly retention (BACKUP_KEEP_*) and only after a
successful backup, so the newest good backup is never deleted; SQLite dumps are gzipped
(PostgreSQL's custom format is compressed already); a failure is logged as an error,
e-mailed to ADMINS and raised, so the exit status is non-zero.
"""

import json
import os
import tempfile
import time
from shutil import copyfileobj

from dbbackup import utils
from dbbackup.management.commands import dbbackup
from django.conf import settings
from django.core.files.base import ContentFile
from django.core.management.base import CommandError
from django.utils import timezone

from ...retention import backups_to_keep
from ...services import report_failure, retention_settings, sha256_of


class Command(dbbackup.Command):
    help = "Back up the database, record its SHA-256 and apply the retention policy (--clean)."

    def handle(self, **options):
        self.checksums = {}
        if settings.BACKUP_GZIP:
            options["compress"] = True
        try:
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
        descriptor, temporary_path = tempfile.mkstemp(dir=os.path.dirname(os.path.abspath(path)))
        with os.fdopen(descriptor, "w") as output:
            output.write(content)
        os.chmod(temporary_path, 0o644)
        os.replace(temporary_path, path)  # the collector never reads a half-written file

    def write_to_storage(self, file, path):
        if not path.endswith(".metadata"):
            self.checksums[path] = sha256_of(file)
        super().write_to_storage(file, path)

    def write_local_file(self, outputfile, path):
        # Same guarantee as the storage: a complete file under the final name, or nothing.
        self.checksums[path] = sha256_of(outputfile)
        directory = os.path.dirname(os.path.abspath(path))
        descriptor, temporary_path = tempfile.mkstemp(prefix=".incomplete-", dir=directory)
        try:
            with os.fdopen(descriptor, "wb") as output:
                copyfileobj(outputfile, output)
                output.flush()
                os.fsync(output.fileno())
            os.replace(temporary_path, path)
        except BaseException:
            if os.path.exists(temporary_path):
                os.unlink(temporary_path)
            raise

    def _save_metadata(self, filename, local=False):
        digest, size = self.checksums[filename]
        metadata = {
            "engine": self.connector.connection.settings_dict["ENGINE"],
            "connector": f"{self.connector.__module__}.{self.connector.__class__.__name__}",
            "sha256": digest,
            "size": size,
            "created": timezone.now().isoformat(),
        }
        content = json.dumps(metadata, indent=2).encode()
        if local:
            with open(f"{filename}.metadata", "wb") as output:
                output.write(content)
        else:
            self.write_to_storage(ContentFile(content), f"{filename}.metadata")
        self.logger.info("SHA-256 %s  %s", digest, filename)

    def _cleanup_old_backups(self, database=None, servername=None):
        names = self.storage.list_backups(content_type="db", database=database)
        dated = [(name, utils.filename_to_date(name)) for name in names]
        keep = backups_to_keep(dated, **retention_settings())
        for name, _ in dated:
            if name not in keep:
                self.logger.info("Retention: deleting %s", name)
                self.storage.delete_file(name)
                self.storage.delete_file(f"{name}.metadata")
