"""Data safety against real servers: connection pooling, Celery, verified backups.

PostgreSQL (with password authentication), PgBouncer, Redis, gunicorn and a Celery worker
are all real processes; nothing here is mocked.
"""

import concurrent.futures
import hashlib
import json
import os
import re
import shutil
import subprocess
import tempfile
import time
import urllib.error
import urllib.request
from datetime import datetime, timedelta
from pathlib import Path

import pytest

from .support.celery_worker import CeleryWorker
from .support.data_safety import PASSWORD, PasswordPostgres, PgBouncer
from .support.edge import Gunicorn
from .support.project import clean_env, production_env
from .support.rehearsal import SmallDisk
from .support.tools import unavailable

SLUG = "routex"
SEED = """
import django; django.setup()
from django.contrib.auth import get_user_model
from routex.items.models import Item
owner = get_user_model().objects.create_user("owner", password="correct-horse-9")
for i in range(50):
    Item.objects.create(owner=owner, name=f"item {i} \\u00e9\\u4e2d", description="x" * i)
"""
PEAK_SAMPLER = """
import sys, time, pathlib, psycopg
dsn, database, stop = sys.argv[1], sys.argv[2], pathlib.Path(sys.argv[3])
peak = 0
with psycopg.connect(dsn, autocommit=True) as conn:
    while not stop.exists():
        row = conn.execute(
            "SELECT count(*) FROM pg_stat_activity WHERE datname = %s AND backend_type = 'client backend'",
            (database,),
        ).fetchone()
        peak = max(peak, row[0])
        time.sleep(0.005)
print(peak)
"""


@pytest.fixture(scope="module")
def pg():
    server = PasswordPostgres().start()
    yield server
    server.stop()


def served_env(database_url, redis_url, **extra):
    """Production on these services, served over plain HTTP on 127.0.0.1."""
    return production_env(
        DJANGO_ALLOWED_HOSTS="127.0.0.1,localhost",
        DJANGO_SECURE_SSL_REDIRECT="false",
        DJANGO_ERROR_EMAILS="false",
        DJANGO_STATIC_REQUIRE_MANIFEST="false",
        DATABASE_URL=database_url,
        REDIS_URL=redis_url,
        **extra,
    )


def get(url):
    try:
        with urllib.request.urlopen(url, timeout=30) as response:
            response.read()
            return response.status
    except urllib.error.HTTPError as exc:
        return exc.code
    except OSError as exc:
        return repr(exc)


def hammer(url, clients, requests_each):
    with concurrent.futures.ThreadPoolExecutor(clients) as pool:
        return list(pool.map(lambda _: get(url), range(clients * requests_each)))


def backups_in(folder):
    return sorted(p.name for p in Path(folder).iterdir() if not p.name.endswith(".metadata"))


def verified_pairs(folder):
    """Names of the dumps whose metadata records exactly their SHA-256 and size."""
    pairs = []
    for name in backups_in(folder):
        metadata_path = Path(folder) / f"{name}.metadata"
        if metadata_path.exists():
            data = (Path(folder) / name).read_bytes()
            metadata = json.loads(metadata_path.read_text())
            if (metadata.get("sha256"), metadata.get("size")) == (hashlib.sha256(data).hexdigest(), len(data)):
                pairs.append(name)
    return pairs


def snapshot(folder):
    """Every file of a folder, hidden ones too, with its content."""
    return {p.name: p.read_bytes() for p in Path(folder).iterdir()}


def renamed_to(name, when):
    return re.sub(r"\d{4}-\d{2}-\d{2}-\d{6}", when.strftime("%Y-%m-%d-%H%M%S"), name)


def move_pair(folder, name, new_name):
    (folder / name).rename(folder / new_name)
    (folder / f"{name}.metadata").rename(folder / f"{new_name}.metadata")


# --- Connection pooling -------------------------------------------------------------


def test_the_pool_bounds_server_connections_and_survives_a_postgres_restart(bake, pg, redis_server):
    project = bake(db_pooling="psycopg_pool", use_throttling=False)  # no 429s under load
    env = served_env(
        pg.create_database("pooled"), redis_server.url(2),
        DATABASE_POOL_MIN_SIZE="1", DATABASE_POOL_MAX_SIZE="2", GUNICORN_THREADS="8",
    )  # fmt: skip
    project.manage("migrate", "--noinput", env=env)
    project.run("python", "-c", SEED, env=env)
    workers, max_size = 2, 2
    server = Gunicorn(project, env, workers=workers)
    server.env["GUNICORN_ACCESS_LOG"] = ""
    server.start()
    stop = Path(tempfile.mkdtemp()) / "stop"
    sampler = subprocess.Popen(
        [str(project.venv / "bin" / "python"), "-c", PEAK_SAMPLER, pg.url("postgres"), "pooled", str(stop)],
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        url = f"http://127.0.0.1:{server.port}/api/v1/items/"
        statuses = hammer(url, clients=24, requests_each=10)
        stop.touch()
        peak = int(sampler.communicate(timeout=30)[0])

        assert statuses.count(200) == len(statuses), set(statuses)
        assert 1 <= peak <= workers * max_size

        pg.restart()
        after = hammer(url, clients=8, requests_each=5)
        assert after.count(200) == len(after), f"{set(after)}\n{server.log.read_text()[-3000:]}"
    finally:
        stop.touch()
        sampler.kill()
        server.stop()


@pytest.mark.parametrize(
    ("variable", "value"),
    [("DATABASE_POOL_MAX_SIZE", "ten"), ("DATABASE_POOL_MIN_SIZE", "20"), ("DATABASE_POOL_TIMEOUT", "soon")],
)
def test_bad_pool_configuration_fails_at_start_up_naming_the_variable(bake, pg, variable, value):
    project = bake(db_pooling="psycopg_pool")
    env = served_env(pg.url(), "redis://127.0.0.1:1/0", **{variable: value})

    result = project.manage("check", env=env, check=False)

    assert result.returncode != 0
    assert variable in result.stderr
    assert "ImproperlyConfigured" in result.stderr


def test_the_app_works_through_pgbouncer_in_transaction_mode(bake, pg, redis_server):
    project = bake(db_pooling="pgbouncer", use_throttling=False)
    direct = pg.create_database("bounced")
    env = served_env(direct, redis_server.url(3), GUNICORN_THREADS="4")
    project.manage("migrate", "--noinput", env=env)
    project.run("python", "-c", SEED, env=env)
    bouncer = PgBouncer(project.path / "deploy/pgbouncer/pgbouncer.ini", pg, "bounced").start(pool_size=2)
    env["DATABASE_URL"] = bouncer.url()
    # Many more client connections than server connections, each running the same
    # queries over and over: prepared statements or server-side cursors would break.
    server = Gunicorn(project, env, workers=3)
    server.env["GUNICORN_ACCESS_LOG"] = ""
    server.start()
    try:
        statuses = hammer(f"http://127.0.0.1:{server.port}/api/v1/items/", clients=12, requests_each=10)
        iterate = project.run(
            "python", "-c",
            "import django; django.setup()\n"
            "from django.db import transaction\n"
            "from routex.items.models import Item\n"
            "for _ in range(20):\n"
            "    assert len(list(Item.objects.iterator(chunk_size=7))) == 50\n"
            "    with transaction.atomic():\n"
            "        assert len(list(Item.objects.iterator(chunk_size=7))) == 50\n"
            "print('ok')\n",
            env=env,
        )  # fmt: skip
    finally:
        server.stop()
        bouncer.stop()

    assert statuses.count(200) == len(statuses), f"{set(statuses)}\n{server.log.read_text()[-3000:]}"
    assert iterate.stdout.strip() == "ok"


# --- Celery -------------------------------------------------------------------------


def test_a_real_worker_runs_tasks_and_scheduled_backups_end_to_end(bake, pg, redis_server, tmp_path):
    project = bake()
    env = served_env(pg.create_database("celery"), redis_server.url(4), BACKUP_DIR=str(tmp_path))
    project.manage("migrate", "--noinput", env=env)

    schedule = project.run(
        "python", "-c",
        "import django; django.setup(); from django.conf import settings; "
        "print(sorted(e['task'] for e in settings.CELERY_BEAT_SCHEDULE.values()))",
        env=env,
    ).stdout  # fmt: skip
    assert "maintenance.backup_database" in schedule
    assert "maintenance.verify_backup" in schedule

    with CeleryWorker(project, env) as worker:
        assert worker.run_task(f"{SLUG}.core.tasks.ping") == "'pong'"
        worker.run_task(f"{SLUG}.backups.tasks.backup_database")
        worker.run_task(f"{SLUG}.backups.tasks.verify_backup")
        queues = worker.celery("inspect", "active_queues", "--timeout", "5").stdout
        log = worker.log.read_text()

    assert "'maintenance'" in queues and "'default'" in queues
    assert "maintenance.backup_database" in log
    assert len(backups_in(tmp_path)) >= 1


# --- Backups ------------------------------------------------------------------------


@pytest.fixture
def backed_up(bake, pg, tmp_path):
    """A project on a seeded PostgreSQL database, and one backup of it in BACKUP_DIR."""
    project = bake()
    name = f"shop_{os.urandom(3).hex()}"
    env = served_env(pg.create_database(name), "redis://127.0.0.1:1/0", BACKUP_DIR=str(tmp_path / "backups"))
    project.manage("migrate", "--noinput", env=env)
    project.run("python", "-c", SEED, env=env)
    project.manage("dbbackup", "--noinput", env=env)
    return project, env, name, tmp_path / "backups"


def dumpdata(project, env):
    return json.loads(project.manage("dumpdata", "--natural-foreign", "--indent", "0", env=env).stdout)


def test_backup_then_drop_then_restore_gives_identical_data(backed_up, pg):
    project, env, name, _ = backed_up
    before = dumpdata(project, env)

    pg.create_database(name)  # dropped and created empty
    project.manage("dbrestore", "--noinput", env=env)

    assert dumpdata(project, env) == before
    created = project.run(
        "python", "-c",
        "import django; django.setup()\n"
        "from routex.items.models import Item\n"
        "print(Item.objects.create(owner_id=1, name='after restore').pk)",
        env=env,
    )  # fmt: skip
    assert int(created.stdout) == 51  # sequences restored too


def test_a_backup_has_its_sha256_recorded_beside_it(backed_up):
    _, _, _, folder = backed_up
    [backup] = backups_in(folder)

    metadata = json.loads((folder / f"{backup}.metadata").read_text())

    assert metadata["sha256"] == hashlib.sha256((folder / backup).read_bytes()).hexdigest()
    assert backup.endswith(".psql.bin")  # pg_dump custom format
    assert (folder / backup).read_bytes()[:5] == b"PGDMP"


def test_restore_refuses_a_non_empty_database_without_an_explicit_flag(backed_up):
    project, env, _, _ = backed_up

    refused = project.manage("dbrestore", "--noinput", env=env, check=False)
    assert refused.returncode != 0
    assert "--overwrite" in refused.stderr

    project.manage("dbrestore", "--noinput", "--overwrite", env=env)


def test_verification_restores_the_newest_backup_and_compares_every_table(backed_up, pg):
    project, env, _, _ = backed_up

    result = project.manage("verifybackup", env=env)

    assert "all match" in result.stdout
    assert "items_item: source 50, restored 50" in result.stdout
    leftovers = pg.psql("SELECT count(*) FROM pg_database WHERE datname LIKE '%verify%'")
    assert leftovers == "0", "the scratch database was not dropped"


def test_verification_catches_a_corrupted_backup(backed_up, pg):
    project, env, _, folder = backed_up
    [backup] = backups_in(folder)
    data = bytearray((folder / backup).read_bytes())
    data[len(data) // 2] ^= 0xFF
    (folder / backup).write_bytes(bytes(data))

    result = project.manage("verifybackup", env=env, check=False)

    assert result.returncode != 0
    assert "SHA-256" in result.stderr
    assert pg.psql("SELECT count(*) FROM pg_database WHERE datname LIKE '%verify%'") == "0"


def test_verification_catches_a_backup_that_does_not_restore(backed_up):
    # A file whose recorded checksum matches, but which is not a complete dump.
    project, env, _, folder = backed_up
    [backup] = backups_in(folder)
    truncated = (folder / backup).read_bytes()[:2000]
    (folder / backup).write_bytes(truncated)
    metadata = json.loads((folder / f"{backup}.metadata").read_text())
    metadata["sha256"] = hashlib.sha256(truncated).hexdigest()
    (folder / f"{backup}.metadata").write_text(json.dumps(metadata))

    result = project.manage("verifybackup", env=env, check=False)

    assert result.returncode != 0


def test_a_failing_pg_dump_leaves_no_file_and_the_previous_backup_intact(backed_up, pg):
    project, env, name, folder = backed_up
    before = {p.name: p.read_bytes() for p in folder.iterdir()}

    wrong = {**env, "DATABASE_URL": pg.url(name, password="wrong-password")}
    result = project.manage("dbbackup", "--noinput", "--clean", env=wrong, check=False)

    assert result.returncode != 0
    assert "password authentication failed" in result.stderr
    assert {p.name: p.read_bytes() for p in folder.iterdir()} == before
    assert not [p for p in folder.iterdir() if p.name.startswith(".")]


def test_the_backup_script_works_from_cron_with_no_environment(backed_up):
    project, env, _, folder = backed_up
    (project.path / ".venv").symlink_to(project.venv)
    settings = {k: v for k, v in env.items() if k != "DJANGO_READ_DOT_ENV_FILE"}
    with (project.path / ".env").open("a") as dotenv:
        dotenv.writelines(f"{key}={value}\n" for key, value in settings.items())
    script = project.path / "scripts" / "backup_database.sh"
    cron_like = {"PATH": "/usr/bin:/bin", "HOME": "/nonexistent", "SHELL": "/bin/sh"}

    [first] = backups_in(folder)
    time.sleep(1.1)  # backup names carry the time to the second
    ok = subprocess.run([str(script), "--verify"], cwd="/", env=cron_like, capture_output=True, text=True, check=False)
    assert ok.returncode == 0, ok.stderr[-3000:]
    assert "all match" in ok.stdout
    # Retention keeps the newest backup of each day: the new one replaced the first.
    [newest] = backups_in(folder)
    assert newest > first

    dotenv_text = (project.path / ".env").read_text().replace(PASSWORD, "wrong-password")
    (project.path / ".env").write_text(dotenv_text)
    failed = subprocess.run([str(script)], cwd="/", env=cron_like, capture_output=True, text=True, check=False)
    assert failed.returncode != 0
    assert "password authentication failed" in failed.stderr
    assert backups_in(folder) == [newest]


SKIP_VERIFICATION = "--skip-checksum-verification-at-my-own-risk"
ADD_ITEM = (
    "import django; django.setup()\n"
    "from routex.items.models import Item\n"
    "Item.objects.create(owner_id=1, name='written after the backup')\n"
)


def damaged_copies(folder, backup, into):
    """The backup copied out of the storage four times, each made unverifiable differently."""
    copies = {}
    for damage in ("tampered", "wrong checksum", "no metadata", "no checksum"):
        target = into / damage.replace(" ", "-")
        target.mkdir(parents=True)
        shutil.copy(folder / backup, target / backup)
        shutil.copy(folder / f"{backup}.metadata", target / f"{backup}.metadata")
        dump, metadata_path = target / backup, target / f"{backup}.metadata"
        metadata = json.loads(metadata_path.read_text())
        if damage == "tampered":
            data = bytearray(dump.read_bytes())
            data[len(data) // 2] ^= 0xFF
            dump.write_bytes(bytes(data))
        elif damage == "wrong checksum":
            metadata_path.write_text(json.dumps({**metadata, "sha256": "0" * 64}))
        elif damage == "no metadata":
            metadata_path.unlink()
        else:
            metadata_path.write_text(json.dumps({k: v for k, v in metadata.items() if k != "sha256"}))
        copies[damage] = dump
    return copies


def test_restore_from_a_path_is_verified_exactly_like_a_restore_by_name(backed_up, tmp_path):
    project, env, _, folder = backed_up
    [backup] = backups_in(folder)
    copies = damaged_copies(folder, backup, tmp_path / "copies")
    project.run("python", "-c", ADD_ITEM, env=env)
    current = dumpdata(project, env)

    for damage, path in copies.items():
        refused = project.manage("dbrestore", "--noinput", "--overwrite", "-I", str(path), env=env, check=False)
        assert refused.returncode != 0, f"{damage}: restored with exit 0"
        reason = "SHA-256 is" if damage in ("tampered", "wrong checksum") else "no SHA-256 checksum is recorded"
        assert reason in refused.stderr, f"{damage}: {refused.stderr[-2000:]}"
        assert "Nothing was changed" in refused.stderr
        assert SKIP_VERIFICATION in refused.stderr
        assert dumpdata(project, env) == current, f"{damage}: the database was changed"

    # The override restores the file (the row written after the backup is gone), loudly.
    forced = project.manage(
        "dbrestore", "--noinput", "--overwrite", SKIP_VERIFICATION, "-I", str(copies["no metadata"]), env=env
    )
    assert "WARNING: RESTORING AN UNVERIFIED BACKUP" in forced.stderr
    restored = dumpdata(project, env)
    assert restored != current
    assert not [row for row in restored if row["fields"].get("name") == "written after the backup"]


def test_a_disk_full_before_the_checksum_publishes_nothing_and_keeps_the_verified_backup(backed_up, tmp_path):
    project, env, _, folder = backed_up
    [backup] = backups_in(folder)
    # Yesterday's backup, so that retention after today's backups keeps it by policy.
    yesterday = renamed_to(backup, datetime.now() - timedelta(days=1))
    move_pair(folder, backup, yesterday)
    page = 4096
    dump_pages = -(-(folder / yesterday).stat().st_size // page)
    # Room for the verified pair (its metadata takes a page) and one more dump, not one more page.
    disk = SmallDisk(tmp_path / "small-disk", size=f"{(2 * dump_pages + 1) * page // 1024}k").mount()
    if not disk.mounted:
        unavailable(disk.problem)
    try:
        for path in folder.iterdir():
            shutil.copy(path, disk.path / path.name)
        on_disk = {**env, "BACKUP_DIR": str(disk.path)}
        before = snapshot(disk.path)
        free = os.statvfs(disk.path).f_bavail * os.statvfs(disk.path).f_frsize

        failed = project.manage("dbbackup", "--noinput", "--clean", env=on_disk, check=False)

        assert failed.returncode != 0
        assert "No space left on device" in failed.stderr
        assert snapshot(disk.path) == before, "the failed backup left a file behind or changed one"
        assert "all match" in project.manage("verifybackup", env=on_disk).stdout

        disk.remount(f"size={(4 * dump_pages + 8) * page // 1024}k")
        project.manage("dbbackup", "--noinput", "--clean", env=on_disk)

        [today] = sorted(set(backups_in(disk.path)) - {yesterday})
        assert (disk.path / today).stat().st_size <= free, "the dump did not fit: the checksum was not what failed"
        assert verified_pairs(disk.path) == sorted([yesterday, today])
        assert not [p.name for p in disk.path.iterdir() if p.name.startswith(".")]
    finally:
        disk.unmount()


def test_retention_counts_only_verified_backups(backed_up):
    project, env, _, folder = backed_up
    [verified] = backups_in(folder)
    # Left by a crash, a hand copy or an older version: a dump with no checksum, dated
    # tomorrow (another host's clock), a checksum with no dump, and a staged file.
    leftover = renamed_to(verified, datetime.now() + timedelta(days=1))
    shutil.copy(folder / verified, folder / leftover)
    orphan = renamed_to(verified, datetime.now() + timedelta(days=2))
    shutil.copy(folder / f"{verified}.metadata", folder / f"{orphan}.metadata")
    (folder / ".incomplete-crashed").write_bytes(b"half a dump")
    keep_only_the_newest = {**env, "BACKUP_KEEP_DAILY": "0", "BACKUP_KEEP_WEEKLY": "0", "BACKUP_KEEP_MONTHLY": "0"}

    cleaned = project.manage("dbbackup", "--noinput", "--clean", env=keep_only_the_newest)

    [newest] = [name for name in backups_in(folder) if name not in (verified, leftover) and name[0] != "."]
    assert verified_pairs(folder) == [newest], "the newest verified backup was deleted"
    assert (folder / leftover).exists(), "retention deletes only backups it can verify"
    assert f"{leftover} has no matching checksum" in cleaned.stderr
    restored = project.manage("dbrestore", "--noinput", "--overwrite", env=env)
    assert f"Restoring: {newest}" in restored.stderr


def test_backups_started_at_the_same_moment_serialise_and_each_exit_code_is_true(backed_up):
    project, env, _, folder = backed_up
    first = set(backups_in(folder))
    python = str(project.venv / "bin" / "python")
    commands = [
        [python, "manage.py", "dbbackup", "--noinput"],  # Celery beat's task runs this
        [python, "manage.py", "dbbackup", "--noinput"],
        [str(project.path / "scripts" / "backup_database.sh")],  # and cron this
    ]
    started = {"cwd": project.path, "env": clean_env(**env, PYTHON=python), "text": True}
    runs = [
        subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, **started) for command in commands
    ]
    results = [(run.communicate(timeout=300)[1], run.returncode)[::-1] for run in runs]

    for code, stderr in results:
        assert code == 0, stderr[-3000:]
    made = [re.findall(r"SHA-256 [0-9a-f]{64}  (\S+)", stderr)[0] for _, stderr in results]
    assert len(set(made)) == 3, made
    published = backups_in(folder)
    assert verified_pairs(folder) == published, "a published dump does not match its checksum"
    assert sorted(p.name for p in folder.iterdir() if p.name.endswith(".metadata")) == [
        f"{name}.metadata" for name in published
    ]
    assert not [p.name for p in folder.iterdir() if p.name.startswith(".")]
    # The script applied retention (the newest of each day) under the same lock, so it never
    # saw a half-published backup, and the newest of all is kept.
    assert max(first | set(made)) in published


def test_a_second_backup_under_the_same_name_fails_and_keeps_the_first(backed_up):
    project, env, _, folder = backed_up
    project.manage("dbbackup", "--noinput", "-o", "before-upgrade.psql.bin", env=env)
    before = snapshot(folder)

    again = project.manage("dbbackup", "--noinput", "-o", "before-upgrade.psql.bin", env=env, check=False)

    assert again.returncode != 0
    assert "never overwritten" in again.stderr
    assert snapshot(folder) == before


def test_without_celery_the_schedule_is_cron_or_a_systemd_timer(bake):
    project = bake(use_celery=False)

    assert (project.path / "scripts/backup_database.sh").stat().st_mode & 0o111
    timer = (project.path / "deploy/systemd/backup-database.timer").read_text()
    assert "OnCalendar=" in timer
    service = (project.path / "deploy/systemd/backup-database.service").read_text()
    assert "scripts/backup_database.sh" in service
    cron = (project.path / "deploy/cron/backup-database").read_text()
    assert "scripts/backup_database.sh" in cron
