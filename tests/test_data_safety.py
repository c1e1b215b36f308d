"""Data safety against real servers: connection pooling, Celery, verified backups.

PostgreSQL (with password authentication), PgBouncer, Redis, gunicorn and a Celery worker
are all real processes; nothing here is mocked.
"""

import concurrent.futures
import hashlib
import json
import os
import subprocess
import tempfile
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest

from .support.celery_worker import CeleryWorker
from .support.data_safety import PASSWORD, PasswordPostgres, PgBouncer
from .support.edge import Gunicorn

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


def production_env(database_url, redis_url, **extra):
    return {
        "DJANGO_SETTINGS_MODULE": "config.settings.production",
        "DJANGO_READ_DOT_ENV_FILE": "false",
        "DJANGO_SECRET_KEY": "k" * 60 + "-Zx9!",
        "DJANGO_ALLOWED_HOSTS": "127.0.0.1,localhost",
        "DJANGO_SECURE_SSL_REDIRECT": "false",
        "DJANGO_ERROR_EMAILS": "false",
        "DJANGO_STATIC_REQUIRE_MANIFEST": "false",
        "DATABASE_URL": database_url,
        "REDIS_URL": redis_url,
        **extra,
    }


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


# --- Connection pooling -------------------------------------------------------------


def test_the_pool_bounds_server_connections_and_survives_a_postgres_restart(bake, pg, redis_server):
    project = bake(db_pooling="psycopg_pool", use_throttling=False)  # no 429s under load
    env = production_env(
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
    env = production_env(pg.url(), "redis://127.0.0.1:1/0", **{variable: value})

    result = project.manage("check", env=env, check=False)

    assert result.returncode != 0
    assert variable in result.stderr
    assert "ImproperlyConfigured" in result.stderr


def test_the_app_works_through_pgbouncer_in_transaction_mode(bake, pg, redis_server):
    project = bake(db_pooling="pgbouncer", use_throttling=False)
    direct = pg.create_database("bounced")
    env = production_env(direct, redis_server.url(3), GUNICORN_THREADS="4")
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
    env = production_env(pg.create_database("celery"), redis_server.url(4), BACKUP_DIR=str(tmp_path))
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
    env = production_env(pg.create_database(name), "redis://127.0.0.1:1/0", BACKUP_DIR=str(tmp_path / "backups"))
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


def test_without_celery_the_schedule_is_cron_or_a_systemd_timer(bake):
    project = bake(use_celery=False)

    assert (project.path / "scripts/backup_database.sh").stat().st_mode & 0o111
    timer = (project.path / "deploy/systemd/backup-database.timer").read_text()
    assert "OnCalendar=" in timer
    service = (project.path / "deploy/systemd/backup-database.service").read_text()
    assert "scripts/backup_database.sh" in service
    cron = (project.path / "deploy/cron/backup-database").read_text()
    assert "scripts/backup_database.sh" in cron
