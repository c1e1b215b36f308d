"""Observability against real peers: Sentry's envelope endpoint, gunicorn, Redis, Celery, promtool.

The generated project runs unmodified under production settings; the tests only add a
view and a task that fail on purpose (files written into the baked project).
"""

import json
import shutil
import subprocess
import urllib.error
import urllib.request

import pytest
import yaml

from .support.edge import Gunicorn
from .support.project import clean_env, production_env

SECRETS = {
    "query": "qs-secret-1234567",
    "header": "auth-secret-4567890",
    "cookie": "cookie-secret-7890123",
    "local": "hunter2-local-secret",
    "body": "body-secret-2468013",
}
METRICS_TOKEN = "metrics-token-0123456789abcdef"

REHEARSAL_URLS = """
from django.urls import path

from config import urls as project_urls


def boom(request):
    password = "{local_reversed}"[::-1]  # a local variable Sentry captures with the frame
    raise RuntimeError("boom from the rehearsal " + password[:0])


urlpatterns = [path("boom/", boom), *project_urls.urlpatterns]
handler500 = project_urls.handler500
"""

REHEARSAL_SETTINGS = """
from config.settings.production import *  # noqa: F403

ROOT_URLCONF = "rehearsal_urls"
"""

REHEARSAL_TASKS = """
from config.celery import app


@app.task(name="rehearsal.fail")
def fail(password):
    raise ValueError("task failed in the rehearsal")
"""


def get(url, headers=None):
    request = urllib.request.Request(url, headers={"Host": "127.0.0.1", **(headers or {})})
    try:
        with urllib.request.urlopen(request, timeout=15) as response:
            return response.status, response.read().decode()
    except urllib.error.HTTPError as error:
        return error.code, error.read().decode()


def write_rehearsal_files(project):
    (project.path / "rehearsal_urls.py").write_text(REHEARSAL_URLS.format(local_reversed=SECRETS["local"][::-1]))
    (project.path / "config" / "settings" / "rehearsal.py").write_text(REHEARSAL_SETTINGS)
    (project.path / "rehearsal_tasks.py").write_text(REHEARSAL_TASKS)


def rehearsal_env(receiver, redis_server, **extra):
    return production_env(
        DJANGO_SETTINGS_MODULE="config.settings.rehearsal",
        DJANGO_ALLOWED_HOSTS="127.0.0.1",
        DJANGO_SECURE_SSL_REDIRECT="false",
        DJANGO_STATIC_REQUIRE_MANIFEST="false",
        REDIS_URL=redis_server.url(2),
        CELERY_BROKER_URL=redis_server.url(3),
        SENTRY_DSN=receiver.dsn,
        SENTRY_ENVIRONMENT="rehearsal",
        SENTRY_RELEASE="routex@9.9.9",
        SENTRY_TRACES_SAMPLE_RATE="1.0",
        # Even with personal data on, secrets must not leave the process.
        SENTRY_SEND_DEFAULT_PII="true",
        DJANGO_SLOW_QUERY_MS="0",
        METRICS_TOKEN=METRICS_TOKEN,
        **extra,
    )


def start(project, args, env):
    return subprocess.Popen(
        [str(project.venv / "bin" / args[0]), *args[1:]],
        cwd=project.path,
        env=clean_env(**env),
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
    )


def stop(process):
    process.terminate()
    try:
        return process.communicate(timeout=30)[0].decode()
    except subprocess.TimeoutExpired:
        process.kill()
        return process.communicate()[0].decode()


def where(secret, data, path="$"):
    """JSON paths inside data where secret appears (for a readable failure)."""
    if isinstance(data, dict):
        return [hit for key, value in data.items() for hit in where(secret, value, f"{path}.{key}")]
    if isinstance(data, list | tuple):
        return [hit for index, value in enumerate(data) for hit in where(secret, value, f"{path}[{index}]")]
    return [f"{path}={data!r}"[:300]] if secret in str(data) else []


def exception_value(payload):
    values = ((payload or {}).get("exception") or {}).get("values") or [{}]
    return values[-1].get("value") or ""


def test_production_server_reports_errors_traces_metrics_and_logs(bake, sentry_receiver, redis_server):
    project = bake()
    write_rehearsal_files(project)
    env = rehearsal_env(sentry_receiver, redis_server)
    project.manage("migrate", "--noinput", env=env)
    server = Gunicorn(project, env, workers=1).start()
    base = server.url
    try:
        assert get(f"{base}/api/health/")[0] == 200
        assert get(f"{base}/api/v1/items/")[0] == 200  # queries in the request's own thread
        status, _ = get(
            f"{base}/boom/?token={SECRETS['query']}&page=2",
            {"Authorization": f"Bearer {SECRETS['header']}", "Cookie": f"sessionid={SECRETS['cookie']}"},
        )
        assert status == 500

        # Sentry: the unhandled exception, with environment and release, and no secret.
        event = sentry_receiver.wait_for(
            lambda kind, p: kind == "event" and "boom from the rehearsal" in exception_value(p)
        )
        assert event["environment"] == "rehearsal"
        assert event["release"] == "routex@9.9.9"
        wire = b"".join(data for _, _, data in sentry_receiver.raw).decode(errors="replace")
        for secret in SECRETS.values():
            assert secret not in wire, where(secret, sentry_receiver.items)

        # ...and the sampled request as a transaction; health probes are never traced.
        transaction = sentry_receiver.wait_for(
            lambda kind, p: kind == "transaction" and p.get("transaction") == "/boom/"
        )
        assert transaction["release"] == "routex@9.9.9"
        names = [t.get("transaction") for t in sentry_receiver.of_type("transaction")]
        assert not [name for name in names if "health" in name], names

        # Metrics: refused without the token in production, exposition with it.
        assert get(f"{base}/metrics")[0] == 404
        assert get(f"{base}/metrics", {"Authorization": "Bearer wrong"})[0] == 403
        status, body = get(f"{base}/metrics", {"Authorization": f"Bearer {METRICS_TOKEN}"})
        assert status == 200
        assert 'django_http_responses_total_by_status_view_method_total{method="GET",status="500"' in body
    finally:
        server.stop()
    log = server.output()

    # The error log row, written by the server, read back through the ORM.
    count = project.run(
        "python", "manage.py", "shell", "-c",
        f"from {project.path.name}.observability.errorlog.models import LoggedError as E; "
        "print([(e.exception_class, e.count, e.path) for e in E.objects.all()])",
        env=env,
    ).stdout  # fmt: skip
    assert "RuntimeError', 1, '/boom/'" in count

    # The JSON request log carries query counts; slow queries name their view.
    lines = [json.loads(line) for line in log.splitlines() if line.startswith("{")]
    # (The health checks run on connections of their own, outside the request.)
    items = [
        line for line in lines if line.get("logger", "").endswith(".slow_query") and line.get("view") == "item-list"
    ]
    assert items, log[-3000:]
    assert items[0]["duration_ms"] >= 0 and "SELECT" in items[0]["sql"]
    requests = [line for line in lines if line.get("path") == "/boom/" and "db_queries" in line]
    assert requests and requests[0]["status"] == 500


def test_a_failing_celery_task_reaches_sentry(bake, sentry_receiver, redis_server):
    project = bake()
    write_rehearsal_files(project)
    env = rehearsal_env(sentry_receiver, redis_server)
    worker = start(
        project,
        ["celery", "-A", "config", "worker", "-P", "solo", "-Q", "default,maintenance", "-I", "rehearsal_tasks"],
        env,
    )
    try:
        project.run(
            "python", "-c",
            "import django; django.setup(); import rehearsal_tasks; "
            f"rehearsal_tasks.fail.delay(password='{SECRETS['body']}')",
            env=env,
        )  # fmt: skip
        event = sentry_receiver.wait_for(
            lambda kind, p: kind == "event" and "task failed in the rehearsal" in exception_value(p), timeout=60
        )
    finally:
        log = stop(worker)
    assert event["environment"] == "rehearsal", log[-2000:]
    assert not where(SECRETS["body"], event)


def check_rules_structure(path):
    document = yaml.safe_load(path.read_text())
    rules = [rule for group in document["groups"] for rule in group["rules"]]
    assert rules
    for rule in rules:
        assert set(rule) >= {"alert", "expr", "labels", "annotations"}, rule
        assert rule["labels"]["severity"] in {"warning", "critical"}
        assert rule["annotations"]["summary"]
    return {rule["alert"] for rule in rules}


@pytest.mark.parametrize(
    "answers",
    [{}, {"use_celery": False, "use_db_backups": False}],
    ids=["all-alerts", "api-alerts-only"],
)
def test_alert_rules_are_valid(bake, answers):
    project = bake(**answers)
    rules = project.path / "deploy" / "prometheus" / "alerts.yml"

    alerts = check_rules_structure(rules)

    assert {"HighErrorRate", "HighLatencyP95", "HealthCheckFailing"} <= alerts
    assert ("CeleryQueueBacklog" in alerts) == answers.get("use_celery", True)
    assert ("DatabaseBackupTooOld" in alerts) == answers.get("use_db_backups", True)
    promtool = shutil.which("promtool")
    if promtool:
        result = subprocess.run([promtool, "check", "rules", str(rules)], capture_output=True, text=True)
        assert result.returncode == 0, result.stdout + result.stderr


DEBUG_TOOLBAR_PROBE = """
import re, sys
import django
django.setup()
from django.conf import settings
from django.test import Client

print("environment", settings.ENVIRONMENT)
if settings.ENVIRONMENT == "production":
    from django.urls import Resolver404, resolve
    try:
        resolve("/__debug__/render_panel/")
        print("toolbar-url", True)
    except Resolver404:
        print("toolbar-url", False)
    print("imported", "debug_toolbar" in sys.modules)
else:
    response = Client(HTTP_HOST="localhost").get("/{admin}login/")
    html = response.content.decode()
    print("status", response.status_code)
    print("toolbar", 'id="djDebug"' in html)
    nonces = set(re.findall(r'<script nonce="([^"]+)"[^>]*debug_toolbar', html))
    header = response.headers.get("Content-Security-Policy", "")
    print("nonce-ok", bool(nonces) and all(f"'nonce-{{n}}'" in header for n in nonces) if header else None)
"""


def test_debug_toolbar_runs_locally_under_csp_and_never_in_production(bake):
    project = bake()
    probe = DEBUG_TOOLBAR_PROBE.format(admin="admin/")

    local = project.run("python", "-c", probe, env={"DJANGO_SETTINGS_MODULE": "config.settings.local"})
    assert "status 200" in local.stdout, local.stdout + local.stderr
    assert "toolbar True" in local.stdout
    assert "nonce-ok False" not in local.stdout, local.stdout

    production = project.run("python", "-c", probe, env=production_env(DJANGO_STATIC_REQUIRE_MANIFEST="false"))
    assert "environment production" in production.stdout
    assert "toolbar-url False" in production.stdout
    assert "imported False" in production.stdout
