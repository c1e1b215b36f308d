"""Servers for the data-safety tests: PostgreSQL with password authentication, PgBouncer.

The session's ``postgres`` fixture trusts every connection, so a wrong password would
still get in; ``PasswordPostgres`` requires SCRAM passwords over TCP. ``PgBouncer`` runs
the generated project's own ``deploy/pgbouncer/pgbouncer.ini`` (transaction mode) in
front of it, with only the addresses, ports and file locations changed.
"""

import contextlib
import re
import shutil
import subprocess
import time
from pathlib import Path

from .services import PostgresServer, free_port, wait_for_port

PASSWORD = "s3cret-for-tests"


class PasswordPostgres(PostgresServer):
    def start(self):
        super().start()
        self.psql(f"ALTER USER postgres PASSWORD '{PASSWORD}'")
        (self.data / "pg_hba.conf").write_text("local all all trust\nhost all all 127.0.0.1/32 scram-sha-256\n")
        self.run("pg_ctl", "-D", str(self.data), "reload")
        return self

    def url(self, name="postgres", password=PASSWORD):
        return f"postgres://postgres:{password}@127.0.0.1:{self.port}/{name}"

    def psql(self, sql, database="postgres"):
        """Run SQL over the Unix socket (trusted); returns the output, unaligned."""
        return self.run(
            "psql", "-h", str(self.root), "-p", str(self.port), "-U", "postgres", "-d", database,
            "-v", "ON_ERROR_STOP=1", "-At", "-c", sql,
        ).stdout.strip()  # fmt: skip

    def create_database(self, name):
        self.psql(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        self.psql(f'CREATE DATABASE "{name}"')
        return self.url(name)

    def restart(self):
        # With -l: otherwise the new server keeps our output pipe open and run() never returns.
        self.run("pg_ctl", "-D", str(self.data), "-l", str(self.root / "log"), "-m", "fast", "-w", "restart")
        wait_for_port(self.port)


class PgBouncer:
    def __init__(self, ini_path, postgres, database):
        self.port = free_port()
        self.root = Path(postgres.root) / f"pgbouncer-{self.port}"
        self.postgres = postgres
        self.database = database
        self.ini_template = Path(ini_path).read_text()
        self.process = None

    def config(self, pool_size):
        text = self.ini_template
        server = f"host=127.0.0.1 port={self.postgres.port} dbname={self.database} user=postgres password={PASSWORD}"
        text = re.sub(r"(?m)^app = .*$", f"{self.database} = {server}", text)
        replacements = {
            "listen_addr": "127.0.0.1",
            "listen_port": str(self.port),
            "auth_type": "trust",
            "auth_file": str(self.root / "userlist.txt"),
            "default_pool_size": str(pool_size),
            "min_pool_size": "0",
            "reserve_pool_size": "0",
        }
        for key, value in replacements.items():
            text, count = re.subn(rf"(?m)^{key} = .*$", f"{key} = {value}", text)
            assert count == 1, f"{key} not in the shipped pgbouncer.ini"
        text += f"\nunix_socket_dir = {self.root}\npidfile = {self.root}/pgbouncer.pid\n"
        text += f"logfile = {self.root}/pgbouncer.log\n"
        return text

    def start(self, pool_size=2):
        self.root.mkdir()
        (self.root / "pgbouncer.ini").write_text(self.config(pool_size))
        (self.root / "userlist.txt").write_text(f'"postgres" "{PASSWORD}"\n')
        if self.postgres.as_root:
            for path in [self.root, *self.root.iterdir()]:
                shutil.chown(path, "postgres", "postgres")
        command = [shutil.which("pgbouncer") or "/usr/sbin/pgbouncer", str(self.root / "pgbouncer.ini")]
        if self.postgres.as_root:
            command = ["runuser", "-u", "postgres", "--", *command]
        # The log goes to its logfile; a pipe nobody reads would stop pgbouncer once full.
        self.process = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        try:
            wait_for_port(self.port, timeout=20)
        except TimeoutError:
            self.stop()
            raise AssertionError(f"pgbouncer did not start: {self.log()}") from None
        return self

    def url(self):
        return f"postgres://postgres:{PASSWORD}@127.0.0.1:{self.port}/{self.database}"

    def log(self):
        path = self.root / "pgbouncer.log"
        return path.read_text()[-4000:] if path.exists() else ""

    def stop(self):
        if self.process and self.process.poll() is None:
            self.process.terminate()
            with contextlib.suppress(subprocess.TimeoutExpired):
                self.process.wait(10)
        time.sleep(0.1)
