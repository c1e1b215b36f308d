"""Error responses and hostile input, for real: production settings, gunicorn, PostgreSQL,
Redis and a real SMTP server (aiosmtpd).

* A 2 KB body of 1,000 nested arrays or objects is a 400 in the JSON error shape, and leaves
  no row in the admin error log and no mail to ADMINS.
* The docs UI answers anonymous visitors 401 JSON, and nothing in the response names the
  secret admin path.
* Every error path the app answers (bad Host, CSRF, 404, 405 from plain views and static
  files, refused /metrics, 413, 415, 406, deep JSON, docs and schema errors) is the JSON
  error shape with ``Content-Type: application/json``.
"""

import http.client
import json
import re
import ssl
import uuid

import pytest

from .support.edge import Gunicorn
from .support.project import Project, production_env
from .support.services import free_port
from .support.smtp import SmtpServer
from .support.template import TEMPLATE_DIR
from .support.webservers import NginxServer, localize
from .test_static_files import SECURITY_HEADERS

ADMIN_PATH = "control-5e1b9d/"
ANSWERS = {
    "use_admin_error_log": True,
    "use_prometheus": True,
    "use_openapi": True,
    "use_throttling": True,
    "static_files": "whitenoise",
    "api_versioning": "url_path",
    "email_provider": "smtp",
    "use_celery": False,
    "use_sentry": False,
    "use_db_backups": False,
    "use_docker": False,
    "ci_tool": "none",
}
DEEP_LISTS = "[" * 1000 + "]" * 1000
DEEP_OBJECTS = '{"a":' * 1000 + "1" + "}" * 1000


@pytest.fixture(scope="module")
def site(cookies_session, generated_venv, postgres, redis_server, tmp_path_factory):
    """The project under gunicorn, with its error log in PostgreSQL and mail to aiosmtpd."""
    result = cookies_session.bake(extra_context=ANSWERS, template=str(TEMPLATE_DIR))
    assert result.exit_code == 0, result.exception
    project = Project(result.project_path, generated_venv)
    smtp = SmtpServer().start()
    database = f"errors_{uuid.uuid4().hex[:8]}"
    postgres.run("createdb", "-h", "127.0.0.1", "-p", str(postgres.port), "-U", "postgres", database)
    env = production_env(
        DATABASE_URL=postgres.url(database),
        REDIS_URL=redis_server.url(db=5),
        DJANGO_ALLOWED_HOSTS="api.example.com",
        DJANGO_ADMIN_URL=ADMIN_PATH,
        DJANGO_STATIC_ROOT=str(tmp_path_factory.mktemp("static")),
        DJANGO_STATIC_REQUIRE_MANIFEST="true",
        EMAIL_URL=smtp.url,
        DJANGO_ADMINS="Ops <ops@example.org>",
        METRICS_TOKEN="scrape-token-0123456789abcdef",
        THROTTLE_SENSITIVE_RATE="1000/minute",
    )
    project.manage("migrate", "--noinput", env=env)
    project.manage("collectstatic", "--noinput", env=env)
    app = Gunicorn(project, env, workers=2).start()
    yield project, env, app, smtp
    app.stop()
    smtp.stop()


def request(app, method, path, body=None, headers=None):
    """(status, reason, headers, body) of one request to gunicorn, as if through TLS."""
    connection = http.client.HTTPConnection("127.0.0.1", app.port, timeout=60)
    all_headers = {"Host": "api.example.com", "X-Forwarded-Proto": "https", **(headers or {})}
    try:
        connection.request(method, path, body=body, headers=all_headers)
        response = connection.getresponse()
        return response.status, response.reason, dict(response.getheaders()), response.read()
    finally:
        connection.close()


def error_rows(project, env):
    code = "from routex.observability.errorlog.models import LoggedError; print(LoggedError.objects.count())"
    code = code.replace("routex", project.path.name)
    return int(project.manage("shell", "--no-imports", "-c", code, env=env).stdout.strip())


def assert_error_shape(status, headers, body, expected):
    assert status == expected, body[:500]
    assert headers["Content-Type"] == "application/json", headers
    error = json.loads(body)["error"]
    assert error["status"] == expected
    assert isinstance(error["code"], str) and error["code"]
    assert isinstance(error["message"], str) and error["message"]
    assert set(error) == {"status", "code", "message", "details"}
    return error


@pytest.mark.parametrize("body", [DEEP_LISTS, DEEP_OBJECTS], ids=["arrays", "objects"])
def test_deeply_nested_json_is_a_400_without_an_error_row_or_a_mail(site, body):
    project, env, app, smtp = site
    smtp.clear()

    for _ in range(3):
        status, _, headers, answer = request(
            app, "POST", "/api/auth/token/", body, {"Content-Type": "application/json"}
        )
        assert assert_error_shape(status, headers, answer, 400)["code"] == "too_deep"

    # Mail to ADMINS is sent during the request, so anything would have arrived by now.
    assert smtp.messages == []
    assert error_rows(project, env) == 0
    # The same settings do deliver mail to ADMINS: the silence above is the parser's doing.
    project.manage("sendtestemail", "--admins", env=env)
    assert len(smtp.wait_for(1)) == 1


def test_the_docs_ui_never_names_the_admin_path_to_anonymous_visitors(site):
    _, _, app, _ = site

    for path in ("/api/docs/", "/api/redoc/", "/api/docs/?script"):
        status, reason, headers, body = request(app, "GET", path)

        assert status in (401, 403), path
        assert_error_shape(status, headers, body, status)
        everything = f"{status} {reason}\n{headers}\n{body.decode()}"
        assert ADMIN_PATH.strip("/") not in everything, path
        assert "login" not in headers.get("Location", "")
    # The schema stays public.
    assert request(app, "GET", "/api/schema/")[0] == 200


def static_file(project, env):
    root = env["DJANGO_STATIC_ROOT"]
    manifest = json.loads((project.path / root / "staticfiles.json").read_text())
    return "/static/" + manifest["paths"]["admin/css/base.css"]


def error_paths(project, env):
    """(name, method, path, body, headers, status) of every error path the app answers."""
    json_type = {"Content-Type": "application/json"}
    form_type = {"Content-Type": "application/x-www-form-urlencoded"}
    big = json.dumps({"username": "a" * 3_000_000, "password": "x"})
    return [
        ("unknown URL", "GET", "/api/no-such-page/", None, {}, 404),
        ("unknown host", "GET", "/api/health/live/", None, {"Host": "evil.example"}, 400),
        ("CSRF failure", "POST", "/api/health/", "", {}, 403),
        ("405 from a plain view", "OPTIONS", "/api/health/", None, {}, 405),
        ("405 for a static file", "POST", static_file(project, env), "", {}, 405),
        ("refused /metrics", "GET", "/metrics", None, {}, 404),
        ("wrong /metrics token", "GET", "/metrics", None, {"Authorization": "Bearer wrong"}, 403),
        ("POST to /metrics", "POST", "/metrics", "", {}, 404),
        ("body too large", "POST", "/api/auth/token/", big, json_type, 413),
        ("unsupported media type", "POST", "/api/auth/token/", "a,b", {"Content-Type": "text/csv"}, 415),
        ("form sign-in (JSON only)", "POST", "/api/auth/token/", "email=a%40b.c&password=x", form_type, 415),
        ("not acceptable", "GET", "/api/v1/items/", None, {"Accept": "text/csv"}, 406),
        ("invalid JSON", "POST", "/api/auth/token/", "{", json_type, 400),
        ("deep JSON", "POST", "/api/auth/token/", DEEP_LISTS, json_type, 400),
        ("not signed in", "POST", "/api/v1/items/", "{}", json_type, 401),
        ("docs page", "GET", "/api/docs/", None, {}, 401),
        ("schema format", "GET", "/api/schema/?format=xml", None, {}, 404),
        ("unknown schema version", "GET", "/api/schema/?version=v9", None, {}, 404),
        ("schema method", "DELETE", "/api/schema/", None, {}, 405),
        ("API method", "PUT", "/api/auth/token/", "{}", json_type, 405),
    ]


def test_every_error_path_answers_the_json_error_shape(site):
    project, env, app, _ = site
    failures = []

    for name, method, path, body, headers, expected in error_paths(project, env):
        status, _, answer_headers, answer = request(app, method, path, body, headers)
        try:
            assert_error_shape(status, answer_headers, answer, expected)
        except (AssertionError, ValueError, KeyError) as exc:
            failures.append(
                f"{name}: {method} {path} -> {status} {answer_headers.get('Content-Type')} {answer[:120]!r} ({exc!r})"
            )

    assert failures == []


def test_a_refused_metrics_request_is_the_same_404_as_any_unknown_url(site):
    _, _, app, _ = site

    refused = request(app, "GET", "/metrics")
    missing = request(app, "GET", "/no-such-page")

    assert refused[0] == missing[0] == 404
    assert refused[3] == missing[3]
    varying = {"Date", "X-Request-ID"}
    assert set(refused[2]) - varying == set(missing[2]) - varying


def test_static_files_carry_the_security_headers_of_every_response(site):
    project, env, app, _ = site

    status, _, static, _ = request(app, "GET", static_file(project, env))
    _, _, api, _ = request(app, "GET", "/api/health/live/")

    assert status == 200
    for header in SECURITY_HEADERS:
        assert header in api, header
        assert normalized(header, static.get(header)) == normalized(header, api[header]), header


def normalized(header, value):
    """django-csp lists directives in no fixed order: compare them as a set."""
    if value is None or header != "Content-Security-Policy":
        return value
    return {re.sub(r"\s+", " ", directive.strip()) for directive in value.split(";") if directive.strip()}


def through_nginx(port, method, path, headers=None):
    """(status, reason, headers, body) of one bodiless request to nginx's TLS port."""
    context = ssl.create_default_context()
    context.check_hostname, context.verify_mode = False, ssl.CERT_NONE
    connection = http.client.HTTPSConnection("127.0.0.1", port, context=context, timeout=30)
    try:
        connection.request(method, path, headers={"Host": "api.example.com", **(headers or {})})
        response = connection.getresponse()
        return response.status, response.reason, dict(response.getheaders()), response.read()
    finally:
        connection.close()


@pytest.mark.parametrize("app_running", [True, False], ids=["app-up", "app-down"])
def test_what_the_shipped_nginx_answers_itself_is_the_json_error_shape(site, tmp_path, app_running):
    project, _, app, _ = site
    http_port, https_port = free_port(), free_port()
    upstream = app.port if app_running else free_port()  # nothing listens there: a 502
    config = (project.path / "deploy" / "nginx" / "site.conf").read_text()
    nginx = NginxServer(tmp_path, localize(config, tmp_path, project.path.name, ports=(http_port, https_port),
                                           app_port=upstream)).start(http_port)  # fmt: skip
    try:
        # Over client_max_body_size (10m): refused on the Content-Length alone.
        too_large = through_nginx(https_port, "POST", "/api/v1/items/", {"Content-Length": str(11 * 2**20)})
        api = through_nginx(https_port, "GET", "/api/v1/no-such-thing/")
    finally:
        nginx.stop()

    assert assert_error_shape(too_large[0], too_large[2], too_large[3], 413)["code"] == "request_too_large"
    if app_running:
        # The app's own errors pass through untouched.
        assert assert_error_shape(api[0], api[2], api[3], 404)["code"] == "not_found"
    else:
        assert assert_error_shape(api[0], api[2], api[3], 503)["code"] == "service_unavailable"
        assert api[2]["Retry-After"] == "5"
