"""Backups: checksums, failure reports, restore safety and restore-based verification.

django-dbbackup makes and restores the dumps (``pg_dump --format=custom`` for PostgreSQL,
SQLite's online backup API for SQLite); this module adds what makes a backup trustworthy.
"""

import contextlib
import fcntl
import hashlib
import json
import logging
import secrets
import shutil
import tempfile
import time
import traceback
from dataclasses import dataclass
from pathlib import Path

from dbbackup import utils
from dbbackup.db.base import get_connector
from dbbackup.storage import StorageError, get_storage
from django.conf import settings
from django.core.files.base import ContentFile
from django.core.mail import mail_admins
from django.db import OperationalError, connections
from django.db.utils import load_backend

from .compat import point_connector_at

logger = logging.getLogger(__name__)
CHUNK_SIZE = 1024 * 1024
# pg_advisory_xact_lock key of "a backup is running" (advisory locks are per database).
BACKUP_LOCK_ID = 0x6462_6261_636B_7570  # "dbbackup"


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
    """The JSON recorded beside a backup in storage (``NAME.metadata``), or {} when there is none."""
    try:
        with storage.read_file(f"{name}.metadata") as metadata:
            return json.load(metadata)
    except (OSError, ValueError):
        return {}


def read_metadata_file(path):
    """The JSON recorded beside a backup file on disk (``PATH.metadata``), or {}."""
    try:
        with open(f"{path}.metadata", "rb") as metadata:
            return json.load(metadata)
    except (OSError, ValueError):
        return {}


def check_checksum(name, fileobj, metadata):
    """Raise BackupError unless the file's SHA-256 is the one recorded when it was made."""
    expected = metadata.get("sha256")
    if not expected:
        raise BackupError(
            f"{name}: no SHA-256 checksum is recorded for it ({name}.metadata is missing or has "
            "none), so nothing proves it is a complete, untampered backup"
        )
    actual, _ = sha256_of(fileobj)
    if actual != expected:
        raise BackupError(
            f"{name}: SHA-256 is {actual}, but {expected} was recorded when it was made: "
            "the file is corrupted, incomplete or was changed"
        )


def is_verified(storage, name):
    """A dump counts as a backup only beside a recorded checksum for exactly its size.

    (The size is checked, not the hash: listing must stay cheap; restores hash the file.)
    """
    metadata = read_metadata(storage, name)
    return bool(metadata.get("sha256")) and metadata.get("size") == storage.storage.size(name)


def verified_backups(storage, database=None):
    """(verified [(name, datetime)], names of other dated files that look like backups)."""
    verified, unverified = [], []
    for name in storage.list_backups(content_type="db", database=database):
        if is_verified(storage, name):
            verified.append((name, utils.filename_to_date(name)))
        else:
            unverified.append(name)
    return verified, unverified


def newest_verified_backup(storage, database=None):
    verified, _ = verified_backups(storage, database)
    if not verified:
        raise StorageError("There is no verified backup (a dump with its checksum) in the storage.")
    return max(verified, key=lambda backup: backup[1])[0]


def backup_exists(storage, name):
    """True when the name, or its metadata, is taken: a new backup must not reuse it."""
    return storage.storage.exists(name) or storage.storage.exists(f"{name}.metadata")


def publish_backup(storage, name, dump, metadata):
    """Make a dump and its metadata visible together, never over an existing backup.

    The project's filesystem storage does it with staged, fsynced files and hard links.
    Any other storage (S3...) makes each upload visible only once complete: the metadata
    goes first, so a listed dump always has its checksum, and is removed if the dump fails.
    """
    backend = storage.storage
    if hasattr(backend, "publish_backup"):
        backend.publish_backup(name, dump, metadata)
        return
    if backup_exists(storage, name):
        raise FileExistsError(
            f"{name} already exists in the backup storage: it is never overwritten"
        )
    backend.save(f"{name}.metadata", ContentFile(metadata))
    try:
        saved = backend.save(name, dump)
        if saved != name:
            backend.delete(saved)
            raise FileExistsError(f"{name} appeared in the backup storage while this backup ran")
    except BaseException:
        backend.delete(f"{name}.metadata")
        raise


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


def direct_settings(alias):
    """A database's settings as pg_dump uses them: BACKUP_DATABASE_URL's when set, no pool."""
    params = dict(get_connector(alias).settings)
    params["OPTIONS"] = {k: v for k, v in (params.get("OPTIONS") or {}).items() if k != "pool"}
    params["CONN_MAX_AGE"] = 0
    return params


def own_connection(params, alias):
    """A connection outside django.db.connections: nothing else can pick it up."""
    return load_backend(params["ENGINE"]).DatabaseWrapper(params, alias)


def backup_lock(alias="default", timeout=None):
    """One backup at a time, whoever starts it (a scheduler, cron, a person), or BackupError.

    PostgreSQL: an advisory lock in the database itself, so processes on different hosts
    serialise too. Other engines: an fcntl lock file in BACKUP_TMP_DIR. Both are released
    when the process dies. A run that waits longer than ``timeout`` seconds gives up.
    """
    timeout = settings.BACKUP_TIME_LIMIT if timeout is None else timeout
    if connections[alias].vendor == "postgresql":
        return advisory_lock(alias, timeout)
    name = f"{settings.DBBACKUP_HOSTNAME}-{alias}-backup.lock"
    return file_lock(Path(settings.DBBACKUP_TMP_DIR) / name, timeout)


@contextlib.contextmanager
def advisory_lock(alias, timeout):
    # Transaction-level, on a connection of its own (the one pg_dump uses): a pooler in
    # transaction mode keeps the transaction on one server session, so it cannot hand the
    # lock to another client, as it would a session-level lock.
    connection = own_connection(direct_settings(alias), "backup_lock")
    try:
        connection.set_autocommit(False)  # connects: a wrong password fails here, as itself
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT set_config('lock_timeout', %s, true)", [str(max(1, int(timeout * 1000)))]
            )
            try:
                cursor.execute("SELECT pg_advisory_xact_lock(%s)", [BACKUP_LOCK_ID])
            except OperationalError as exc:
                raise BackupError(
                    f"another backup has held the backup lock for over {timeout}s"
                ) from exc
        yield
    finally:
        connection.close()  # ends the transaction, and with it the lock


@contextlib.contextmanager
def file_lock(path, timeout):
    with open(path, "a") as lock_file:
        deadline = time.monotonic() + timeout
        while True:
            try:
                fcntl.flock(lock_file, fcntl.LOCK_EX | fcntl.LOCK_NB)
                break
            except BlockingIOError:
                if time.monotonic() > deadline:
                    raise BackupError(
                        f"another backup has held {path} for over {timeout}s"
                    ) from None
                time.sleep(0.2)
        yield  # closing the file releases the lock


@contextlib.contextmanager
def scratch_database(alias):
    """A new, empty database next to ``alias`` (same server, or a temporary SQLite file).

    Yields a connector (django-dbbackup's, for the source's engine) whose connection points
    at it; the database is dropped afterwards. On PostgreSQL the user needs CREATEDB.
    """
    source = connections[alias]
    connector = get_connector(alias)
    token = secrets.token_hex(4)
    scratch = direct_settings(alias)
    folder = None
    if source.vendor == "postgresql":
        scratch["NAME"] = f"{scratch['NAME'][:40]}_verify_{token}"
        with source.cursor() as cursor:
            cursor.execute(f"CREATE DATABASE {source.ops.quote_name(scratch['NAME'])}")
    else:
        folder = Path(tempfile.mkdtemp(prefix="backup-verify-"))
        scratch["NAME"] = str(folder / "scratch.sqlite3")
    connector.connection = own_connection(scratch, "backup_verify")
    point_connector_at(connector, scratch)
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
    name = name or newest_verified_backup(storage, database)
    backup = storage.read_file(name)
    try:
        check_checksum(name, backup, read_metadata(storage, name))
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
