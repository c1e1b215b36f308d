"""``manage.py dbrestore``: django-dbbackup's command, with two safety checks added.

It refuses to overwrite a database that already has tables unless ``--overwrite`` is
given, and it refuses a backup whose SHA-256 is not the one recorded when it was made,
whether it is named in the storage (``-i``), taken from a path (``-I``) or the newest
verified one. ``--skip-checksum-verification-at-my-own-risk`` restores an unverifiable
file anyway, loudly. Compressed (``.gz``) backups are recognised by their name.
"""

import logging

from dbbackup.storage import StorageError
from django.core.management.base import CommandError
from django.db import connections

from ...compat import RestoreCommand
from ...services import (
    BackupError,
    check_checksum,
    newest_verified_backup,
    read_metadata,
    read_metadata_file,
    table_names,
)

SKIP_VERIFICATION = "--skip-checksum-verification-at-my-own-risk"
logger = logging.getLogger(__name__)


class Command(RestoreCommand):
    # Set from --uncompress by django-dbbackup's handle(); a .gz name also turns it on.
    uncompress: bool
    help = (
        "Restore a database backup (the newest verified one by default). Refuses a non-empty "
        "database without --overwrite, and a backup whose checksum does not match."
    )

    def add_arguments(self, parser):
        super().add_arguments(parser)
        parser.add_argument(
            "--overwrite",
            action="store_true",
            help="Replace the contents of a database that already has tables.",
        )
        parser.add_argument(
            SKIP_VERIFICATION,
            dest="skip_verification",
            action="store_true",
            help=(
                "Restore a backup even though its SHA-256 does not match, or no checksum is "
                "recorded for it. It may be corrupted, incomplete or tampered with."
            ),
        )

    def handle(self, *args, **options):
        self.overwrite = options["overwrite"]
        self.skip_verification = options["skip_verification"]
        super().handle(*args, **options)

    def open_backup(self, database, servername):
        if self.path:
            name, metadata = self.path, read_metadata_file(self.path)
            backup = self.read_local_file(self.path)
        else:
            try:
                name = self.filename or newest_verified_backup(self.storage, database)
            except StorageError as exc:
                raise CommandError(str(exc)) from exc
            metadata = read_metadata(self.storage, name)
            backup = self.read_from_storage(name)
        try:
            self.verify(name, backup, metadata)
            self.uncompress = self.uncompress or name.endswith(".gz")
            self.refuse_non_empty_database()
        except BaseException:
            backup.close()
            raise
        return name, backup

    def verify(self, name, backup, metadata):
        """The one rule for every restore: the recorded checksum matches, or it is refused."""
        try:
            check_checksum(name, backup, metadata)
        except BackupError as exc:
            if not self.skip_verification:
                raise CommandError(
                    f"Refusing to restore: {exc}. Nothing was changed. If you must restore this "
                    f"file anyway, add {SKIP_VERIFICATION}"
                ) from exc
            warning = (
                f"WARNING: RESTORING AN UNVERIFIED BACKUP ({SKIP_VERIFICATION}): {exc}. "
                "A corrupted or tampered file can leave the database broken or wrong."
            )
            logger.warning(warning)  # on the record, wherever the logs go
            self.stderr.write(self.style.ERROR(warning))

    def refuse_non_empty_database(self):
        tables = table_names(self.database_name)
        connections[self.database_name].close()
        if tables and not self.overwrite:
            raise CommandError(
                f"Database {self.database['NAME']!r} is not empty ({len(tables)} tables); "
                "restore into an empty database, or pass --overwrite to replace its contents"
            )
