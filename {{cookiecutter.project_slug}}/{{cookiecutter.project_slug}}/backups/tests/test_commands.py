"""dbbackup / dbrestore / verifybackup on the project's database (SQLite in tests).

The same commands are exercised against a real PostgreSQL by the template's own tests.
"""

import hashlib
import json
import re
import shutil
import subprocess
import time

import pytest
from dbbackup import settings as dbbackup_settings
from dbbackup.db.base import BaseDBConnector
from django.core import mail
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection

from ...items.models import Item

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
    client_major = int(re.search(r"\) (\d+)", version.stdout)[1])
    server_major = connection.pg_version // 10000
    if client_major < server_major:
        pytest.skip(f"pg_dump {client_major} cannot dump a PostgreSQL {server_major} server")


@pytest.fixture(autouse=True)
def backup_dir(tmp_path, monkeypatch, settings):
    monkeypatch.setattr(dbbackup_settings, "STORAGE_OPTIONS", {"location": str(tmp_path)})
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
