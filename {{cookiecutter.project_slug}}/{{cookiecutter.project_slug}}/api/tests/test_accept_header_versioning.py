import pytest
from rest_framework.test import APIClient


@pytest.mark.django_db
@pytest.mark.parametrize(
    "accept", ["application/json; version=1", "application/json", "*/*; version=1", None]
)
def test_the_version_comes_from_the_accept_header_or_the_default(accept):
    client = APIClient(headers={"Accept": accept} if accept else {})

    response = client.get("/api/items/")

    assert response.status_code == 200
    assert getattr(response.wsgi_request, "api_version", None) == "v1"


@pytest.mark.django_db
def test_an_unknown_version_is_a_clear_406():
    client = APIClient(headers={"Accept": "application/json; version=99"})

    response = client.get("/api/items/")

    assert response.status_code == 406
    error = response.json()["error"]
    assert error["code"] == "not_acceptable"
    assert "version=1" in error["message"]
