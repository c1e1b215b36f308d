import pytest
from django.test import Client
from django.urls import path, reverse

from ..views import server_error


def broken_view(request):
    raise RuntimeError("boom")


urlpatterns = [path("broken/", broken_view)]
handler500 = server_error


def test_unknown_url_answers_with_the_json_error_body(client):
    response = client.get("/api/does-not-exist/")

    assert response.status_code == 404
    assert response["Content-Type"] == "application/json"
    assert response.json()["error"]["code"] == "not_found"


@pytest.mark.urls(__name__)
def test_unhandled_exception_is_a_json_500_without_traceback(client):
    client.raise_request_exception = False

    response = client.get("/broken/")

    assert response.status_code == 500
    assert response.json() == {
        "error": {
            "status": 500,
            "code": "server_error",
            "message": "Internal server error.",
            "details": None,
        }
    }
    assert b"Traceback" not in response.content
    assert b"boom" not in response.content


def test_every_response_carries_a_request_id(client):
    generated = client.get("/api/health/live/")
    echoed = client.get("/api/health/live/", headers={"X-Request-ID": "trace-1234abcd"})
    forged = client.get("/api/health/live/", headers={"X-Request-ID": "<script>"})

    assert len(generated["X-Request-ID"]) == 32
    assert echoed["X-Request-ID"] == "trace-1234abcd"
    assert forged["X-Request-ID"] != "<script>"


def assert_error_shape(response, status, code):
    assert response.status_code == status
    assert response["Content-Type"] == "application/json"
    error = response.json()["error"]
    assert (error["status"], error["code"]) == (status, code)
    assert error["message"]
    return error


def test_a_failed_csrf_check_is_the_json_error_body():
    client = Client(enforce_csrf_checks=True)

    response = client.post("/api/health/")

    error = assert_error_shape(response, 403, "csrf_failed")
    assert "CSRF" in error["details"]["reason"]


def test_a_failed_csrf_check_in_the_admin_keeps_djangos_page():
    client = Client(enforce_csrf_checks=True)

    response = client.post(reverse("admin:login"), {"username": "a", "password": "b"})

    assert response.status_code == 403
    assert response["Content-Type"].startswith("text/html")


def test_a_method_a_plain_view_does_not_allow_is_a_json_405(client):
    response = client.options("/api/health/live/")

    assert_error_shape(response, 405, "method_not_allowed")
    assert response["Allow"] == "GET"


def test_an_unknown_host_is_a_json_400(client):
    response = client.get("/api/health/live/", headers={"Host": "evil.example"})

    assert_error_shape(response, 400, "bad_request")


def test_a_body_over_the_upload_limit_is_a_json_413(client, settings):
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 1000
    body = '{"username": "%s", "password": "x"}' % ("a" * 2000)

    response = client.post("/api/auth/token/", body, content_type="application/json")

    assert_error_shape(response, 413, "request_too_large")


def test_an_unsupported_content_type_is_a_json_415(client):
    response = client.post("/api/auth/token/", "a,b", content_type="text/csv")

    assert_error_shape(response, 415, "unsupported_media_type")
