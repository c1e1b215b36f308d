"""dbbackup / dbrestore / verifybackup on the project's database (SQLite in tests).

The same commands are exercised against a real PostgreSQL by the template's own tests.
"""

import gzip
import hashlib
import json
import re
import shutil
import subprocess
import time
from datetime import datetime, timedelta

import pytest
from dbbackup import settings as dbbackup_settings
from dbbackup.db.base import BaseDBConnector
from django.core import mail
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection

from ...items.models import Item
from ..management.commands.dbrestore import SKIP_VERIFICATION
from ..services import backup_lock

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture(autouse=True)
def dump_tools(transactional_db):
    """On PostgreSQL, pg_dump must be installed and at least as new as the server."""
    if connection.vendor != "postgresql":
        return
    pg_dump = shutil.which("pg_dump")
    if not pg_dump:
        pytest.skip("pg_dump is not installed (apt-get install postgresql-client)")
    version = subprocess.run([pg_dump, "--version"], capture_output=True, text=True, check=True)
    found = re.search(r"\) (\d+)", version.stdout)
    assert found is not None, version.stdout
    client_major = int(found[1])
    # PostgreSQL's own DatabaseWrapper has it; the stubs type the connection as the base.
    server_major = connection.pg_version // 10000  # type: ignore[attr-defined]
    if client_major < server_major:
        pytest.skip(f"pg_dump {client_major} cannot dump a PostgreSQL {server_major} server")


@pytest.fixture(autouse=True)
def backup_dir(tmp_path, tmp_path_factory, monkeypatch, settings):
    monkeypatch.setattr(dbbackup_settings, "STORAGE_OPTIONS", {"location": str(tmp_path)})
    # The SQLite backup lock lives here: other test runs on this machine keep theirs.
    settings.DBBACKUP_TMP_DIR = str(tmp_path_factory.mktemp("backup-tmp"))
    settings.ADMINS = [("Ops", "ops@example.com")]
    return tmp_path


def backups(folder):
    return sorted(p for p in folder.iterdir() if not p.name.endswith(".metadata"))


def test_a_backup_records_its_sha256_beside_it(backup_dir):
    call_command("dbbackup", "--noinput")

    [backup] = backups(backup_dir)
    metadata = json.loads((backup_dir / f"{backup.name}.metadata").read_text())
    assert metadata["sha256"] == hashlib.sha256(backup.read_bytes()).hexdigest()
    assert metadata["size"] == backup.stat().st_size
    # pg_dump's custom format is compressed already; SQLite copies are gzipped.
    assert backup.name.endswith(".psql.bin" if connection.vendor == "postgresql" else ".gz")


def test_a_successful_backup_updates_the_backup_age_metric(settings, tmp_path_factory):
    metrics = tmp_path_factory.mktemp("textfile") / "db_backup.prom"
    settings.BACKUP_HEARTBEAT_FILE = str(metrics)

    call_command("dbbackup", "--noinput")

    [sample] = [line for line in metrics.read_text().splitlines() if not line.startswith("#")]
    name, value = sample.split()
    assert name == "db_backup_last_success_timestamp_seconds"
    assert abs(float(value) - time.time()) < 600


def test_a_failed_backup_raises_reports_and_leaves_no_file(backup_dir, monkeypatch):
    def broken_dump(self):
        raise RuntimeError("pg_dump: connection refused")

    monkeypatch.setattr(BaseDBConnector, "create_dump", broken_dump)
    monkeypatch.setattr("dbbackup.db.sqlite.SqliteBackupConnector.create_dump", broken_dump)

    with pytest.raises(CommandError, match="connection refused"):
        call_command("dbbackup", "--noinput")

    assert list(backup_dir.iterdir()) == []
    assert len(mail.outbox) == 1
    assert "backup failed" in mail.outbox[0].subject


def test_restore_refuses_a_database_that_has_tables(backup_dir):
    call_command("dbbackup", "--noinput")

    with pytest.raises(CommandError, match="--overwrite"):
        call_command("dbrestore", "--noinput")


def test_restore_refuses_a_corrupted_backup(backup_dir):
    call_command("dbbackup", "--noinput")
    [backup] = backups(backup_dir)
    backup.write_bytes(backup.read_bytes()[:-10] + b"0123456789")

    with pytest.raises(CommandError, match="SHA-256"):
        call_command("dbrestore", "--noinput", "--overwrite")


def test_verification_restores_the_newest_backup_and_compares_rows(backup_dir, user, capsys):
    Item.objects.create(owner=user, name="kept")
    call_command("dbbackup", "--noinput")

    call_command("verifybackup")

    output = capsys.readouterr().out
    assert "all match" in output
    assert "MISMATCH" not in output


def test_verification_fails_when_the_backup_misses_rows(backup_dir, user, capsys):
    call_command("dbbackup", "--noinput")
    Item.objects.create(owner=user, name="written after the backup")

    with pytest.raises(CommandError, match="differ from the source"):
        call_command("verifybackup")
    assert "MISMATCH" in capsys.readouterr().out


# --- Restoring from a path is verified exactly like restoring by name ---------------------


@pytest.fixture
def copied_backup(backup_dir, tmp_path_factory):
    """A verified backup copied out of the storage, as someone restoring with -I has it."""
    call_command("dbbackup", "--noinput")
    [backup] = backups(backup_dir)
    folder = tmp_path_factory.mktemp("elsewhere")
    shutil.copy(backup, folder / backup.name)
    shutil.copy(backup_dir / f"{backup.name}.metadata", folder / f"{backup.name}.metadata")
    return folder / backup.name


def tamper(path):
    data = bytearray(path.read_bytes())
    data[len(data) // 2] ^= 0xFF
    path.write_bytes(bytes(data))


def record_wrong_checksum(path):
    metadata_path = path.with_name(f"{path.name}.metadata")
    metadata = json.loads(metadata_path.read_text())
    metadata["sha256"] = "0" * 64
    metadata_path.write_text(json.dumps(metadata))


def remove_metadata(path):
    path.with_name(f"{path.name}.metadata").unlink()


def remove_checksum(path):
    metadata_path = path.with_name(f"{path.name}.metadata")
    metadata = json.loads(metadata_path.read_text())
    del metadata["sha256"]
    metadata_path.write_text(json.dumps(metadata))


@pytest.fixture
def restores(monkeypatch):
    """What reached the database connector's restore (SQLite's would overwrite the test database)."""
    restored = []

    def record(self, dump):
        restored.append(dump.read())

    monkeypatch.setattr(BaseDBConnector, "restore_dump", record)
    monkeypatch.setattr("dbbackup.db.sqlite.SqliteBackupConnector.restore_dump", record)
    return restored


@pytest.mark.parametrize(
    ("damage", "reason"),
    [
        (tamper, "SHA-256 is"),
        (record_wrong_checksum, "SHA-256 is"),
        (remove_metadata, "no SHA-256 checksum is recorded"),
        (remove_checksum, "no SHA-256 checksum is recorded"),
    ],
)
def test_restore_from_a_path_refuses_an_unverifiable_file(copied_backup, restores, damage, reason):
    damage(copied_backup)

    with pytest.raises(CommandError, match=reason) as refused:
        call_command("dbrestore", "--noinput", "--overwrite", "-I", str(copied_backup))

    assert "Nothing was changed" in str(refused.value)
    assert SKIP_VERIFICATION in str(refused.value)
    assert restores == []


def test_restore_from_a_path_restores_a_verified_file(copied_backup, restores):
    call_command("dbrestore", "--noinput", "--overwrite", "-I", str(copied_backup))

    assert len(restores) == 1


def test_the_override_restores_an_unverifiable_file_with_a_loud_warning(
    copied_backup, restores, capsys
):
    remove_metadata(copied_backup)

    call_command(
        "dbrestore", "--noinput", "--overwrite", SKIP_VERIFICATION, "-I", str(copied_backup)
    )

    assert len(restores) == 1
    warning = capsys.readouterr().err
    assert "WARNING: RESTORING AN UNVERIFIED BACKUP" in warning
    assert "no SHA-256 checksum is recorded" in warning


# --- Only verified backups count ---------------------------------------------------------


def unverified_copy(backup_dir, backup, when):
    """A dump with no metadata under a later date: what a crash or a hand copy leaves."""
    stamp = when.strftime("%Y-%m-%d-%H%M%S")
    leftover = backup_dir / re.sub(r"\d{4}-\d{2}-\d{2}-\d{6}", stamp, backup.name)
    shutil.copy(backup, leftover)
    return leftover


def test_retention_counts_only_verified_backups(backup_dir, settings):
    settings.BACKUP_KEEP_DAILY = settings.BACKUP_KEEP_WEEKLY = settings.BACKUP_KEEP_MONTHLY = 0
    call_command("dbbackup", "--noinput")
    [verified] = backups(backup_dir)
    # Dated tomorrow (another host's clock): it would be "the newest backup" if it counted.
    leftover = unverified_copy(backup_dir, verified, datetime.now() + timedelta(days=1))

    call_command("dbbackup", "--noinput", "--clean")

    newest = max(set(backups(backup_dir)) - {leftover, verified})
    assert verified_pairs(backup_dir) == [newest]
    assert leftover.exists(), "retention deletes only backups it understands"
    assert not verified.exists()


def test_restore_picks_the_newest_verified_backup(backup_dir, restores):
    call_command("dbbackup", "--noinput")
    [verified] = backups(backup_dir)
    unverified_copy(backup_dir, verified, datetime.now() + timedelta(days=1))

    call_command("dbrestore", "--noinput", "--overwrite")

    dump = verified.read_bytes()
    assert restores == [gzip.decompress(dump) if verified.name.endswith(".gz") else dump]


def test_verification_picks_the_newest_verified_backup(backup_dir, capsys):
    call_command("dbbackup", "--noinput")
    [verified] = backups(backup_dir)
    unverified_copy(backup_dir, verified, datetime.now() + timedelta(days=1))

    call_command("verifybackup")

    assert f"{verified.name}: restored" in capsys.readouterr().out


# --- Backups at the same moment ----------------------------------------------------------


def verified_pairs(backup_dir):
    """Every dump whose metadata records its exact SHA-256 and size."""
    pairs = []
    for backup in backups(backup_dir):
        metadata_path = backup_dir / f"{backup.name}.metadata"
        if metadata_path.exists():
            metadata = json.loads(metadata_path.read_text())
            if metadata.get("sha256") == hashlib.sha256(backup.read_bytes()).hexdigest():
                pairs.append(backup)
    return pairs


def test_backups_in_the_same_second_get_names_of_their_own(backup_dir):
    call_command("dbbackup", "--noinput")
    call_command("dbbackup", "--noinput")

    assert len(verified_pairs(backup_dir)) == 2
    assert verified_pairs(backup_dir) == backups(backup_dir)


def test_a_second_backup_under_a_taken_name_fails_and_keeps_the_first(backup_dir):
    call_command("dbbackup", "--noinput", "-o", "fixed-name.backup")
    before = {p.name: p.read_bytes() for p in backup_dir.iterdir()}

    with pytest.raises(CommandError, match="never overwritten"):
        call_command("dbbackup", "--noinput", "-o", "fixed-name.backup")

    assert {p.name: p.read_bytes() for p in backup_dir.iterdir()} == before


def test_a_backup_waits_for_the_lock_and_gives_up_loudly(backup_dir, settings):
    settings.BACKUP_TIME_LIMIT = 0.5

    with backup_lock(), pytest.raises(CommandError, match="another backup has held"):
        call_command("dbbackup", "--noinput")

    assert list(backup_dir.iterdir()) == []
    with backup_lock(timeout=0):
        pass  # released by the failed run


def test_any_django_storage_gets_the_dump_and_its_metadata(backup_dir, monkeypatch):
    monkeypatch.setattr(dbbackup_settings, "STORAGE", "django.core.files.storage.FileSystemStorage")

    call_command("dbbackup", "--noinput")

    assert len(verified_pairs(backup_dir)) == 1
