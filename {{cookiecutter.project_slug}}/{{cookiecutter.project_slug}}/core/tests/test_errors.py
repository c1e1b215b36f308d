import pytest
from django.urls import path

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
