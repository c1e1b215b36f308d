"""Clients generated from the published OpenAPI schema work unmodified, in Python and TypeScript.

Each bake runs under production settings (gunicorn, PostgreSQL, Redis); its schema is
fetched over HTTP as a team would fetch it, then openapi-python-client and
openapi-typescript (+ openapi-fetch, type-checked by tsc, run on node's fetch) generate
clients that sign in, list, create, read, update, patch and delete items, and get a
validation error, a 404 and a throttled 429 back as the documented error type.

Two bakes cover every value that changes the schema a client sees: url_path with jwt,
and accept_header with token (each client pinned to its version by the Accept header the
schema names).
"""

import json
import urllib.request
import uuid

import pytest

from .support.edge import Gunicorn, away_from_a_window_edge
from .support.generated_clients import python_client, run_python_client, run_typescript_client, typescript_client
from .support.project import Project, production_env
from .support.template import TEMPLATE_DIR

EMAIL = "client@example.org"
PASSWORD = "generated-client-pass-7"
SENSITIVE_RATE = 6  # per minute and client address: sign-in plus a few resets, then 429
# A client's run must fit in one minute window of that limit: it starts this far from an edge.
CLIENT_RUN_SECONDS = 20
BAKES = {
    "url_path-jwt": {"api_versioning": "url_path", "api_auth": "jwt"},
    "accept_header-token": {"api_versioning": "accept_header", "api_auth": "token"},
}
COMMON_ANSWERS = {
    "use_openapi": True,
    "use_throttling": True,
    "use_celery": False,
    "use_sentry": False,
    "use_db_backups": False,
    "use_docker": False,
    "ci_tool": "none",
}


@pytest.fixture(scope="module", params=list(BAKES), ids=list(BAKES))
def api(request, cookies_session, generated_venv, postgres, redis_server, tmp_path_factory):
    """A baked project under gunicorn, with one user, and its published schema on disk."""
    answers = BAKES[request.param]
    result = cookies_session.bake(extra_context={**COMMON_ANSWERS, **answers}, template=str(TEMPLATE_DIR))
    assert result.exit_code == 0, result.exception
    project = Project(result.project_path, generated_venv)
    database = f"clients_{uuid.uuid4().hex[:8]}"
    postgres.run("createdb", "-h", "127.0.0.1", "-p", str(postgres.port), "-U", "postgres", database)
    env = production_env(
        DJANGO_ALLOWED_HOSTS="127.0.0.1",
        DJANGO_SECURE_SSL_REDIRECT="false",
        DATABASE_URL=postgres.url(database),
        REDIS_URL=redis_server.url(db=7 + list(BAKES).index(request.param)),
        DJANGO_STATIC_ROOT=str(tmp_path_factory.mktemp("static")),
        THROTTLE_SENSITIVE_RATE=f"{SENSITIVE_RATE}/minute",
    )
    project.manage("migrate", "--noinput", env=env)
    project.manage("createsuperuser", "--noinput", "--email", EMAIL, env={**env, "DJANGO_SUPERUSER_PASSWORD": PASSWORD})
    app = Gunicorn(project, env, workers=2).start()
    base_url = f"http://127.0.0.1:{app.port}"
    version = "1" if answers["api_versioning"] == "accept_header" else "v1"
    with urllib.request.urlopen(f"{base_url}/api/schema/?format=json&version={version}", timeout=30) as answer:
        schema = json.loads(answer.read())
    workdir = tmp_path_factory.mktemp(f"clients-{request.param}")
    schema_file = workdir / "schema.json"
    schema_file.write_text(json.dumps(schema))
    yield {"answers": answers, "base_url": base_url, "schema": schema, "schema_file": schema_file, "workdir": workdir}
    app.stop()


def client_settings(api, forwarded_for):
    """What a team's client is configured with: the base URL and the headers the schema asks for."""
    # A distinct client address per client (the proxy's X-Forwarded-For, believed from
    # loopback), so each gets its own per-address limit.
    headers = {"X-Forwarded-For": forwarded_for}
    settings = {"base_url": api["base_url"], "auth": api["answers"]["api_auth"], "email": EMAIL, "password": PASSWORD}
    accept = api["schema"]["info"].get("x-api-accept")
    if api["answers"]["api_versioning"] == "accept_header":
        assert accept == "application/json; version=1"
        headers["Accept"] = accept
        settings["wrong_accept"] = "application/json; version=9"
    else:
        assert accept is None
    return {**settings, "headers": headers}


def assert_typed_round_trip(report, api):
    assert report["created"]["status"] == 201
    assert report["created"]["id_type"] in ("int", "number")
    assert report["item_id"] in report["listed"]["ids"]
    assert report["listed"]["count"] >= 1
    assert report["updated"] == ["Renamed", "put"]
    assert report["patched"] == ["Renamed", "patched"]
    assert report["deleted"] == 204
    assert report["gone"] == {"status": 404, "code": "not_found", "details": None}
    assert report["invalid"]["status"] == 400
    assert report["invalid"]["code"] == "invalid"
    assert "name" in report["invalid"]["details"]
    assert report["throttled"]["status"] == 429
    assert report["throttled"]["code"] == "throttled"
    assert int(report["throttled"]["retry_after"]) >= 1
    # The sign-in counted against the same per-address limit.
    assert report["accepted_before_limit"] == SENSITIVE_RATE - 1
    if api["answers"]["api_versioning"] == "accept_header":
        assert report["wrong_version"]["status"] == 406
        assert report["wrong_version"]["code"] == "not_acceptable"


def test_the_schema_is_what_a_generated_client_needs(api):
    info = api["schema"]["info"]
    assert info["version"] == "0.1.0"
    assert info["x-api-version"] == ("1" if api["answers"]["api_versioning"] == "accept_header" else "v1")
    assert api["schema"]["paths"]["/api/auth/token/"]["post"]["security"] == []


def test_a_generated_python_client_works_unmodified(api):
    package = python_client(api["schema_file"], api["workdir"])

    away_from_a_window_edge(60, margin=CLIENT_RUN_SECONDS)
    report = run_python_client(package, client_settings(api, "203.0.113.10"))

    assert report["token_type"] == ("TokenPair" if api["answers"]["api_auth"] == "jwt" else "Token")
    assert report["created"]["created_at_type"] == "datetime"
    assert report["later_update"] is True
    assert report["read_name"] == "From Python"
    assert_typed_round_trip(report, api)


def test_a_generated_typescript_client_type_checks_and_works_unmodified(api):
    versioned = api["answers"]["api_versioning"] == "url_path"
    items = "/api/v1/items/" if versioned else "/api/items/"
    jwt = api["answers"]["api_auth"] == "jwt"
    script = typescript_client(
        api["schema_file"],
        api["workdir"],
        {
            "__ITEMS__": items,
            "__ITEM__": items + "{id}/",
            "__TOKEN__": "signIn.data.access" if jwt else "signIn.data.token",
            "__SCHEME__": "Bearer" if jwt else "Token",
        },
    )

    away_from_a_window_edge(60, margin=CLIENT_RUN_SECONDS)
    report = run_typescript_client(script, client_settings(api, "203.0.113.20"))

    assert report["created"]["created_at_is_a_date"] is True
    assert report["read_name"] == "From TypeScript"
    assert_typed_round_trip(report, api)
