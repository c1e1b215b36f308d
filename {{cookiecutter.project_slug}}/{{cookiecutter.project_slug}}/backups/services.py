"""Backups: checksums, failure reports, restore safety and restore-based verification.

django-dbbackup makes and restores the dumps (``pg_dump --format=custom`` for PostgreSQL,
SQLite's online backup API for SQLite); this module adds what makes a backup trustworthy.
"""

import contextlib
import hashlib
import json
import logging
import secrets
import shutil
import tempfile
import traceback
from dataclasses import dataclass
from pathlib import Path

from dbbackup import utils
from dbbackup.db.base import get_connector
from dbbackup.storage import get_storage
from django.conf import settings
from django.core.mail import mail_admins
from django.db import connections
from django.db.utils import load_backend

logger = logging.getLogger(__name__)
CHUNK_SIZE = 1024 * 1024


class BackupError(Exception):
    """A backup that cannot be trusted, or an operation that would lose data."""


def sha256_of(fileobj):
    """(hex digest, size) of a file object, read in chunks (memory does not grow with it)."""
    fileobj.seek(0)
    digest, size = hashlib.sha256(), 0
    while chunk := fileobj.read(CHUNK_SIZE):
        digest.update(chunk)
        size += len(chunk)
    fileobj.seek(0)
    return digest.hexdigest(), size


def read_metadata(storage, name):
    """The JSON recorded beside a backup (``NAME.metadata``), or {} when there is none."""
    try:
        with storage.read_file(f"{name}.metadata") as metadata:
            return json.load(metadata)
    except (OSError, ValueError):
        return {}


def check_checksum(storage, name, fileobj):
    """Raise BackupError unless the file's SHA-256 is the one recorded when it was made."""
    expected = read_metadata(storage, name).get("sha256")
    if not expected:
        raise BackupError(f"{name}: no SHA-256 checksum is recorded in {name}.metadata")
    actual, _ = sha256_of(fileobj)
    if actual != expected:
        raise BackupError(
            f"{name}: SHA-256 is {actual}, but {expected} was recorded when it was made: "
            "the file is corrupted or incomplete"
        )


def report_failure(action, exc):
    """Log the failure (error tracking sees error logs) and e-mail ADMINS; the caller re-raises."""
    logger.error("Database %s failed: %s", action, exc, exc_info=exc)
    mail_admins(
        f"Database {action} failed",
        "".join(traceback.format_exception(exc)),
        fail_silently=True,
    )


def table_names(alias):
    connection = connections[alias]
    with connection.cursor() as cursor:
        return connection.introspection.table_names(cursor)


def row_counts(connection):
    """{table: number of rows} for every table of a database."""
    counts = {}
    with connection.cursor() as cursor:
        for table in connection.introspection.table_names(cursor):
            # The name comes from the database's own catalogue and is quoted.
            cursor.execute(f"SELECT COUNT(*) FROM {connection.ops.quote_name(table)}")  # noqa: S608
            counts[table] = cursor.fetchone()[0]
    return counts


@contextlib.contextmanager
def scratch_database(alias):
    """A new, empty database next to ``alias`` (same server, or a temporary SQLite file).

    Yields a connector (django-dbbackup's, for the source's engine) whose connection points
    at it; the database is dropped afterwards. On PostgreSQL the user needs CREATEDB.
    """
    source = connections[alias]
    connector = get_connector(alias)
    token = secrets.token_hex(4)
    # The connector's settings include BACKUP_DATABASE_URL (a direct connection) when set.
    scratch = dict(connector.settings)
    scratch["OPTIONS"] = {k: v for k, v in (scratch.get("OPTIONS") or {}).items() if k != "pool"}
    scratch["CONN_MAX_AGE"] = 0
    folder = None
    if source.vendor == "postgresql":
        scratch["NAME"] = f"{scratch['NAME'][:40]}_verify_{token}"
        with source.cursor() as cursor:
            cursor.execute(f"CREATE DATABASE {source.ops.quote_name(scratch['NAME'])}")
    else:
        folder = Path(tempfile.mkdtemp(prefix="backup-verify-"))
        scratch["NAME"] = str(folder / "scratch.sqlite3")
    # A connection of its own, outside django.db.connections: nothing else can pick it up.
    connector.connection = load_backend(scratch["ENGINE"]).DatabaseWrapper(scratch, "backup_verify")
    connector._settings = scratch  # what the dump tools connect to (django-dbbackup 5.x)
    try:
        yield connector
    finally:
        connector.connection.close()
        if folder:
            shutil.rmtree(folder, ignore_errors=True)
        else:
            with source.cursor() as cursor:
                name = source.ops.quote_name(scratch["NAME"])
                cursor.execute(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")


@dataclass
class Verification:
    name: str
    tables: dict  # table -> (rows in the source, rows in the restored copy)

    @property
    def mismatches(self):
        return {table: rows for table, rows in self.tables.items() if rows[0] != rows[1]}


def verify_backup(name=None, database="default"):
    """Restore a backup (the newest by default) into a scratch database and compare it.

    Checks the recorded SHA-256 first, then the row count of every table against the
    source database. The scratch database is dropped whatever happens.
    """
    storage = get_storage()
    name = name or storage.get_latest_backup(content_type="db", database=database)
    backup = storage.read_file(name)
    try:
        check_checksum(storage, name, backup)
        if name.endswith(".gz"):
            backup, _ = utils.uncompress_file(backup, name)
        with scratch_database(database) as scratch:
            backup.seek(0)
            scratch.restore_dump(backup)
            restored = row_counts(scratch.connection)
    finally:
        backup.close()
    source = row_counts(connections[database])
    tables = {
        table: (source.get(table), restored.get(table)) for table in sorted(source | restored)
    }
    return Verification(name=name, tables=tables)


def retention_settings():
    return {
        "daily": settings.BACKUP_KEEP_DAILY,
        "weekly": settings.BACKUP_KEEP_WEEKLY,
        "monthly": settings.BACKUP_KEEP_MONTHLY,
    }
