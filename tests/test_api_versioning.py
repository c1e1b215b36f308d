"""API versions and OpenAPI, end to end: scaffold v2 and call both versions; fuzz the schema.

``manage.py startapiversion 2`` runs in generated projects of both versioning schemes;
then a test written into the project exercises v1 and v2 side by side, including a
breaking change made in v2 only and the deprecation of v1 (headers, then 410 Gone).
Schemathesis generates a few hundred requests from the all-on project's own OpenAPI
schema against a live gunicorn on 127.0.0.1, anonymous and authenticated: no 5xx and no
response the schema does not describe.
"""

import json
import re
import shutil
import subprocess
import textwrap
import urllib.request
from pathlib import Path

import pytest

from .support.edge import Gunicorn
from .support.project import production_env

TEMPLATE_VENV_BIN = Path(__file__).resolve().parents[1] / ".venv" / "bin"

SCHEMES = {
    "url_path": {
        "items": 'f"/api/v{version}/items/"',
        "headers": "{}",
        "schema_version": 'f"v{version}"',
    },
    "accept_header": {
        "items": '"/api/items/"',
        "headers": '{"Accept": f"application/json; version={version}"}',
        "schema_version": "str(version)",
    },
}

BOTH_VERSIONS_TEST = """
import pytest
from django.test import override_settings
from rest_framework.test import APIClient

from ...items.models import Item

GUIDE = "https://example.com/docs/api/migrate-v1-to-v2"


def items(version):
    return {items}


def headers(version):
    return {headers}


def schema_version(version):
    return {schema_version}


def get(version, path=""):
    return APIClient(headers=headers(version)).get(items(version) + path)


@pytest.fixture
def item(user):
    return Item.objects.create(owner=user, name="Shared", description="one model, two versions")


def test_both_versions_serve_the_same_items_in_their_own_shape(item):
    v1, v2 = get(1).json()["results"][0], get(2).json()["results"][0]

    assert v1["name"] == v2["name"] == "Shared"
    assert v1["description"] == "one model, two versions"
    assert "description" not in v2, "the breaking change made in v2 only"
    assert get(2, f"{{item.pk}}/").json()["id"] == item.pk


def test_each_version_has_its_own_schema(client, db):
    for version in (1, 2):
        response = client.get("/api/schema/", {{"format": "json", "version": schema_version(version)}})
        item = response.json()["components"]["schemas"]["Item"]["properties"]
        assert items(version) in response.json()["paths"]
        assert ("description" in item) == (version == 1)


def test_deprecating_v1_warns_then_retires_it_and_names_v2(item):
    entry = {{"deprecated": "2020-01-01", "link": GUIDE}}
    with override_settings(API_DEPRECATIONS={{"v1": {{**entry, "sunset": "2999-01-01"}}}}):
        warned, current = get(1), get(2)
    with override_settings(API_DEPRECATIONS={{"v1": {{**entry, "sunset": "2021-01-01"}}}}):
        gone, still_current = get(1), get(2)

    assert warned.status_code == 200
    assert warned["Deprecation"].startswith("@")
    assert warned["Sunset"] == "Tue, 01 Jan 2999 00:00:00 GMT"
    assert 'rel="deprecation"' in warned["Link"]
    assert not current.has_header("Deprecation")
    assert gone.status_code == 410
    assert gone.json()["error"]["details"]["replacement"] == schema_version(2)
    assert still_current.status_code == 200
"""


@pytest.mark.parametrize("scheme", sorted(SCHEMES))
def test_startapiversion_scaffolds_v2_and_both_versions_answer(bake, scheme):
    project = bake(api_versioning=scheme)
    api = project.path / project.path.name / "api"

    result = project.manage("startapiversion", "2")

    assert "Created" in result.stdout
    assert (api / "v2" / "views.py").is_file()
    settings_file = project.path / "config" / "settings" / "features" / "api_versions.py"
    assert 'API_VERSIONS = ["v1", "v2"]' in settings_file.read_text()
    # The breaking change of v2: it no longer returns the description.
    serializers = api / "v2" / "serializers.py"
    serializers.write_text(serializers.read_text().replace('"description", ', "", 1))
    (api / "tests" / "test_both_versions.py").write_text(
        textwrap.dedent(BOTH_VERSIONS_TEST).format(**SCHEMES[scheme]).lstrip()
    )
    again = project.manage("startapiversion", "2", check=False)
    assert again.returncode != 0
    assert "already exists" in again.stderr

    project.run("ruff", "format", str(api / "tests" / "test_both_versions.py"))
    project.run("ruff", "check", str(api), str(settings_file))
    project.run("ruff", "format", "--check", str(api), str(settings_file))
    project.manage("check", "--fail-level", "WARNING")
    project.manage("spectacular", "--validate", "--fail-on-warn", "--api-version", "v2")
    result = project.run("python", "-m", "pytest", "-q", "-p", "no:randomly", str(api))
    assert " passed" in result.stdout


def run_schemathesis(base_url, *extra):
    binary = TEMPLATE_VENV_BIN / "st"
    if not binary.exists():
        binary = shutil.which("st")
    if not binary:
        pytest.fail("schemathesis is not installed (pip install -e . in the template)")
    return subprocess.run(
        [
            str(binary), "run", f"{base_url}/api/schema/?format=json",
            "--checks", "not_a_server_error,status_code_conformance,content_type_conformance,"
            "response_schema_conformance",
            "--max-examples", "25", "--workers", "1", "--seed", "7",
            "--generation-database", "none", "--no-color", "--request-timeout", "20",
            "--wait-for-schema", "30", "--phases", "examples,coverage,fuzzing",
            *extra,
        ],
        capture_output=True, text=True, timeout=900, check=False,
    )  # fmt: skip


def test_schemathesis_finds_no_5xx_and_no_schema_violation(bake, postgres, redis_server):
    project = bake()
    env = production_env(
        DJANGO_ALLOWED_HOSTS="127.0.0.1",
        DJANGO_SECURE_SSL_REDIRECT="false",
        DATABASE_URL=postgres.url(),
        REDIS_URL=redis_server.url(2),
        # Generous limits, so the fuzzer reaches the views (429 is documented all the same).
        THROTTLE_ANON_RATE="100000/hour",
        THROTTLE_ANON_BURST_RATE="100000/minute",
        THROTTLE_USER_RATE="100000/hour",
        THROTTLE_USER_BURST_RATE="100000/minute",
        THROTTLE_SENSITIVE_RATE="100000/minute",
        # The fuzzer's access token outlives the run.
        JWT_ACCESS_TOKEN_LIFETIME_MINUTES="120",
        # The docs pages too: their assets come from the app's own static files.
        API_DOCS_PUBLIC="true",
    )
    project.manage("migrate", "--noinput", env=env)
    project.manage("collectstatic", "--noinput", env=env)
    token = project.manage(
        "shell", "-c",
        "from django.contrib.auth import get_user_model; "
        "from rest_framework_simplejwt.tokens import RefreshToken; "
        "u = get_user_model().objects.create_user('fuzzer@example.com', password='fuzz-pass-123'); "
        "print(RefreshToken.for_user(u).access_token)",
        env=env,
    ).stdout.strip().splitlines()[-1]  # fmt: skip
    with Gunicorn(project, env, workers=2, threads=2) as server:
        base = server.url
        docs = urllib.request.urlopen(f"{base}/api/docs/", timeout=10).read().decode()
        assets = re.findall(r'(?:src|href)="(/static/[^"]+)"', docs)
        assert len(assets) >= 3
        for asset in assets:
            with urllib.request.urlopen(base + asset, timeout=10) as response:
                assert response.status == 200, asset
        anonymous = run_schemathesis(base)
        authenticated = run_schemathesis(base, "--header", f"Authorization: Bearer {token}")
    log = server.output()

    for run in (anonymous, authenticated):
        assert run.returncode == 0, f"schemathesis found problems:\n{run.stdout[-8000:]}\n{run.stderr[-2000:]}"
    requests = [json.loads(line) for line in log.splitlines() if line.startswith("{") and '"path": "/api/' in line]
    fuzzed = [r for r in requests if not r["path"].startswith("/api/schema/")]
    statuses = sorted({r["status"] for r in fuzzed})
    print(f"schemathesis: {len(fuzzed)} requests, statuses {statuses}")  # shown with -s
    assert len(fuzzed) >= 200, f"only {len(fuzzed)} requests reached the API"
    assert not [r for r in fuzzed if r["status"] >= 500]
    assert {r["user_id"] is None for r in fuzzed} == {True, False}, "anonymous and authenticated"
