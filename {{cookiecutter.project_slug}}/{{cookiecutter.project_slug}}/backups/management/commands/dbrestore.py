"""``manage.py dbrestore``: django-dbbackup's command, with two safety checks added.

It refuses to overwrite a database that already has tables unless ``--overwrite`` is
given, and it refuses a backup whose SHA-256 differs from the one recorded when it was
made. Compressed (``.gz``) backups are recognised by their name; ``-z`` is not needed.
"""

from dbbackup.management.commands import dbrestore
from dbbackup.storage import StorageError
from django.core.management.base import CommandError
from django.db import connections

from ...services import BackupError, check_checksum, table_names


class Command(dbrestore.Command):
    help = (
        "Restore a database backup (the newest by default). Refuses a non-empty database "
        "without --overwrite, and a backup whose checksum does not match."
    )

    def add_arguments(self, parser):
        super().add_arguments(parser)
        parser.add_argument(
            "--overwrite",
            action="store_true",
            help="Replace the contents of a database that already has tables.",
        )

    def handle(self, *args, **options):
        self.overwrite = options["overwrite"]
        super().handle(*args, **options)

    def _get_backup_file(self, database=None, servername=None):
        if self.path:
            name, backup = self.path, self.read_local_file(self.path)
        else:
            try:
                name = self.filename or self.storage.get_latest_backup(
                    content_type=self.content_type, database=database, servername=servername
                )
            except StorageError as exc:
                raise CommandError(str(exc)) from exc
            backup = self.read_from_storage(name)
            try:
                check_checksum(self.storage, name, backup)
            except BackupError as exc:
                raise CommandError(str(exc)) from exc
        self.uncompress = self.uncompress or name.endswith(".gz")
        self._refuse_non_empty_database()
        return name, backup

    def _refuse_non_empty_database(self):
        tables = table_names(self.database_name)
        connections[self.database_name].close()
        if tables and not self.overwrite:
            raise CommandError(
                f"Database {self.database['NAME']!r} is not empty ({len(tables)} tables); "
                "restore into an empty database, or pass --overwrite to replace its contents"
            )
