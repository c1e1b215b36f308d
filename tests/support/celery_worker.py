"""A real Celery worker (and beat, if asked) for a generated project, against a real Redis.

Used by the data-safety tests and reusable by the production rehearsal:

    with CeleryWorker(project, env) as worker:   # env: REDIS_URL, DATABASE_URL, ...
        worker.run_task("myproject.core.tasks.ping")   # -> "pong"
"""

import contextlib
import subprocess
import tempfile
import time
from pathlib import Path

QUEUES = "default,maintenance"


class CeleryWorker:
    def __init__(self, project, env, queues=QUEUES, concurrency=2):
        from .project import clean_env

        self.project = project
        self.env = clean_env(**env)
        self.queues = queues
        self.concurrency = concurrency
        self.log = Path(tempfile.mkstemp(prefix="routex-celery-", suffix=".log")[1])
        self.process = None

    def celery(self, *args, **kwargs):
        return subprocess.run(
            [str(self.project.venv / "bin" / "celery"), "-A", "config", *args],
            cwd=self.project.path,
            env=self.env,
            capture_output=True,
            text=True,
            check=False,
            **kwargs,
        )

    def start(self, timeout=60):
        with self.log.open("w") as log:
            self.process = subprocess.Popen(
                [
                    str(self.project.venv / "bin" / "celery"), "-A", "config", "worker",
                    "-Q", self.queues, "--concurrency", str(self.concurrency),
                    "--hostname", f"test-{id(self)}@%h", "--loglevel", "INFO",
                ],
                cwd=self.project.path,
                env=self.env,
                stdout=log,
                stderr=subprocess.STDOUT,
            )  # fmt: skip
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise AssertionError(f"celery worker exited:\n{self.log.read_text()[-4000:]}")
            if self.celery("inspect", "ping", "--timeout", "2", timeout=30).returncode == 0:
                return self
            time.sleep(0.5)
        self.stop()
        raise AssertionError(f"celery worker never answered a ping:\n{self.log.read_text()[-4000:]}")

    def run_task(self, dotted_name, timeout=120):
        """Send a task by its function's dotted path through the broker; return its result."""
        module, function = dotted_name.rsplit(".", 1)
        code = (
            "import django; django.setup()\n"
            f"from {module} import {function} as task\n"
            f"print(repr(task.apply_async().get(timeout={timeout})))\n"
        )
        result = subprocess.run(
            [str(self.project.venv / "bin" / "python"), "-c", code],
            cwd=self.project.path,
            env=self.env,
            capture_output=True,
            text=True,
            check=False,
            timeout=timeout + 60,
        )
        if result.returncode != 0:
            raise AssertionError(
                f"task {dotted_name} failed:\n{result.stderr[-4000:]}\nworker log:\n{self.log.read_text()[-4000:]}"
            )
        return result.stdout.strip()

    def stop(self):
        if self.process and self.process.poll() is None:
            self.process.terminate()
            with contextlib.suppress(subprocess.TimeoutExpired):
                self.process.wait(30)
            if self.process.poll() is None:
                self.process.kill()
                self.process.wait(10)

    def __enter__(self):
        return self.start()

    def __exit__(self, *exc_info):
        self.stop()
