"""Container entrypoint: wait for the database, migrate once, then run the command.

    python docker/entrypoint.py gunicorn -c gunicorn.conf.py

The database gets DATABASE_WAIT_TIMEOUT seconds (default 60) to accept a connection, so
every service can start at once. Migrations run only where DJANGO_MIGRATE_ON_START is true
(the web service of the compose files), under a PostgreSQL advisory lock: replicas that
start together migrate one after another, and the later ones find nothing to do.
"""

import os
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
# Any constant works, as long as every replica of this project uses the same one.
MIGRATION_LOCK_ID = 7_274_001
USE_MIGRATION_LOCK = True  # feature: not pgbouncer
# begin feature: pgbouncer
# A session lock would leak behind PgBouncer in transaction mode: the web service is the
# one container that migrates (start more replicas only after it is up).
USE_MIGRATION_LOCK = False
# end feature: pgbouncer
TRUE_WORDS = {"true", "1", "yes", "on"}


def log(message):
    sys.stderr.write(f"entrypoint: {message}\n")


def setup_django():
    sys.path.insert(0, str(ROOT))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.production")
    import django

    django.setup()


def wait_for_database(timeout):
    from django.db import connection
    from django.db.utils import OperationalError

    started = time.monotonic()
    while True:
        try:
            connection.ensure_connection()
        except OperationalError as error:
            log(f"database not ready: {str(error).strip()}")
            waited = time.monotonic() - started
            if waited >= timeout:
                raise SystemExit(
                    f"entrypoint: gave up waiting for the database after {waited:.0f}s"
                ) from error
            time.sleep(1)
        else:
            return


def migrate():
    from django.core.management import call_command
    from django.db import connection

    if connection.vendor != "postgresql" or not USE_MIGRATION_LOCK:
        call_command("migrate", interactive=False)
        return
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_advisory_lock(%s)", [MIGRATION_LOCK_ID])
    try:
        call_command("migrate", interactive=False)
    finally:
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_unlock(%s)", [MIGRATION_LOCK_ID])


def main(command):
    if not command:
        raise SystemExit("usage: entrypoint.py COMMAND [ARGS...]")
    setup_django()
    wait_for_database(int(os.environ.get("DATABASE_WAIT_TIMEOUT", "60")))
    if os.environ.get("DJANGO_MIGRATE_ON_START", "false").strip().lower() in TRUE_WORDS:
        migrate()
    from django.db import connections

    connections.close_all()
    # Replace this process, so the command is PID 1 and receives the container's signals.
    os.execvp(command[0], command)  # noqa: S606 - the container's own command, no shell


if __name__ == "__main__":
    main(sys.argv[1:])
