"""Security headers every response carries (docs/SECURITY.md lists the reasons)."""

import pytest


@pytest.fixture
def response(client):
    return client.get("/api/health/live/")


def test_responses_forbid_framing_sniffing_and_cross_origin_embedding(response):
    assert response["X-Frame-Options"] == "DENY"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Referrer-Policy"] == "same-origin"
    assert response["Cross-Origin-Opener-Policy"] == "same-origin"
    assert response["Cross-Origin-Resource-Policy"] == "same-origin"


def test_the_app_does_not_name_its_server_software(response):
    assert "Server" not in response
    assert "X-Powered-By" not in response


def test_error_responses_carry_the_headers_too(client):
    response = client.get("/api/no-such-page/")

    assert response.status_code == 404
    assert response["Cross-Origin-Resource-Policy"] == "same-origin"
    assert response["X-Content-Type-Options"] == "nosniff"
