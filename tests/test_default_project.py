"""The default project against real services, and its README commands as written."""

import contextlib
import os
import re
import signal
import subprocess
import time
import urllib.error
import urllib.request

from .support.edge import Gunicorn
from .support.project import clean_env, production_env
from .support.services import free_port


def test_default_project_tests_pass_on_postgresql_and_redis(bake, postgres, redis_server):
    project = bake()

    result = project.run(
        "python", "-m", "pytest", "-q",
        env={"DATABASE_URL": postgres.url(), "REDIS_URL": redis_server.url()},
    )  # fmt: skip

    assert " passed" in result.stdout


def test_production_settings_serve_health_from_postgresql_and_redis(bake, postgres, redis_server):
    project = bake()
    env = production_env(
        DJANGO_ALLOWED_HOSTS="127.0.0.1",
        DJANGO_SECURE_SSL_REDIRECT="false",
        DATABASE_URL=postgres.url(),
        REDIS_URL=redis_server.url(1),
    )
    project.manage("migrate", "--noinput", env=env)
    with Gunicorn(project, env, workers=2) as server:
        with urllib.request.urlopen(f"{server.url}/api/health/", timeout=10) as response:
            body = response.read().decode()
        assert response.status == 200
        assert '"database": {"status": "ok"' in body
        assert '"cache": {"status": "ok"' in body
    request_lines = [line for line in server.output().splitlines() if '"path": "/api/health/"' in line]
    assert request_lines == [], "health probes are logged at DEBUG only"


def readme_commands(readme):
    """The shell blocks of the README, in order."""
    return re.findall(r"```sh\n(.*?)\n```", readme, re.DOTALL)


def test_readme_commands_work_as_written(cookies, tmp_path):
    """Fresh venv, pip install, migrate, runserver: /api/health/ answers; then the tests pass."""
    from .support.template import TEMPLATE_DIR

    result = cookies.bake(template=str(TEMPLATE_DIR))
    assert result.exit_code == 0, result.exception
    path = result.project_path
    setup, run_tests = readme_commands((path / "README.md").read_text())[:2]
    port = free_port()
    setup = setup.replace("manage.py runserver", f"manage.py runserver 127.0.0.1:{port} --noreload")

    log_path = tmp_path / "setup.log"
    with log_path.open("w") as log:
        server = subprocess.Popen(
            setup, shell=True, cwd=path, env=clean_env(), start_new_session=True, stdout=log, stderr=subprocess.STDOUT
        )
    answer = None
    try:
        deadline = time.monotonic() + 600
        while answer is None and time.monotonic() < deadline and server.poll() is None:
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/api/health/", timeout=5) as response:
                    answer = (response.status, response.read().decode())
            except urllib.error.HTTPError as error:  # answered, but not healthy
                answer = (error.code, error.read().decode())
            except OSError:
                time.sleep(1)
    finally:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(server.pid, signal.SIGTERM)
        server.wait(30)
    assert answer is not None, f"/api/health/ never answered:\n{log_path.read_text()[-4000:]}"
    assert answer[0] == 200, answer[1]

    tests = subprocess.run(
        run_tests, shell=True, cwd=path, env=clean_env(), capture_output=True, text=True, check=False
    )
    assert tests.returncode == 0, tests.stdout[-4000:]
