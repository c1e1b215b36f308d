"""The production rehearsal: the all-on project deployed for real, driven by real clients, with faults.

One deployment for the whole module, everything on 127.0.0.1 the way a team runs it:
nginx terminating TLS in front of gunicorn (the project's gunicorn.conf.py, 3 workers),
PostgreSQL with password authentication through the psycopg pool, Redis, a Celery worker
and beat, aiosmtpd as the mail provider and a Sentry envelope receiver as the DSN host.
The environment is a file written the way docs/DEPLOYMENT.md says; the release steps are
the ones it lists. Then real clients (Chromium, schemathesis and wrk signed in through the
token endpoint, wrk anonymous too, the MDN Observatory),
then faults (PostgreSQL and Redis stopped and started again, PostgreSQL stopped right after
a burst, Redis hung, with the probes' timings; a worker killed mid-backup,
a full and a read-only backup disk), each restoring what it broke.

Run it alone with ``pytest -m rehearsal``; it writes rehearsal-report.md (and .json) into
$REHEARSAL_REPORT_DIR, else .cache/rehearsal/ (a sample: docs/rehearsal-report-sample.md).
"""

import base64
import concurrent.futures
import contextlib
import http.client
import json
import os
import re
import secrets
import signal
import subprocess
import time
from collections import Counter
from pathlib import Path

import pytest
from cookiecutter.main import cookiecutter

from .support.bodies import Answer, encoded
from .support.browser import headless_chromium
from .support.celery_worker import CeleryWorker
from .support.edge import Gunicorn, TlsProxy, away_from_a_window_edge, tool_missing
from .support.observatory import scan
from .support.project import Project, production_env
from .support.rehearsal import (
    CeleryBeat,
    ConnectionSampler,
    ProbeSampler,
    RehearsalPostgres,
    Report,
    SmallDisk,
    pids_of,
    read_env_file,
    run_wrk,
    wait_until,
    write_env_file,
)
from .support.sentry_receiver import SentryReceiver
from .support.services import RedisServer
from .support.smtp import SmtpServer
from .support.template import TEMPLATE_DIR
from .support.tools import unavailable

pytestmark = [pytest.mark.rehearsal, pytest.mark.xdist_group("rehearsal")]

SLUG = "routex"
ADMIN_URL = "control-7f3a/"
ADMIN_PASSWORD = "correct-horse-battery-9"
ITEMS = "/api/v1/items/"
ME = "/api/v1/users/me/"
TOKEN = "/api/auth/token/"
FUZZER = ("fuzzer@example.org", "fuzz-pass-12345")
LOADER = ("loader@example.org", "load-pass-67890")
ACCESS_MINUTES = 30  # JWT_ACCESS_TOKEN_LIFETIME_MINUTES below: the fuzzer's token outlives its run
USER_LIMIT = 2500  # the signed-in tier, per user and day: the authenticated load run crosses it
AUTHENTICATED_REQUESTS = 3200
WORKERS, THREADS, POOL_MAX = 3, 4, 3
POOL_TIMEOUT = 2  # DATABASE_POOL_TIMEOUT below (the project default)
OUTAGE_RETRY_SECONDS = 2  # the project's default DATABASE_OUTAGE_RETRY_SECONDS
CELERY_CONCURRENCY = 2
ITEMS_LIMIT = 2000  # the items scope, per day: the load run crosses it
LOAD_REQUESTS = 3000
OBSERVATORY_ADDRESS = "127.0.0.9"
REPORT = Report()


class Deployment:
    def __init__(self, root, project):
        self.root = root
        self.project = project
        self.started = []
        self.state = {}

    def call(self, method, path, body=None, headers=None, timeout=120):
        """One request through nginx, on a fresh TLS connection verified against the test CA."""
        connection = http.client.HTTPSConnection(
            self.proxy.address, self.proxy.https_port, context=self.proxy.ssl_context(), timeout=timeout
        )
        started = time.monotonic()
        try:
            connection.request(method, path, body=body, headers=headers or {})
            response = connection.getresponse()
            return Answer.read(response, started)
        finally:
            connection.close()

    def get(self, path, **headers):
        return self.call("GET", path, headers=headers)

    def sign_in(self, email, password):
        """POST the credentials to the token endpoint, as a client does: the JWT pair."""
        body = json.dumps({"email": email, "password": password})
        answer = self.call("POST", TOKEN, body, {"Content-Type": "application/json"})
        assert answer.status == 200, answer
        return answer.json()

    def redis_cli(self, *args):
        return subprocess.run(
            ["redis-cli", "-p", str(self.redis.port), *args], capture_output=True, text=True, check=True
        ).stdout

    def forget(self, pattern):
        """Delete the cache keys matching ``pattern`` (rate-limit counters, mail limits)."""
        script = "for _, k in ipairs(redis.call('keys', ARGV[1])) do redis.call('del', k) end return 1"
        return self.redis_cli("-n", "0", "EVAL", script, "0", pattern)

    def server_errors(self):
        """5xx answers gunicorn logged so far (the access log names each request's status)."""
        return len(re.findall(r"(?m)^pid=<?\d+>? status=5\d\d ", self.app.log.read_text()))

    def backups(self):
        return sorted(p.name for p in self.backup_dir.iterdir() if not p.name.endswith(".metadata"))

    def send_task(self, name):
        result = self.worker.celery("call", name, "--queue", "maintenance", timeout=120)
        assert result.returncode == 0, result.stderr
        return result.stdout.strip().splitlines()[-1]

    def worker_log(self):
        return self.worker.log.read_text()

    def new_sentry_events(self, since):
        with self.sentry.lock:
            return [payload for kind, payload in self.sentry.items[since:] if kind == "event"]


def exception_summary(event):
    values = ((event or {}).get("exception") or {}).get("values") or [{}]
    last = values[-1]
    return f"{last.get('type')}: {last.get('value')}" if last.get("type") else str(event.get("logentry") or "")


def bake_all_on(root):
    return Path(cookiecutter(str(TEMPLATE_DIR), no_input=True, output_dir=str(root / "src")))


@pytest.fixture(scope="module")
def deployment(tmp_path_factory, generated_venv):
    missing = tool_missing("nginx", "openssl", "redis-server", "redis-cli")
    if missing:
        unavailable(f"{missing} is not installed (apt-get install {missing})")
    root = tmp_path_factory.mktemp("rehearsal")
    project = Project(bake_all_on(root), generated_venv)
    deploy = Deployment(root, project)
    try:
        yield start_deployment(deploy)
    finally:
        for service in reversed(deploy.started):
            with contextlib.suppress(Exception):
                service.stop()
        folder = Path(os.environ.get("REHEARSAL_REPORT_DIR") or TEMPLATE_DIR / ".cache" / "rehearsal")
        path = REPORT.write(folder)
        print(f"\nrehearsal report: {path}")


def start_deployment(deploy):
    root, project = deploy.root, deploy.project
    deploy.pg = RehearsalPostgres().start()
    deploy.started.append(deploy.pg)
    database_url = deploy.pg.create_database(SLUG)
    deploy.redis = RedisServer().start()
    deploy.started.append(deploy.redis)
    deploy.smtp = SmtpServer().start()
    deploy.started.append(deploy.smtp)
    deploy.sentry = SentryReceiver().start()
    deploy.started.append(deploy.sentry)
    deploy.backup_dir = root / "backups"
    deploy.disk = SmallDisk(deploy.backup_dir).mount()
    deploy.started.append(type("Unmount", (), {"stop": lambda self: deploy.disk.unmount()})())
    (root / "backup-tmp").mkdir()
    (root / "metrics").mkdir()

    # Ports first: the public origin goes into the environment (CSRF trusted origins).
    app = Gunicorn(project, {}, workers=WORKERS)
    proxy = TlsProxy(app.port)
    env_file = root / f"{SLUG}.env"
    write_env_file(
        env_file,
        production_env(
            JWT_ACCESS_TOKEN_LIFETIME_MINUTES=ACCESS_MINUTES,
            DJANGO_ALLOWED_HOSTS=f"127.0.0.1,{OBSERVATORY_ADDRESS},localhost",
            DJANGO_CSRF_TRUSTED_ORIGINS=f"https://127.0.0.1:{proxy.https_port}",
            DJANGO_ADMIN_URL=ADMIN_URL,
            DATABASE_URL=database_url,
            DATABASE_POOL_MIN_SIZE=1,
            DATABASE_POOL_MAX_SIZE=POOL_MAX,
            DATABASE_POOL_TIMEOUT=POOL_TIMEOUT,
            REDIS_URL=deploy.redis.url(0),
            SENTRY_DSN=deploy.sentry.dsn,
            SENTRY_ENVIRONMENT="rehearsal",
            SENTRY_RELEASE=f"{SLUG}@rehearsal",
            SENTRY_TRACES_SAMPLE_RATE="0",
            EMAIL_URL=deploy.smtp.url,
            DJANGO_ADMINS="Ops <ops@example.org>",
            DJANGO_SERVER_EMAIL="errors@example.org",
            DJANGO_DEFAULT_FROM_EMAIL="RouteX <noreply@example.org>",
            METRICS_TOKEN=secrets.token_hex(16),
            PROMETHEUS_MULTIPROC_DIR=root / "metrics",
            BACKUP_DIR=deploy.backup_dir,
            BACKUP_TMP_DIR=root / "backup-tmp",
            DJANGO_STATIC_ROOT=root / "staticfiles",
            DJANGO_STATIC_REQUIRE_MANIFEST="true",
            TRUSTED_PROXIES="127.0.0.1",
            THROTTLE_ANON_RATE="100000/day",
            THROTTLE_ANON_BURST_RATE="100000/minute",
            THROTTLE_USER_RATE=f"{USER_LIMIT}/day",
            THROTTLE_USER_BURST_RATE="100000/minute",
            THROTTLE_SCOPE_RATES=f"items={ITEMS_LIMIT}/day",
            THROTTLE_SENSITIVE_RATE="5/hour",
            GUNICORN_WORKERS=WORKERS,
            GUNICORN_THREADS=THREADS,
        ),
    )
    # Every process reads the same file; PGAPPNAME (libpq) only tells their connections apart.
    deploy.env = env = read_env_file(env_file)
    deploy.env_file = env_file

    # The release steps of docs/DEPLOYMENT.md, in its order.
    deploy.state["check"] = project.manage("check", "--deploy", "--fail-level", "WARNING", env=env)
    project.manage("migrate", "--noinput", env=env)
    project.manage("collectstatic", "--noinput", env=env)
    deploy.state["testemail"] = project.manage("sendtestemail", "--admins", env=env)
    # The admin the way a team creates one: createsuperuser --noinput, from Django's
    # documented variables; two API clients with passwords, who sign in through nginx later.
    project.manage(
        "createsuperuser", "--noinput",
        env={**env, "DJANGO_SUPERUSER_EMAIL": "ops@example.org", "DJANGO_SUPERUSER_PASSWORD": ADMIN_PASSWORD},
    )  # fmt: skip
    seed = (
        "from django.contrib.auth import get_user_model\n"
        f"from {SLUG}.items.models import Item\n"
        "User = get_user_model()\n"
        f"User.objects.create_user({FUZZER[0]!r}, password={FUZZER[1]!r})\n"
        f"User.objects.create_user({LOADER[0]!r}, password={LOADER[1]!r})\n"
        "ops = User.objects.get(email='ops@example.org')\n"
        "Item.objects.bulk_create(Item(owner=ops, name=f'item {i}', description='x' * i) for i in range(40))\n"
    )
    project.manage("shell", "-c", seed, env=env)

    app.env.update({**env, "PGAPPNAME": "web"})
    app.env.update({"GUNICORN_BIND": f"127.0.0.1:{app.port}", "GUNICORN_ACCESS_LOG": "-"})
    deploy.app = app.start()
    deploy.started.append(app)
    deploy.proxy = proxy.start()
    deploy.started.append(proxy)
    deploy.worker = CeleryWorker(project, {**env, "PGAPPNAME": "worker"}, concurrency=CELERY_CONCURRENCY)
    deploy.worker.start(timeout=180)
    deploy.started.append(deploy.worker)
    deploy.beat = CeleryBeat(project, {**env, "PGAPPNAME": "beat"}, root).start()
    deploy.started.append(deploy.beat)
    wait_until(lambda: deploy.get("/api/health/").status == 200, 120, what="a healthy deployment")
    # The fuzzer signs in through nginx like any client (ACCESS_MINUTES outlives its run).
    deploy.token = deploy.sign_in(*FUZZER)["access"]
    REPORT.fact("deployment", f"nginx TLS :{proxy.https_port} -> gunicorn {WORKERS} workers x {THREADS} threads")
    REPORT.fact("database pool", f"psycopg_pool, {POOL_MAX} connections max per process")
    return deploy


# --- The release -------------------------------------------------------------------------


def test_the_release_steps_leave_a_healthy_deployment(deployment):
    assert "System check identified no issues" in deployment.state["check"].stdout
    health = deployment.get("/api/health/")
    assert health.status == 200, health
    assert {"database", "cache"} <= set(health.json()["checks"]), health.json()
    assert len(health.json()["checks"]) >= 3, "the Celery broker is checked too"
    assert deployment.get("/api/health/live/").status == 200
    # Plain HTTP is redirected to HTTPS by nginx; HTTPS answers carry HSTS.
    connection = http.client.HTTPConnection("127.0.0.1", deployment.proxy.http_port, timeout=30)
    connection.request("GET", ITEMS)
    assert connection.getresponse().status == 301
    assert "max-age=31536000" in health.headers["strict-transport-security"]
    # `sendtestemail --admins` reached the mail provider, addressed to ADMINS.
    assert any("ops@example.org" in to for _, to, _ in deployment.smtp.wait_for(1, timeout=30))
    assert deployment.beat.alive(), deployment.beat.log.read_text()[-3000:]


# --- Real clients ------------------------------------------------------------------------

CSP_LISTENER = """
window.__cspViolations = [];
document.addEventListener("securitypolicyviolation", (e) => {
  window.__cspViolations.push(`${e.violatedDirective} blocked ${e.blockedURI} at ${e.sourceFile}:${e.lineNumber}`);
});
"""


def test_a_browser_uses_the_admin_the_resource_and_the_api_docs(deployment):
    base = deployment.proxy.url
    problems, visited, offline = [], [], []

    def local(url):
        return url.startswith((base, "data:", "blob:"))

    def on_console(message):
        url = message.location.get("url", "")
        # This machine is offline: a third-party image the CSP allows (ReDoc's maker logo
        # from cdn.redoc.ly, which ReDoc hides when it fails) cannot load. Reported below.
        if message.type == "error" and not ("net::ERR_NAME_NOT_RESOLVED" in message.text and not local(url)):
            problems.append(f"{page.url}: console: {message.text} ({url})")

    with headless_chromium() as browser:
        # Our CA is not in Chromium's store; the Python clients verify it.
        context = browser.new_context(ignore_https_errors=True)
        page = context.new_page()
        page.add_init_script(CSP_LISTENER)
        page.on("console", on_console)
        page.on("pageerror", lambda error: problems.append(f"{page.url}: {error}"))
        page.on("requestfailed", lambda r: offline.append(r.url) if not local(r.url) else None)

        def settle():
            page.wait_for_load_state("networkidle")
            problems.extend(f"{page.url}: CSP: {v}" for v in page.evaluate("window.__cspViolations || []"))
            page.evaluate("window.__cspViolations = []")

        def visit(path):
            response = page.goto(base + path, wait_until="networkidle")
            settle()
            visited.append((path, response.status))
            return response

        login = visit(f"/{ADMIN_URL}login/")
        assert "content-security-policy" in login.headers
        page.fill("#id_username", "ops@example.org")
        page.fill("#id_password", ADMIN_PASSWORD)
        page.click("input[type=submit]")
        settle()
        assert page.url.rstrip("/").endswith(ADMIN_URL.rstrip("/")), page.url
        for path in ("", "items/item/", "items/item/1/change/", "items/item/add/", "users/user/"):
            assert visit(f"/{ADMIN_URL}{path}").status == 200, path
        resource = visit(ITEMS)
        assert resource.status == 200
        assert json.loads(page.locator("body").inner_text())["count"] >= 40
        for path in ("/api/docs/", "/api/redoc/"):
            assert visit(path).status == 200, path
            page.wait_for_timeout(1500)  # the UIs render the schema after it loads
            settle()
    REPORT.fact("browser pages visited (Chromium)", len(visited))
    REPORT.fact("browser console errors + CSP violations", len(problems))
    if offline:
        REPORT.note(f"Offline machine: third-party resources the CSP allows did not load: {sorted(set(offline))}")
    assert problems == [], "\n".join(problems)


def test_static_files_come_back_compressed_with_immutable_caching(deployment):
    login = deployment.get(f"/{ADMIN_URL}login/").body.decode()
    stylesheets = re.findall(r'href="(/static/[^"]+\.[0-9a-f]{12}\.css)"', login)
    assert stylesheets, login[:2000]
    for encoding in ("br", "gzip"):
        response = deployment.get(stylesheets[0], **{"Accept-Encoding": encoding})
        assert response.status == 200
        assert response.headers.get("content-encoding") == encoding, response.headers
        assert "immutable" in response.headers["cache-control"]
        assert "max-age=315360000" in response.headers["cache-control"]
    REPORT.fact("static files", "br and gzip, Cache-Control immutable (hashed names)")


def test_schemathesis_finds_no_5xx_and_no_schema_violation_through_nginx(deployment):
    from .test_api_versioning import run_schemathesis

    before = deployment.server_errors()
    lines_before = len(deployment.app.log.read_text().splitlines())
    run = run_schemathesis(
        deployment.proxy.url,
        "--tls-verify", str(deployment.proxy.ca_file),
        "--header", f"Authorization: Bearer {deployment.token}",
        "--max-examples", "10",
    )  # fmt: skip
    requests = len(deployment.app.log.read_text().splitlines()) - lines_before
    REPORT.fact("schemathesis requests (through nginx, authenticated)", requests)
    REPORT.fact("schemathesis 5xx / schema violations", "0 / 0" if run.returncode == 0 else "see test output")
    assert run.returncode == 0, f"schemathesis found problems:\n{run.stdout[-8000:]}\n{run.stderr[-2000:]}"
    assert deployment.server_errors() == before
    assert requests >= 50


def ready_for_a_daily_load_run(deployment):
    """wrk at hand, no throttle counter spent, and the daily window not about to roll over
    mid-run; the server errors logged so far."""
    if tool_missing("wrk"):
        unavailable("wrk is not installed (apt-get install wrk)")
    away_from_a_window_edge(86400, margin=120)
    deployment.forget("*throttle_*")
    return deployment.server_errors()


def report_throttled_load(name, how, limit, summary):
    """A wrk run's facts for the report, recorded before any check of it can fail."""
    statuses = summary["statuses"]
    REPORT.fact(f"{name} ({how}) requests", sum(statuses.values()))
    REPORT.fact(f"{name} statuses", ", ".join(f"{k}: {v}" for k, v in sorted(statuses.items())))
    REPORT.fact(f"{name} 5xx", sum(count for status, count in statuses.items() if status >= 500))
    REPORT.fact(f"{name} 429s ({limit}, limit exactly hit)", statuses.get(429, 0))
    latency = f"{summary['latency_p50_ms']:.0f} ms / {summary['latency_p99_ms']:.0f} ms"
    REPORT.fact(f"{name} p50 / p99 latency", latency)


def check_throttled_load(summary, requests, limit):
    """At least ``requests`` sent, no 5xx, socket error or timeout, only 200 and 429: exactly
    ``limit`` got through, whatever the worker or the connection, each refusal with Retry-After."""
    statuses = summary["statuses"]
    assert sum(statuses.values()) >= requests, summary
    assert sum(count for status, count in statuses.items() if status >= 500) == 0, summary
    assert summary["socket_errors"] == 0 and summary["timeouts"] == 0, summary
    assert set(statuses) <= {200, 429}, summary
    assert statuses[200] == limit, summary
    assert summary["retry_after_missing"] == 0
    assert 1 <= summary["retry_after_min"] <= summary["retry_after_max"] <= 86400, summary


def test_a_load_run_gets_no_5xx_exact_throttles_and_bounded_connections(deployment):
    before = ready_for_a_daily_load_run(deployment)
    sampler = ConnectionSampler(deployment.project, deployment.pg.url("postgres"), SLUG)
    try:
        summary = run_wrk(deployment.proxy.url + ITEMS, deployment.root, LOAD_REQUESTS, connections=32)
    finally:
        peaks = sampler.finish()
        deployment.forget("*throttle_*")
    web_bound = WORKERS * POOL_MAX
    processes = WORKERS + CELERY_CONCURRENCY + 2  # gunicorn workers, worker children, worker, beat
    report_throttled_load("load run", "wrk, 32 connections", "items scope", summary)
    REPORT.fact(
        "PostgreSQL connections peak",
        f"{peaks['total']} in all (bound {processes * POOL_MAX}), gunicorn {peaks['per_app'].get('web', 0)} "
        f"(bound {web_bound} = {WORKERS} workers x {POOL_MAX})",
    )
    check_throttled_load(summary, LOAD_REQUESTS, ITEMS_LIMIT)
    assert deployment.server_errors() == before
    assert 1 <= peaks["per_app"].get("web", 0) <= web_bound, peaks
    assert peaks["total"] <= processes * POOL_MAX, peaks


def jwt_claims(token):
    """The payload of a JWT, unverified: what a client can read of its own token."""
    payload = token.split(".")[1]
    return json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)))


def test_a_signed_in_load_run_gets_no_5xx_and_exactly_the_user_tier(deployment):
    """A client signs in through nginx, then hammers users/me/ with its Bearer token."""
    before = ready_for_a_daily_load_run(deployment)
    tokens = deployment.sign_in(*LOADER)
    claims = jwt_claims(tokens["access"])
    bearer = f"Authorization: Bearer {tokens['access']}"
    try:
        summary = run_wrk(deployment.proxy.url + ME, deployment.root, AUTHENTICATED_REQUESTS, headers=[bearer])
        loader = deployment.get(ME, Authorization=f"Bearer {tokens['access']}")
        fuzzer = deployment.get(ME, Authorization=f"Bearer {deployment.token}")
        anonymous = deployment.get(ITEMS)
    finally:
        deployment.forget("*throttle_*")
    report_throttled_load(
        "signed-in load run", "wrk, Bearer token from the token endpoint", f"user tier {USER_LIMIT}/day", summary
    )
    assert claims["exp"] - claims["iat"] == ACCESS_MINUTES * 60, "JWT_ACCESS_TOKEN_LIFETIME_MINUTES applies"
    # The signed-in tier counts per user: exactly its limit got through, the rest was
    # refused with Retry-After (docs/SECURITY.md).
    check_throttled_load(summary, AUTHENTICATED_REQUESTS, USER_LIMIT)
    assert loader.status == 429 and loader.json()["error"]["code"] == "throttled", loader
    assert 1 <= int(loader.headers["retry-after"]) <= 86400, loader.headers
    # One user's traffic never uses up another's, nor the anonymous tier's.
    assert fuzzer.status == 200 and fuzzer.json()["email"] == FUZZER[0], fuzzer
    assert anonymous.status == 200, anonymous
    assert deployment.server_errors() == before


def test_the_sensitive_tier_refuses_exactly_past_its_limit(deployment):
    away_from_a_window_edge(3600)
    deployment.forget("*throttle_*")
    body, headers = encoded("/api/auth/token/", {"username": "nobody", "password": "wrong"})
    answers = [deployment.call("POST", "/api/auth/token/", body, headers) for _ in range(7)]
    deployment.forget("*throttle_*")
    assert [a.status for a in answers] == [400] * 5 + [429] * 2, answers
    assert all(1 <= int(a.headers["retry-after"]) <= 3600 for a in answers[5:])
    assert answers[-1].json()["error"]["code"] == "throttled"
    REPORT.fact("sensitive tier (5/hour)", "5 answered, 6th and 7th: 429 with Retry-After")


def test_the_mdn_observatory_grades_the_deployment_a_plus(deployment):
    report, output = scan(deployment.app.port, address=OBSERVATORY_ADDRESS, home=f"/{ADMIN_URL}login/")
    result = report.get("scan", {})
    REPORT.fact("MDN HTTP Observatory", f"{result.get('grade')} ({result.get('score')})")
    assert result.get("grade") == "A+", output


# --- Faults ------------------------------------------------------------------------------


def every_worker_back_on_the_database(deployment):
    """Seconds from the restart to the first answer, and ten answers once every worker is back.

    Each worker process ends its own outage at its first request after its retry wait
    (DATABASE_OUTAGE_RETRY_SECONDS): the first 200 may come from one worker while another
    still fails fast, so the next test starts only once that wait is over for all of them.
    """
    started = time.monotonic()
    wait_until(lambda: deployment.get(ITEMS).status == 200, 120, interval=0.5, what="the pool to recover")
    recovery = time.monotonic() - started
    time.sleep(OUTAGE_RETRY_SECONDS + 1)
    return recovery, [deployment.get(ITEMS).status for _ in range(10)]


def test_postgres_stopped_then_started(deployment):
    deployment.forget("*error-mail*")
    deployment.smtp.clear()
    sentry_mark = len(deployment.sentry.items)
    master = deployment.app.process.pid
    deployment.pg.stop_server()
    try:
        health = deployment.get("/api/health/")
        live = deployment.get("/api/health/live/")
        with concurrent.futures.ThreadPoolExecutor(12) as pool:
            failures = list(pool.map(lambda _: deployment.get(ITEMS), range(12)))
    finally:
        deployment.pg.start_server()
    recovery, after = every_worker_back_on_the_database(deployment)
    mails = deployment.smtp.wait_for(1, timeout=60)
    time.sleep(5)  # late duplicates, if any, would arrive now
    mails = [subject for _, to, m in deployment.smtp.messages if "ops@example.org" in to for subject in [m["subject"]]]
    events = deployment.new_sentry_events(sentry_mark)
    kinds = Counter(exception_summary(event)[:120] for event in events if event.get("level") in ("error", "fatal"))

    REPORT.fault(
        "PostgreSQL stopped",
        True,
        after == [200] * 10 and deployment.app.process.pid == master,
        f"/api/health/ {health.status} naming {health.json().get('failing') if health.status == 503 else '-'} "
        f"in {health.seconds:.1f}s; live {live.status}; {len(failures)} requests answered "
        f"{sorted(Counter(f.status for f in failures).items())} JSON; {len(mails)} e-mail(s) to ADMINS, "
        f"{len(events)} Sentry event(s); pool recovered {recovery:.1f}s after the restart, same gunicorn",
    )
    assert health.status == 503, health
    assert "database" in health.json()["failing"]
    assert live.status == 200
    for failure in failures:
        assert failure.status in (500, 503), failure
        assert failure.headers["content-type"].startswith("application/json"), failure
        assert "error" in failure.json()
        assert b"Traceback" not in failure.body and b"<html" not in failure.body.lower()
    assert after == [200] * 10
    assert deployment.app.process.pid == master and deployment.app.process.poll() is None
    assert mails, "ADMINS heard nothing of the outage"
    assert len(mails) == len(set(mails)), f"the same error was mailed more than once: {mails}"
    assert len(mails) < len(failures)
    # Sentry hears of each kind of error once, however many requests failed with it.
    assert kinds, "Sentry heard nothing of the outage"
    assert max(kinds.values()) == 1, kinds


def test_redis_stopped_then_started(deployment):
    deployment.redis.stop()
    try:
        reads = [deployment.get(ITEMS) for _ in range(5)]
        login = deployment.call(
            "POST", "/api/auth/token/", *encoded("/api/auth/token/", {"username": "a", "password": "b"})
        )
        health = deployment.get("/api/health/")
        live = deployment.get("/api/health/live/")
    finally:
        deployment.redis.start()
    wait_until(lambda: deployment.get("/api/health/").status == 200, 120, interval=0.5, what="health after Redis")
    started = time.monotonic()
    pong = deployment.worker.run_task(f"{SLUG}.core.tasks.ping", timeout=180)
    celery_back = time.monotonic() - started
    REPORT.fault(
        "Redis stopped",
        True,
        pong == "'pong'" and deployment.beat.alive(),
        f"reads {sorted(Counter(r.status for r in reads).items())} (general tiers fail open), token endpoint "
        f"{login.status} (sensitive tier fails closed), /api/health/ {health.status} naming "
        f"{health.json().get('failing') if health.status == 503 else '-'}; Celery ran a task "
        f"{celery_back:.1f}s after Redis returned, beat alive",
    )
    assert [r.status for r in reads] == [200] * 5, reads
    assert login.status == 429, login
    assert "retry-after" in login.headers
    assert health.status == 503 and "cache" in health.json()["failing"], health
    assert live.status == 200
    assert pong == "'pong'"
    assert deployment.beat.alive(), deployment.beat.log.read_text()[-3000:]


def test_postgres_stopped_right_after_a_burst(deployment):
    """Queued requests during an outage: each fails fast; the probes keep their budgets."""
    master = deployment.app.process.pid
    with concurrent.futures.ThreadPoolExecutor(16) as pool:
        burst = list(pool.map(lambda _: deployment.get(ITEMS).status, range(48)))
    deployment.pg.stop_server()
    try:
        with (
            ProbeSampler(deployment.get, "/api/health/live/") as live,
            ProbeSampler(deployment.get, "/api/health/", interval=0.5) as ready,
        ):
            with concurrent.futures.ThreadPoolExecutor(24) as pool:
                queued = list(pool.map(lambda _: deployment.get(ITEMS), range(24)))
            time.sleep(4)  # the probes, once every worker knows
        later = [deployment.get(ITEMS) for _ in range(10)]
    finally:
        deployment.pg.start_server()
    recovery, after = every_worker_back_on_the_database(deployment)
    settled = POOL_TIMEOUT + 1
    REPORT.fault(
        "PostgreSQL stopped right after a burst",
        True,
        deployment.get("/api/health/").status == 200 and deployment.app.process.pid == master,
        f"{len(queued)} queued requests {sorted(Counter(a.status for a in queued).items())}, slowest "
        f"{max(a.seconds for a in queued):.1f}s; then {max(a.seconds for a in later) * 1000:.0f} ms at most; "
        f"probes: {live.summary(settled)}, {ready.summary(settled)}; recovered {recovery:.1f}s after the "
        "restart, same gunicorn",
    )
    REPORT.fact(
        "probe timings, database down (live / ready, slowest)", f"{live.slowest():.2f}s / {ready.slowest():.2f}s"
    )
    REPORT.fact("liveness margin, database down (1 s budget, from the first moment)", f"{1 - live.slowest():.2f}s")
    assert burst == [200] * 48, Counter(burst)
    assert after == [200] * 10, after
    for answer in queued + later:
        assert answer.status == 503 and answer.json()["error"]["code"] == "database_unavailable", answer
    # No queued request waits out the pool timeout: the first broken pooled connection,
    # confirmed with a direct connection, tells every thread of its worker.
    assert max(a.seconds for a in queued) < POOL_TIMEOUT, queued
    assert max(a.seconds for a in later) < 1, later
    # Liveness within its 1 s budget from the first moment, the first wave included.
    assert all(status == 200 for _, status, _ in live.answers), live.answers
    assert live.slowest() < 1, live.answers
    assert all(status == 503 for _, status, _ in ready.answers), ready.answers
    assert ready.slowest() < 3, ready.answers
    assert deployment.app.process.pid == master


def test_redis_hung_then_answering_again(deployment):
    """redis-server stopped with SIGSTOP: connections are accepted, nothing is answered."""
    os.kill(deployment.redis.process.pid, signal.SIGSTOP)
    try:
        with (
            ProbeSampler(deployment.get, "/api/health/live/") as live,
            ProbeSampler(deployment.get, "/api/health/", interval=0.5) as ready,
        ):
            reads = [deployment.get(ITEMS) for _ in range(5)]
            login = deployment.call(
                "POST", "/api/auth/token/", *encoded("/api/auth/token/", {"username": "a", "password": "b"})
            )
            time.sleep(2)
    finally:
        os.kill(deployment.redis.process.pid, signal.SIGCONT)
    wait_until(lambda: deployment.get("/api/health/").status == 200, 120, interval=0.5, what="health after Redis")
    started = time.monotonic()
    pong = deployment.worker.run_task(f"{SLUG}.core.tasks.ping", timeout=180)
    celery_back = time.monotonic() - started
    failing = sorted({name for _, status, _ in ready.answers if status == 503 for name in ("cache", "broker")})
    REPORT.fault(
        "Redis hung (SIGSTOP)",
        True,
        pong == "'pong'" and deployment.beat.alive(),
        f"reads {sorted(Counter(r.status for r in reads).items())} slowest {max(r.seconds for r in reads):.1f}s "
        f"(general tiers fail open), token endpoint {login.status} in {login.seconds:.1f}s (sensitive tier fails "
        f"closed); probes: {live.summary()}, {ready.summary()}; Celery ran a task {celery_back:.1f}s after "
        "Redis answered again",
    )
    REPORT.fact("probe timings, Redis hung (live / ready, slowest)", f"{live.slowest():.2f}s / {ready.slowest():.2f}s")
    assert [r.status for r in reads] == [200] * 5, reads
    assert max(r.seconds for r in reads) < 3, reads
    assert login.status == 429 and login.seconds < 3, login
    assert all(status == 200 for _, status, _ in live.answers) and live.slowest() < 2, live.answers
    assert all(status == 503 for _, status, _ in ready.answers) and ready.slowest() < 3, ready.answers
    assert failing == ["broker", "cache"]
    assert pong == "'pong'"
    assert deployment.beat.alive(), deployment.beat.log.read_text()[-3000:]


def lock_items_table(deployment):
    """A transaction holding an exclusive lock on the items table: pg_dump waits behind it."""
    pg = deployment.pg
    command = [str(pg.bindir / "psql"), "-h", str(pg.root), "-p", str(pg.port), "-U", "postgres", "-d", SLUG,
               "-c", "BEGIN; LOCK TABLE items_item IN ACCESS EXCLUSIVE MODE; SELECT pg_sleep(900);"]  # fmt: skip
    if pg.as_root:
        command = ["runuser", "-u", "postgres", "--", *command]
    locker = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    granted = (
        "SELECT count(*) FROM pg_locks WHERE relation = 'items_item'::regclass"
        " AND granted AND mode = 'AccessExclusiveLock'"
    )
    wait_until(lambda: pg.psql(granted, database=SLUG) == "1", 60, what="the table lock")
    return locker


def unlock_items_table(deployment, locker):
    deployment.pg.psql(
        "SELECT pg_cancel_backend(pid) FROM pg_stat_activity"
        " WHERE query LIKE '%pg_sleep(900)%' AND pid <> pg_backend_pid()"
    )
    with contextlib.suppress(subprocess.TimeoutExpired):
        locker.wait(30)
    if locker.poll() is None:
        locker.kill()


def test_a_worker_killed_mid_backup_redelivers_and_backs_up_once(deployment):
    before = deployment.backups()
    locker = lock_items_table(deployment)
    try:
        task_id = deployment.send_task("maintenance.backup_database")
        first = wait_until(lambda: [p for p in pids_of("pg_dump") if p[0] != os.getpid()], 180, what="pg_dump")
        dump_pid, child_pid = first[0]
        child_cmdline = Path(f"/proc/{child_pid}/cmdline").read_bytes()
        assert b"celery" in child_cmdline, child_cmdline
        os.kill(child_pid, signal.SIGKILL)
        with contextlib.suppress(ProcessLookupError):
            os.kill(dump_pid, signal.SIGKILL)
        second = wait_until(
            lambda: [p for p in pids_of("pg_dump") if p[0] != dump_pid], 180, what="the task to be redelivered"
        )
        assert second[0][1] != child_pid
        partial = [p.name for p in deployment.backup_dir.iterdir() if p.name.startswith(".")]
    finally:
        unlock_items_table(deployment, locker)
    done = f"[{task_id}] succeeded"
    wait_until(lambda: done in deployment.worker_log(), 300, interval=0.5, what="the redelivered backup")
    after = deployment.backups()
    new = sorted(set(after) - set(before))
    leftovers = [p.name for p in deployment.backup_dir.iterdir() if p.name.startswith(".")]
    leftovers += [p.name for p in (deployment.root / "backup-tmp").iterdir()]
    REPORT.fault(
        "Celery worker SIGKILLed mid-backup",
        True,
        len(new) == 1 and not leftovers,
        f"task redelivered to a new worker process, {len(new)} new backup, "
        f"{deployment.worker_log().count(done)} success, no partial file",
    )
    assert partial == [], partial
    assert len(new) == 1, (before, after)
    assert (deployment.backup_dir / f"{new[0]}.metadata").exists()
    assert deployment.worker_log().count(done) == 1
    assert leftovers == []
    deployment.state["last_backup"] = new[0]


@pytest.mark.parametrize("fault", ["full", "read-only"])
def test_a_full_or_read_only_backup_destination_fails_loudly(deployment, fault):
    disk = deployment.disk
    if not disk.mounted:
        unavailable(disk.problem)
    if not deployment.backups():
        task = deployment.send_task("maintenance.backup_database")
        wait_until(lambda: f"[{task}] succeeded" in deployment.worker_log(), 300, what="a first backup")
    before = {p.name: p.read_bytes() for p in deployment.backup_dir.iterdir()}
    deployment.forget("*error-mail*")
    deployment.smtp.clear()
    sentry_mark = len(deployment.sentry.items)
    filler = None
    if fault == "full":
        filler = disk.fill()
    else:
        disk.remount("ro")
    try:
        task_id = deployment.send_task("maintenance.backup_database")
        finished = (f"[{task_id}] raised", f"[{task_id}] succeeded")
        log = deployment.worker_log
        wait_until(lambda: any(x in log() for x in finished), 300, interval=0.5, what="the backup task to end")
    finally:
        if filler:
            filler.unlink()
        else:
            disk.remount("rw")
    failed = f"[{task_id}] raised" in deployment.worker_log()
    after = {p.name: p.read_bytes() for p in deployment.backup_dir.iterdir()}
    mails = [m for _, to, m in deployment.smtp.wait_for(1, timeout=60) if "ops@example.org" in to]
    events = wait_until(lambda: deployment.new_sentry_events(sentry_mark), 60, what="a Sentry event", quiet=True)
    event = events[0] if events else None
    REPORT.fault(
        f"backup destination {fault}",
        True,
        failed and after == before,
        f"task {'failed' if failed else 'SUCCEEDED'}; "
        f"previous backups {'untouched' if after == before else 'CHANGED'}; "
        f"{len(mails)} e-mail(s) to ADMINS ({', '.join(m['subject'] for m in mails)[:120]}); "
        f"Sentry: {exception_summary(event)[:100] if event else 'nothing'}",
    )
    assert failed, deployment.worker_log()[-4000:]
    assert after == before
    assert mails, "ADMINS heard nothing of the failed backup"
    assert event is not None, "Sentry heard nothing of the failed backup"
