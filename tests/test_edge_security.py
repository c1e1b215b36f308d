"""Edge security, end to end: real gunicorn workers, real Redis, real nginx, a real browser.

* Rate limits hold across gunicorn workers sharing Redis, behind nginx: the (N+1)th
  request to a sensitive endpoint from one IP is refused whichever worker answers, a
  second IP is unaffected, a spoofed X-Forwarded-For does not help.
* Headless Chromium (Debian's) finds zero Content-Security-Policy violations in the admin,
  the browsable API, the API docs UI and the debug toolbar.
* The MDN HTTP Observatory grades the production project behind TLS-terminating nginx A+.
"""

import concurrent.futures
import http.client
import json
import re
import subprocess
import uuid

import pytest

from .support.bodies import exchange
from .support.browser import headless_chromium
from .support.edge import Gunicorn, TlsProxy, away_from_a_window_edge, tool_missing
from .support.observatory import scan
from .support.project import clean_env, production_env
from .support.services import free_port, wait_for_port
from .support.tools import unavailable

# Features that have nothing to do with the edge stay off, so these tests need no broker.
QUIET = {
    "use_sentry": False,
    "use_celery": False,
    "use_db_backups": False,
    "use_prometheus": False,
    "use_admin_error_log": False,
    "use_docker": False,
    "ci_tool": "none",
    "db_pooling": "none",
}


def deploy_env(project, postgres, redis_server, **extra):
    """Production settings on a fresh PostgreSQL database and the shared Redis."""
    name = f"edge_{uuid.uuid4().hex[:8]}"
    postgres.run("createdb", "-h", "127.0.0.1", "-p", str(postgres.port), "-U", "postgres", name)
    env = production_env(
        DATABASE_URL=postgres.url(name),
        REDIS_URL=redis_server.url(),
        DJANGO_ALLOWED_HOSTS="127.0.0.1,127.0.0.5,localhost",
        DJANGO_STATIC_REQUIRE_MANIFEST="false",
        **extra,
    )
    project.manage("migrate", "--noinput", env=env)
    project.manage("collectstatic", "--noinput", env=env)
    return env


def request(proxy, source_ip, method, path, data=None, headers=None):
    """One request on a fresh connection from ``source_ip`` (any 127.x address is ours)."""
    connection = http.client.HTTPSConnection(
        proxy.address,
        proxy.https_port,
        context=proxy.ssl_context(),
        source_address=(source_ip, 0),
        timeout=60,
    )
    return exchange(connection, method, path, data, headers)


@pytest.fixture
def edge(bake, postgres, redis_server):
    missing = tool_missing("nginx", "openssl")
    if missing:
        unavailable(f"{missing} is not installed (apt-get install {missing})")
    started = []

    def _edge(answers, workers=3, **env):
        project = bake(**{**QUIET, **answers})
        settings_env = deploy_env(project, postgres, redis_server, **env)
        app = Gunicorn(project, settings_env, workers=workers).start()
        started.append(app)
        proxy = TlsProxy(app.port).start()
        started.append(proxy)
        return project, app, proxy

    yield _edge
    for service in reversed(started):
        service.stop()


def test_the_sensitive_limit_holds_across_workers_ips_and_spoofed_headers(edge):
    rate = 6
    _, app, proxy = edge(
        {"use_throttling": True, "use_openapi": False},
        workers=3,
        TRUSTED_PROXIES="127.0.0.1",
        THROTTLE_SENSITIVE_RATE=f"{rate}/hour",
    )
    away_from_a_window_edge(3600)

    def attempt(n):
        # Every request claims to come from elsewhere; nginx appends the real address.
        spoof = {"X-Forwarded-For": f"10.{n}.0.1, 203.0.113.{n}"}
        data = {"username": f"user{n}", "password": "wrong"}
        return request(proxy, "127.0.0.2", "POST", "/api/auth/token/", data, spoof)

    with concurrent.futures.ThreadPoolExecutor(max_workers=8) as pool:
        results = list(pool.map(attempt, range(3 * rate)))

    statuses = sorted(status for status, _, _ in results)
    assert statuses == [400] * rate + [429] * (2 * rate), statuses
    for status, headers, body in results:
        if status == 429:
            assert 1 <= int(headers["retry-after"]) <= 3600
            assert json.loads(body)["error"]["code"] == "throttled"
    # Three workers shared the work, so the limit did not live in any one of them.
    assert len(app.worker_pids()) > 1, app.log.read_text()[-2000:]

    # Another client is unaffected; the first one stays refused.
    other, _, _ = request(proxy, "127.0.0.3", "POST", "/api/auth/token/", {"username": "a", "password": "b"})
    again, _, _ = request(proxy, "127.0.0.2", "POST", "/api/auth/token/", {"username": "a", "password": "b"})
    assert other == 400
    assert again == 429


def test_the_general_tiers_hold_across_workers(edge):
    _, _, proxy = edge(
        {"use_throttling": True, "use_openapi": False},
        workers=3,
        TRUSTED_PROXIES="127.0.0.1",
        THROTTLE_ANON_RATE="4/hour",
        THROTTLE_ANON_BURST_RATE="100/minute",
    )
    away_from_a_window_edge(3600)
    live = "/api/health/live/"
    items = next(p for p in ("/api/v1/items/", "/api/items/") if request(proxy, "127.0.0.9", "GET", p)[0] != 404)

    anonymous = [request(proxy, "127.0.0.4", "GET", items)[0] for _ in range(6)]
    health = request(proxy, "127.0.0.4", "GET", live)[0]

    assert anonymous == [200, 200, 200, 200, 429, 429]
    assert health == 200  # infrastructure endpoints are not API traffic


# --- Content-Security-Policy in a real browser --------------------------------------------

CSP_LISTENER = """
window.__cspViolations = [];
document.addEventListener("securitypolicyviolation", (e) => {
  window.__cspViolations.push(`${e.violatedDirective} blocked ${e.blockedURI} at ${e.sourceFile}:${e.lineNumber}`);
});
"""


@pytest.fixture
def browser():
    with headless_chromium() as browser:
        yield browser


class PageWatcher:
    """A browser page that records CSP violations and console errors per URL."""

    def __init__(self, browser):
        self.page = browser.new_page()
        self.page.add_init_script(CSP_LISTENER)
        self.problems = []
        self.page.on("console", self.on_console)
        self.page.on("pageerror", lambda error: self.problems.append(f"{self.page.url}: {error}"))

    def on_console(self, message):
        # Network failures (an offline favicon or CDN logo) are not what this test is about.
        if "Content Security Policy" in message.text or "Permissions-Policy" in message.text:
            self.problems.append(f"{self.page.url}: console {message.type}: {message.text}")

    def visit(self, url):
        response = self.page.goto(url, wait_until="networkidle")
        self.settle()
        return response

    def settle(self):
        self.page.wait_for_load_state("networkidle")
        for violation in self.page.evaluate("window.__cspViolations || []"):
            self.problems.append(f"{self.page.url}: CSP violation: {violation}")
        self.page.evaluate("window.__cspViolations = []")


@pytest.fixture
def local_server(bake):
    """A generated project on runserver with local settings (DEBUG, toolbar, browsable API)."""
    servers = []

    def _serve(answers):
        project = bake(**{**QUIET, **answers})
        env = {"DJANGO_SUPERUSER_PASSWORD": "correct-horse-battery-9"}
        project.manage("migrate", "--noinput", env=env)
        project.manage("createsuperuser", "--noinput", "--email", "r@example.com", env=env)
        port = free_port()
        process = subprocess.Popen(
            [str(project.venv / "bin" / "python"), "manage.py", "runserver", "--noreload", f"127.0.0.1:{port}"],
            cwd=project.path,
            env=clean_env(),
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )  # fmt: skip
        servers.append(process)
        wait_for_port(port)
        return project, f"http://127.0.0.1:{port}"

    yield _serve
    for process in servers:
        process.terminate()
        process.wait(10)


def test_admin_browsable_api_docs_and_toolbar_have_zero_csp_violations(browser, local_server):
    project, base = local_server({"use_csp": True, "use_openapi": True, "use_debug_toolbar": True})
    watcher = PageWatcher(browser)
    page = watcher.page

    response = watcher.visit(f"{base}/admin/login/")
    assert "Content-Security-Policy" in {k.title(): v for k, v in response.headers.items()}
    page.fill("#id_username", "r@example.com")
    page.fill("#id_password", "correct-horse-battery-9")
    page.click("input[type=submit]")
    watcher.settle()
    assert page.url.rstrip("/").endswith("/admin"), page.url
    admin_pages = ["/admin/", "/admin/users/user/", "/admin/users/user/1/change/", "/admin/auth/group/add/"]
    if (project.path / project.path.name / "items").exists():
        admin_pages += ["/admin/items/item/", "/admin/items/item/add/"]
    for path in admin_pages:
        assert watcher.visit(base + path).status == 200, path

    # The browsable API, with the debug toolbar on it (local settings).
    items = next(p for p in ("/api/v1/items/", "/api/items/") if page.request.get(base + p).status != 404)
    watcher.visit(base + items)
    assert page.locator("#djDebug").count() == 1, "the debug toolbar did not render"
    # The toolbar's own script (loaded with the nonce) reveals it, inside its shadow root.
    page.locator("#djDebugToolbarHandle:visible, #djDebugToolbar:visible").first.wait_for()
    page.locator("#djShowToolBarButton:visible, #djHideToolBarButton:visible").first.click()
    watcher.settle()

    docs = [path for path in ("/api/docs/", "/api/redoc/") if page.request.get(base + path).status == 200]
    for path in docs:
        watcher.visit(base + path)
        page.wait_for_timeout(1500)  # the UIs render the schema after it loads
        watcher.settle()

    assert watcher.problems == []
    assert docs, "use_openapi is on but no docs UI answered at /api/docs/ or /api/redoc/"


# --- MDN HTTP Observatory -------------------------------------------------------------------


def test_the_production_project_scores_a_plus_on_the_mdn_observatory(bake, postgres, redis_server):
    project = bake()
    app = Gunicorn(project, deploy_env(project, postgres, redis_server), workers=2).start()
    try:
        # The admin login: the one HTML page every project has, so the policy is graded there.
        report, output = scan(app.port, address="127.0.0.5", home="/admin/login/")
    finally:
        app.stop()
    scan_result = report.get("scan", {})
    failed = {name: test.get("result") for name, test in report.get("tests", {}).items() if not test.get("pass")}
    assert scan_result.get("grade") == "A+", f"{output} failed: {failed}"
    assert re.fullmatch(r"\d+", str(scan_result.get("score"))) and scan_result["score"] >= 100
