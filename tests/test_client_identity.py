"""Client identity and abuse, end to end: real gunicorn, real nginx, real Redis and PostgreSQL.

* A client that reaches gunicorn directly cannot choose its identity with
  X-Forwarded-For (TRUSTED_PROXIES): it neither resets its own limits nor spends a
  victim's; through the proxy, the address nginx saw is the one that counts.
* gunicorn listens on loopback by default and trusts the same proxies as Django.
* A sign-in lockout is keyed by the attacker's address: the owner signs in from elsewhere,
  the right password during the lockout neither works nor extends it, the lockout ends on
  schedule, and the token endpoint answers 429 with Retry-After while it lasts.
* A slow-loris client is cut off by the shipped nginx site config and never occupies a
  gunicorn worker (while one sent straight to gunicorn does).
"""

import http.client
import json
import re
import socket
import ssl
import subprocess
import threading
import time

import pytest

from .support.bodies import exchange
from .support.edge import Gunicorn, TlsProxy, away_from_a_window_edge, tool_missing
from .support.services import free_port
from .support.tools import unavailable
from .support.webservers import NginxServer, localize
from .test_edge_security import QUIET, deploy_env, request

TOKEN = "/api/auth/token/"
PASSWORD = "correct-horse-battery-9"
NGINX_ADDRESS = "127.0.0.1"  # nginx connects to gunicorn from here: our only proxy


def direct(app, source_ip, method, path, data=None, headers=None, timeout=30):
    """One request straight to gunicorn (no proxy) from ``source_ip``, claiming HTTPS as a proxy would.

    The claim is believed from our proxy only (test_a_direct_client_cannot_claim_https), so
    ``stack`` turns the HTTPS redirect off unless a test asks for it.
    """
    connection = http.client.HTTPConnection("127.0.0.1", app.port, source_address=(source_ip, 0), timeout=timeout)
    return exchange(connection, method, path, data, {"X-Forwarded-Proto": "https", **(headers or {})})


@pytest.fixture
def stack(bake, postgres, redis_server):
    """stack(**env) -> (project, gunicorn, nginx TLS proxy), with CSRF trusting the proxy."""
    missing = tool_missing("nginx", "openssl", "redis-cli")
    if missing:
        unavailable(f"{missing} is not installed (apt-get install {missing})")
    started = []

    def forget_counters():
        subprocess.run(["redis-cli", "-p", str(redis_server.port), "FLUSHALL"], check=True, capture_output=True)

    def _stack(workers=2, DJANGO_SECURE_SSL_REDIRECT="false", **extra):
        # Counters are keyed by client IP, and tests that share this Redis reuse addresses:
        # start from none, and leave none behind (below).
        forget_counters()
        project = bake(**{**QUIET, "use_throttling": True, "use_openapi": False})
        env = deploy_env(
            project, postgres, redis_server, TRUSTED_PROXIES=NGINX_ADDRESS,
            DJANGO_SECURE_SSL_REDIRECT=DJANGO_SECURE_SSL_REDIRECT, **extra,
        )  # fmt: skip
        app = Gunicorn(project, env, workers=workers)
        proxy = TlsProxy(app.port)
        app.env["DJANGO_CSRF_TRUSTED_ORIGINS"] = f"https://127.0.0.1:{proxy.https_port}"
        started.append(app.start())
        started.append(proxy.start())
        return project, app, proxy

    yield _stack
    for service in reversed(started):
        service.stop()
    forget_counters()


# --- Forged client IP ---------------------------------------------------------------------


def test_a_direct_client_cannot_claim_https(stack):
    _, app, _ = stack(DJANGO_SECURE_SSL_REDIRECT="true")

    forged = direct(app, "127.0.0.2", "GET", TOKEN)
    from_our_proxy = direct(app, NGINX_ADDRESS, "GET", TOKEN)

    assert forged[0] == 301 and forged[1]["location"].startswith("https://"), forged[:2]
    assert from_our_proxy[0] == 405, from_our_proxy[:2]


def test_a_client_reaching_gunicorn_directly_cannot_choose_its_identity(stack):
    rate = 3
    _, app, proxy = stack(workers=3, THROTTLE_SENSITIVE_RATE=f"{rate}/hour")
    away_from_a_window_edge(3600)
    wrong = {"username": "nobody", "password": "wrong"}

    # The attacker (127.0.0.2) writes a fresh address into X-Forwarded-For every time.
    attacker = [
        direct(app, "127.0.0.2", "POST", TOKEN, wrong, {"X-Forwarded-For": f"198.51.100.{n}"})[0]
        for n in range(2 * rate)
    ]
    # It claims to be the victim (127.0.0.3) until its own budget is gone ...
    claims = [direct(app, "127.0.0.4", "POST", TOKEN, wrong, {"X-Forwarded-For": "127.0.0.3"})[0]
              for _ in range(rate + 1)]  # fmt: skip
    # ... yet the victim, through the proxy, still has its whole budget.
    victim = [request(proxy, "127.0.0.3", "POST", TOKEN, wrong)[0] for _ in range(rate)]
    # Through the proxy, the header the client wrote is ignored too: nginx's entry counts.
    spoofed = [request(proxy, "127.0.0.5", "POST", TOKEN, wrong, {"X-Forwarded-For": f"10.0.0.{n}"})[0]
               for n in range(rate + 1)]  # fmt: skip

    assert attacker == [400] * rate + [429] * rate
    assert claims == [400] * rate + [429]
    assert victim == [400] * rate
    assert spoofed == [400] * rate + [429]
    assert len(app.worker_pids()) > 1, app.log.read_text()[-2000:]


def test_the_anonymous_tier_is_not_reset_by_a_forged_header(stack):
    _, app, _ = stack(THROTTLE_ANON_RATE="3/hour", THROTTLE_ANON_BURST_RATE="100/minute")
    away_from_a_window_edge(3600)
    items = next(p for p in ("/api/v1/items/", "/api/items/") if direct(app, "127.0.0.9", "GET", p)[0] != 404)

    statuses = [direct(app, "127.0.0.6", "GET", items, headers={"X-Forwarded-For": f"203.0.113.{n}"})[0]
                for n in range(5)]  # fmt: skip

    assert statuses == [200, 200, 200, 429, 429]


def gunicorn_config(project, **env):
    return project.run("gunicorn", "-c", "gunicorn.conf.py", "--print-config", env=env, check=False)


def test_gunicorn_listens_on_loopback_and_trusts_the_same_proxies_as_django(bake):
    project = bake(**QUIET)

    default = gunicorn_config(project).stdout
    narrowed = gunicorn_config(project, TRUSTED_PROXIES="192.0.2.7,10.1.0.0/16").stdout
    malformed = gunicorn_config(project, TRUSTED_PROXIES="10.0.0.300")

    assert re.search(r"^bind\s+= \['127\.0\.0\.1:8000'\]", default, re.M), default
    assert "'127.0.0.0/8'" in default and "'10.0.0.0/8'" in default
    assert re.search(r"^forwarded_allow_ips\s+= \['192\.0\.2\.7/32', '10\.1\.0\.0/16'\]", narrowed, re.M)
    assert malformed.returncode != 0
    assert "TRUSTED_PROXIES" in malformed.stdout + malformed.stderr


# --- Account lockout ------------------------------------------------------------------------


class AdminLogin:
    """The admin login form through the proxy, as a browser at ``source_ip`` would post it."""

    def __init__(self, proxy, source_ip):
        self.proxy, self.source_ip = proxy, source_ip
        status, headers, body = request(proxy, source_ip, "GET", "/admin/login/")
        assert status == 200, body[:500]
        self.cookie = re.search(r"csrftoken=([^;]+)", headers["set-cookie"]).group(1)
        self.token = re.search(rb'name="csrfmiddlewaretoken" value="([^"]+)"', body).group(1).decode()

    def attempt(self, password, username="owner@example.com"):
        headers = {"Cookie": f"csrftoken={self.cookie}", "Referer": f"{self.proxy.url}/admin/login/"}
        data = {"csrfmiddlewaretoken": self.token, "username": username, "password": password, "next": "/admin/"}
        status, response_headers, body = request(self.proxy, self.source_ip, "POST", "/admin/login/", data, headers)
        return status, response_headers, body


def test_a_lockout_cannot_be_turned_against_the_owner_and_ends_on_schedule(stack):
    lockout = 8
    project, app, proxy = stack(THROTTLE_SENSITIVE_RATE="3/hour", LOGIN_LOCKOUT_SECONDS=str(lockout))
    project.manage(
        "createsuperuser", "--noinput", "--email", "owner@example.com",
        env={**app.env, "DJANGO_SUPERUSER_PASSWORD": PASSWORD},
    )  # fmt: skip
    attacker = AdminLogin(proxy, "127.0.0.2")

    failures = [attacker.attempt("wrong")[0] for _ in range(3)]
    locked_at = time.monotonic()
    owner_token = request(proxy, "127.0.0.3", "POST", TOKEN, {"email": "owner@example.com", "password": PASSWORD})
    owner_admin = AdminLogin(proxy, "127.0.0.3").attempt(PASSWORD)
    token_status, token_headers, token_body = request(
        proxy, "127.0.0.2", "POST", TOKEN, {"email": "owner@example.com", "password": PASSWORD}
    )
    # The right password, again and again during the lockout: refused, and never extending it.
    during = []
    while time.monotonic() - locked_at < lockout - 2:
        during.append(attacker.attempt(PASSWORD)[0])
        time.sleep(1)
    time.sleep(max(0.0, lockout + 1.5 - (time.monotonic() - locked_at)))
    after = attacker.attempt(PASSWORD)

    assert failures == [200, 200, 429]
    assert owner_token[0] == 200 and "access" in json.loads(owner_token[2])
    assert owner_admin[0] == 302
    assert token_status == 429
    assert 1 <= int(token_headers["retry-after"]) <= lockout
    assert json.loads(token_body)["error"]["code"] == "throttled"
    assert len(during) >= 3 and set(during) == {429}, during
    # Had any of those refused attempts extended the lockout, this would still be 429.
    assert after[0] == 302, after


# --- Slow clients ---------------------------------------------------------------------------


def slow_loris(address, port, tls, stop_after, results):
    """Send a request's headers one byte every half second; record when the server hung up."""
    started = time.monotonic()
    raw = socket.create_connection((address, port), timeout=5)
    sock = raw
    if tls:
        context = ssl.create_default_context()
        context.check_hostname = False
        context.verify_mode = ssl.CERT_NONE
        sock = context.wrap_socket(raw, server_hostname="localhost")
    headers = b"GET /api/health/live/?slow=1 HTTP/1.1\r\nHost: localhost\r\nX-Padding: " + b"a" * 200
    try:
        for byte in headers:
            if time.monotonic() - started > stop_after:
                results.append(None)  # still connected: never cut off
                return
            sock.sendall(bytes([byte]))
            time.sleep(0.5)
        results.append(None)
    except OSError:
        results.append(time.monotonic() - started)
    finally:
        sock.close()


def health_answers_in(url_host, port, seconds, tls, marker="quick"):
    connection_class = http.client.HTTPSConnection if tls else http.client.HTTPConnection
    kwargs = {"context": ssl._create_unverified_context()} if tls else {}
    connection = connection_class(url_host, port, timeout=seconds, **kwargs)
    try:
        connection.request("GET", f"/api/health/live/?{marker}=1", headers={"Host": "localhost"})
        return connection.getresponse().status
    except TimeoutError:
        return None
    finally:
        connection.close()


def test_slow_clients_are_cut_off_by_nginx_and_never_occupy_gunicorn(bake, postgres, redis_server, tmp_path):
    if tool_missing("nginx", "openssl"):
        unavailable("nginx and openssl are needed (apt-get install nginx openssl)")
    project = bake(**QUIET)
    app = Gunicorn(project, deploy_env(project, postgres, redis_server), workers=1).start()
    http_port, https_port = free_port(), free_port()
    site = localize(
        (project.path / "deploy" / "nginx" / "site.conf").read_text(), tmp_path, project.path.name,
        ports=(http_port, https_port), app_port=app.port,
    )  # fmt: skip
    header_timeout = int(re.search(r"client_header_timeout (\d+)s;", site).group(1))
    nginx = NginxServer(tmp_path, site).start(http_port)
    try:
        # Against gunicorn itself, one slow client takes its only (sync) worker.
        direct_results = []
        hog = threading.Thread(target=slow_loris, args=("127.0.0.1", app.port, False, 6, direct_results))
        hog.start()
        time.sleep(1)
        starved = health_answers_in("127.0.0.1", app.port, 3, tls=False)
        hog.join()
        free_again = health_answers_in("127.0.0.1", app.port, 30, tls=False)

        # Through nginx, many slow clients wait on nginx; gunicorn keeps answering.
        results = []
        started = time.monotonic()
        clients = [
            threading.Thread(target=slow_loris, args=("127.0.0.1", https_port, True, header_timeout + 20, results))
            for _ in range(5)
        ]
        for client in clients:
            client.start()
        time.sleep(2)
        answers = [health_answers_in("127.0.0.1", https_port, 15, tls=True, marker="via_nginx") for _ in range(3)]
        answered_after = time.monotonic() - started
        for client in clients:
            client.join()
    finally:
        nginx.stop()
        app.stop()

    assert free_again == 200
    assert starved is None, "a slow client straight to gunicorn should hold its only worker"
    assert answers == [200, 200, 200]
    assert len(results) == 5
    assert all(cut is not None for cut in results), f"nginx never cut a slow client off: {results}"
    # Answered while every slow client was still connected (none had been cut off yet).
    assert answered_after < min(results), (answered_after, results)
    assert all(header_timeout - 1 <= cut <= header_timeout + 8 for cut in results), results
    # gunicorn (stopped, so its log is complete) saw the three quick requests, no slow one.
    served = [line for line in app.log.read_text().splitlines() if line.startswith("pid=")]
    assert sum("via_nginx=1" in line for line in served) == 3, served
    assert not [line for line in served if "slow=1" in line], served


def test_nginx_and_apache_slow_client_limits_are_in_the_shipped_configs(bake):
    project = bake(**QUIET)
    nginx = (project.path / "deploy" / "nginx" / "site.conf").read_text()
    apache = (project.path / "deploy" / "apache" / "site.conf").read_text()

    for directive in ("proxy_request_buffering on", "client_body_timeout", "client_header_timeout",
                      "send_timeout", "keepalive_timeout", "client_max_body_size"):  # fmt: skip
        assert nginx.count(directive) == 2, directive  # both server blocks
    assert "RequestReadTimeout header=" in apache
    assert "reqtimeout" in apache  # the module it needs, in the install line
