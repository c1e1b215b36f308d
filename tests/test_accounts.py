"""Accounts end to end: a password reset through a real SMTP server, under gunicorn.

Production settings, PostgreSQL and Redis, for both ``api_auth`` answers: with Celery
(a real worker sends the mail) and without (the request sends it). The link is the one
built from PASSWORD_RESET_URL, followed as a front end would follow it.
"""

import json
import re
import subprocess
import time
import urllib.error
import urllib.request
import uuid
from urllib.parse import urlparse

import pytest
import yaml

from .support.browser import headless_chromium
from .support.celery_worker import CeleryWorker
from .support.edge import Gunicorn
from .support.project import clean_env, production_env
from .support.smtp import SmtpServer

# Stands in for `docker run --rm --entrypoint python [-e NAME=value]... IMAGE ARGS...`: the
# project's python with the production image's environment (Dockerfile ENV) and the -e values.
FAKE_DOCKER = """#!/bin/bash
[ "$1" = run ] || exit 2
shift
variables=()
while [ $# -gt 0 ]; do
  case "$1" in
    --rm) shift ;;
    --entrypoint) shift 2 ;;
    -e) variables+=("$2"); shift 2 ;;
    *) break ;;
  esac
done
shift
exec env DJANGO_SETTINGS_MODULE=config.settings.production DJANGO_READ_DOT_ENV_FILE=false \\
  "${variables[@]}" python "$@"
"""
RESET_URL = "https://app.example.org/reset/{uid}/{token}/"
OLD_PASSWORD = "correct-horse-battery-9"
NEW_PASSWORD = "staple-orbit-lantern-42"


def post(base, path, data):
    request = urllib.request.Request(
        base + path,
        data=json.dumps(data).encode(),
        headers={"Content-Type": "application/json"},
        method="POST",
    )
    try:
        with urllib.request.urlopen(request, timeout=30) as response:
            return response.status, response.read()
    except urllib.error.HTTPError as error:
        return error.code, error.read()


@pytest.fixture
def database(postgres):
    name = f"accounts_{uuid.uuid4().hex[:8]}"
    postgres.run("createdb", "-h", "127.0.0.1", "-p", str(postgres.port), "-U", "postgres", name)
    return postgres.url(name)


def served_env(project, database, redis_server, redis_db, **extra):
    """Production variables for a server on 127.0.0.1, its database migrated with alice
    (a superuser, OLD_PASSWORD) in it, and its Redis database ``redis_db`` emptied."""
    env = production_env(
        DJANGO_ALLOWED_HOSTS="127.0.0.1",
        DJANGO_SECURE_SSL_REDIRECT="false",
        DATABASE_URL=database,
        REDIS_URL=redis_server.url(redis_db),
        # Six /api/auth/ requests from one address: more than the default sensitive tier.
        THROTTLE_SENSITIVE_RATE="100/minute",
        **extra,
    )
    redis_flush = ["redis-cli", "-p", str(redis_server.port), "-n", str(redis_db), "flushdb"]
    subprocess.run(redis_flush, check=True, capture_output=True)
    project.manage("migrate", "--noinput", env=env)
    project.manage(
        "createsuperuser", "--noinput", "--email", "alice@example.org",
        env={**env, "DJANGO_SUPERUSER_PASSWORD": OLD_PASSWORD},
    )  # fmt: skip
    return env


@pytest.mark.parametrize(
    ("api_auth", "use_celery"), [("jwt", True), ("token", False)], ids=["jwt-celery", "token-no-celery"]
)
def test_a_password_reset_end_to_end_through_smtp(bake, database, redis_server, smtp_server, api_auth, use_celery):
    project = bake(api_auth=api_auth, use_celery=use_celery)
    assert not [p for p in project.files() if "rest_framework.authtoken" in p.read_text(errors="replace")]
    env = served_env(
        project, database, redis_server, 4,
        EMAIL_URL=smtp_server.url, DJANGO_DEFAULT_FROM_EMAIL="accounts@example.org", PASSWORD_RESET_URL=RESET_URL,
    )  # fmt: skip
    worker = CeleryWorker(project, env).start(timeout=120) if use_celery else None
    try:
        with Gunicorn(project, env, workers=2) as server:
            base = server.url
            known = post(base, "/api/auth/password/reset/", {"email": "ALICE@example.org"})
            unknown = post(base, "/api/auth/password/reset/", {"email": "nobody@example.org"})
            [(sender, recipients, message)] = smtp_server.wait_for(1, timeout=60)
            [link] = re.findall(r"https://app\.example\.org/reset/\S+", message.get_content())
            _, _, uid, token, _ = urlparse(link).path.split("/")
            confirm = {"uid": uid, "token": token, "new_password": NEW_PASSWORD}
            done = post(base, "/api/auth/password/reset/confirm/", confirm)
            reused = post(base, "/api/auth/password/reset/confirm/", {**confirm, "new_password": OLD_PASSWORD + "x"})
            old = post(base, "/api/auth/token/", {"email": "alice@example.org", "password": OLD_PASSWORD})
            new = post(base, "/api/auth/token/", {"email": "alice@example.org", "password": NEW_PASSWORD})
    finally:
        if worker:
            worker.stop()

    assert known == unknown
    assert known[0] == 202
    assert sender == "accounts@example.org"
    assert recipients == ["alice@example.org"]
    assert len(smtp_server.messages) == 1, "no mail for the unknown address"
    assert done[0] == 204, done
    assert reused[0] == 400
    assert json.loads(reused[1])["error"]["details"]["token"]
    assert old[0] == 400
    assert new[0] == 200, new
    expected = {"access", "refresh"} if api_auth == "jwt" else {"token", "expires"}
    assert set(json.loads(new[1])) == expected


def test_the_token_answer_suite_passes_on_postgresql(bake, postgres, redis_server):
    """The default project's suite runs on PostgreSQL in test_default_project; this is knox's."""
    project = bake(api_auth="token", username_type="username")

    result = project.run(
        "python", "-m", "pytest", "-q", f"{project.path.name}/accounts", f"{project.path.name}/users",
        env={"DATABASE_URL": postgres.url(), "REDIS_URL": redis_server.url(5)},
    )  # fmt: skip

    assert " passed" in result.stdout


def ci_production_checks(project, ci_tool):
    """The test job's variables, and every CI command that runs production settings."""
    if ci_tool == "github":
        jobs = yaml.safe_load((project.path / ".github" / "workflows" / "ci.yml").read_text())["jobs"]
        steps = [step for job in ("test", "docker") for step in jobs[job]["steps"]]
        return jobs["test"]["env"], [s["run"] for s in steps if "check --deploy" in s.get("run", "")]
    jobs = yaml.safe_load((project.path / ".gitlab-ci.yml").read_text())
    commands = [line for job in ("test", "docker-image") for line in jobs[job]["script"] if "check --deploy" in line]
    return jobs["test"]["variables"], commands


@pytest.mark.parametrize("api_auth", ["jwt", "token"])
@pytest.mark.parametrize("ci_tool", ["github", "gitlab"])
def test_the_ci_deployment_checks_pass_as_written(bake, postgres, redis_server, tmp_path, ci_tool, api_auth):
    """Production needs JWT_SIGNING_KEY (jwt): the CI's checks, in the job and on the image, set it."""
    project = bake(ci_tool=ci_tool, api_auth=api_auth)
    variables, commands = ci_production_checks(project, ci_tool)
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    (bin_dir / "docker").write_text(FAKE_DOCKER)
    (bin_dir / "docker").chmod(0o755)
    # The job's services, here: this test's PostgreSQL and Redis.
    env = clean_env(
        **{**variables, "DATABASE_URL": postgres.url(), "REDIS_URL": redis_server.url(6)},
        PATH=f"{bin_dir}:{project.venv / 'bin'}:/usr/bin:/bin",
        # What GitLab sets for every job.
        CI_REGISTRY_IMAGE="registry.example.com/team/app",
        CI_COMMIT_SHORT_SHA="0123abcd",
    )

    assert len(commands) == 2, commands  # in the test job, and inside the built image
    for command in commands:
        result = subprocess.run(
            ["bash", "-euo", "pipefail", "-c", command], cwd=project.path, env=env,
            capture_output=True, text=True, timeout=300, check=False,
        )  # fmt: skip
        assert result.returncode == 0, f"{command}\n{result.stdout}{result.stderr}"
        assert "System check identified no issues" in result.stdout, result.stdout


SLOW_SMTP_SECONDS = 4


def timed_post(base, path, data):
    started = time.monotonic()
    status, body = post(base, path, data)
    return status, body, time.monotonic() - started


def test_without_celery_a_reset_answers_before_a_slow_mail_server(bake, database, redis_server):
    """Known or unknown address, the 202 comes first: the look-up and the mail follow it."""
    project = bake(use_celery=False)
    slow_smtp = SmtpServer(delay=SLOW_SMTP_SECONDS).start()
    env = served_env(project, database, redis_server, 7, EMAIL_URL=slow_smtp.url, PASSWORD_RESET_URL=RESET_URL)
    server = Gunicorn(project, env, workers=2).start()
    try:
        base = f"http://127.0.0.1:{server.port}"
        for _ in range(2):  # each worker answers once before anything is timed
            post(base, "/api/auth/password/reset/", {"email": "warm-up@example.org"})
        known = timed_post(base, "/api/auth/password/reset/", {"email": "alice@example.org"})
        unknown = timed_post(base, "/api/auth/password/reset/", {"email": "nobody@example.org"})
        [(_, recipients, message)] = slow_smtp.wait_for(1, timeout=60)
    finally:
        server.stop()
        slow_smtp.stop()

    assert known[:2] == unknown[:2]
    assert known[0] == 202
    assert recipients == ["alice@example.org"]
    assert "https://app.example.org/reset/" in message.get_content()
    # Generous margin: the mail server alone takes SLOW_SMTP_SECONDS to accept the message.
    assert known[2] < SLOW_SMTP_SECONDS / 2, known
    assert unknown[2] < SLOW_SMTP_SECONDS / 2, unknown


SCHEMES = {"jwt": "jwtAuth", "token": "knoxApiToken"}  # the schema's security schemes


def sign_in_answer(base, api_auth):
    status, body = post(base, "/api/auth/token/", {"email": "alice@example.org", "password": OLD_PASSWORD})
    assert status == 200, body
    answer = json.loads(body)
    # What the Authorize dialog asks for: the bare JWT (bearer), or knox's whole header value.
    return answer["access"] if api_auth == "jwt" else f"Token {answer['token']}"


@pytest.mark.parametrize("api_auth", ["jwt", "token"])
def test_swagger_ui_authorizes_with_the_sign_in_answer(bake, database, redis_server, api_auth):
    """Authorize in the self-hosted Swagger UI, then "Try it out" on users/me/: 200, our user."""
    project = bake(api_auth=api_auth)
    # Staff-only in production by default; the token is the point here.
    env = served_env(project, database, redis_server, 8, API_DOCS_PUBLIC="true")
    project.manage("collectstatic", "--noinput", env=env)
    server = Gunicorn(project, env, workers=2).start()
    try:
        base = f"http://127.0.0.1:{server.port}"
        credential = sign_in_answer(base, api_auth)
        with headless_chromium() as browser:
            page = browser.new_page()
            page.goto(f"{base}/api/docs/", wait_until="networkidle")
            page.click("button.authorize")
            scheme = page.locator(".modal-ux .auth-container", has=page.locator("code", has_text=SCHEMES[api_auth]))
            scheme.locator("section input").fill(credential)
            scheme.locator("button.authorize").click()
            page.locator(".modal-ux button.close-modal").click()
            operation = page.locator(".opblock-get", has=page.locator('[data-path="/api/v1/users/me/"]'))
            operation.locator(".opblock-summary").click()
            operation.locator(".try-out__btn").click()
            operation.locator("button.execute").click()
            status = operation.locator(".live-responses-table tbody .response-col_status").first
            status.wait_for(timeout=30000)
            answered = status.inner_text().strip()
            body = operation.locator(".live-responses-table tbody .response-col_description").first.inner_text()
    finally:
        server.stop()

    assert answered == "200", body
    assert "alice@example.org" in body
