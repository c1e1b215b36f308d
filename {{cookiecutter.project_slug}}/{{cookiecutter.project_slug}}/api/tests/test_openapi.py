import json
import re

import pytest
from django.core.management import call_command
from django.test import override_settings
from django.urls import reverse

ITEMS = "/api/v1/items/"  # feature: url_path_versioning
ITEMS = "/api/items/"  # feature: not url_path_versioning


@pytest.fixture
def schema(client, db):
    response = client.get("/api/schema/", {"format": "json"})
    assert response.status_code == 200
    return response.json()


def test_the_schema_validates_without_a_single_warning(tmp_path):
    target = tmp_path / "schema.json"

    call_command(
        "spectacular", "--validate", "--fail-on-warn", "--format", "openapi-json", "--file", target
    )

    assert json.loads(target.read_text())["paths"]


def test_every_operation_documents_its_error_responses(schema):
    for path, operations in schema["paths"].items():
        for method, operation in operations.items():
            codes = set(operation["responses"])
            expected = {"401", "403", "404", "405", "406", "503"}
            expected.add("429")  # feature: throttling
            if method in ("post", "put", "patch"):
                expected |= {"400", "415"}
            assert expected <= codes, f"{method.upper()} {path} lacks {expected - codes}"
            for code in expected:
                (error,) = operation["responses"][code]["content"].values()
                assert error["schema"] == {"$ref": "#/components/schemas/Error"}


def test_request_bodies_are_json_only(schema):
    for path, operations in schema["paths"].items():
        for operation in operations.values():
            if "requestBody" in operation:
                assert list(operation["requestBody"]["content"]) == ["application/json"], path


def test_answers_to_wait_for_document_retry_after(schema):
    for operations in schema["paths"].values():
        for operation in operations.values():
            for code in ("429", "503"):
                if code in operation["responses"]:
                    headers = operation["responses"][code]["headers"]
                    assert headers["Retry-After"]["schema"]["type"] == "integer"


def test_info_version_is_a_release_number_packaging_tools_accept(schema):
    # openapi-python-client makes it the generated package's version (PEP 440).
    assert re.fullmatch(r"\d+(\.\d+)*", schema["info"]["version"])


def test_the_example_resource_has_request_and_response_components(schema):
    item = schema["paths"][ITEMS + "{id}/"]
    assert set(item) >= {"get", "put", "patch", "delete"}
    assert "Item" in schema["components"]["schemas"]
    assert "ItemRequest" in schema["components"]["schemas"]
    assert "Error" in schema["components"]["schemas"]


def test_the_schema_lists_the_api_and_nothing_else(schema):
    assert f"{ITEMS}" in schema["paths"]
    assert "/api/auth/token/" in schema["paths"]
    assert not any(re.search(r"schema|docs|redoc|admin", path) for path in schema["paths"])


# begin feature: api_versions
def test_each_version_has_its_own_schema(client, db):
    v1 = client.get("/api/schema/", {"format": "json", "version": "v1"})  # feature: url_path_versioning
    v1 = client.get("/api/schema/", {"format": "json", "version": "1"})  # feature: accept_header_versioning

    assert v1.status_code == 200
    assert ITEMS in v1.json()["paths"]
    assert v1.json()["info"]["x-api-version"] == "v1"  # feature: url_path_versioning
    assert v1.json()["info"]["x-api-version"] == "1"  # feature: accept_header_versioning
    assert re.fullmatch(r"\d+(\.\d+)*", v1.json()["info"]["version"])


def test_a_deprecated_version_documents_its_headers_and_its_410(client, db):
    retiring = {"deprecated": "2026-01-15", "sunset": "2026-07-15", "link": "/docs/migrate"}
    with override_settings(API_DEPRECATIONS={"v1": retiring}):
        schema = client.get("/api/schema/", {"format": "json"}).json()

    item = schema["paths"][ITEMS]["get"]
    assert item["deprecated"] is True
    assert set(item["responses"]["200"]["headers"]) >= {"Deprecation", "Sunset", "Link"}
    assert item["responses"]["410"]["content"]["application/json"]["schema"] == {
        "$ref": "#/components/schemas/Error"
    }
    # The shared endpoints are not part of the version, so not deprecated with it.
    assert "deprecated" not in schema["paths"]["/api/auth/token/"]["post"]


# end feature: api_versions
@pytest.mark.parametrize("version", ["v9", "9", ""])
def test_an_unknown_version_is_a_404_never_another_versions_schema(client, db, version):
    response = client.get("/api/schema/", {"format": "json", "version": version})

    assert response.status_code == 404
    assert response["Content-Type"] == "application/json"
    assert response.json()["error"]["code"] == "not_found"


# begin feature: accept_header_versioning
def test_the_schema_names_the_accept_header_a_client_must_send(schema):
    assert schema["info"]["x-api-accept"] == "application/json; version=1"
    for operations in schema["paths"].values():
        for operation in operations.values():
            for code, response in operation["responses"].items():
                if code != "410" and "content" in response:
                    assert list(response["content"]) == ["application/json; version=1"]


# end feature: accept_header_versioning
@pytest.mark.parametrize("page", ["/api/docs/", "/api/redoc/"])
def test_the_docs_pages_are_self_hosted_without_inline_code(client, page):
    response = client.get(page)

    assert response.status_code == 200
    html = response.content.decode()
    assert "/static/drf_spectacular_sidecar/" in html
    assert "http://" not in html
    assert "https://" not in html
    assert "<style" not in html
    assert not re.search(r"<script(?![^>]*\bsrc=)", html), "inline script"


def test_the_swagger_ui_start_up_script_is_a_separate_file(client):
    response = client.get("/api/docs/", {"script": ""})

    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/javascript")
    assert "/api/schema/" in response.content.decode()


@override_settings(API_DOCS_PUBLIC=False)
@pytest.mark.django_db
def test_anonymous_docs_requests_never_learn_the_admin_path(client):
    admin_path = reverse("admin:index")
    for path in ("/api/docs/", "/api/redoc/"):
        response = client.get(path)

        assert response.status_code == 401
        assert "Location" not in response
        assert admin_path not in response.content.decode()
        assert not any(admin_path in value for value in response.headers.values())


@override_settings(API_DOCS_PUBLIC=False)
@pytest.mark.django_db
def test_when_docs_are_not_public_only_staff_see_them_but_the_schema_stays_open(client, make_user):
    assert client.get("/api/schema/").status_code == 200
    for path in ("/api/docs/", "/api/docs/?script", "/api/redoc/"):
        response = client.get(path)
        assert response.status_code == 401, path
        assert response["Content-Type"] == "application/json"
        assert response.json()["error"]["code"] == "not_authenticated"

    member = make_user("member")
    client.force_login(member)
    refused = client.get("/api/docs/")
    assert refused.status_code == 403
    assert refused.json()["error"]["code"] == "permission_denied"

    admin = make_user("admin", is_staff=True)
    client.force_login(admin)
    assert client.get("/api/docs/").status_code == 200
    assert client.get("/api/redoc/").status_code == 200


@pytest.mark.parametrize(
    ("method", "query", "status"), [("get", "?format=xml", 404), ("delete", "", 405)]
)
def test_schema_errors_are_the_json_error_body(client, method, query, status):
    response = getattr(client, method)(f"/api/schema/{query}")

    assert response.status_code == status
    assert response["Content-Type"] == "application/json"
    assert response.json()["error"]["status"] == status
