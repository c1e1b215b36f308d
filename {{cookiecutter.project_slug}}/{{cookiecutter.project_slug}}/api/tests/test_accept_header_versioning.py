from unittest import mock

import pytest
from django.test import override_settings
from rest_framework.test import APIClient

from ..versioning.accept_header import AcceptHeaderVersioning


def counting_parses():
    """Counts the readings of the Accept header's version (and still lets them run)."""
    original = AcceptHeaderVersioning.parse_version
    return mock.patch.object(
        AcceptHeaderVersioning, "parse_version", autospec=True, side_effect=original
    )


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


@pytest.mark.django_db
@pytest.mark.parametrize(("accept", "status"), [("1", 200), ("99", 406)])
def test_the_accept_header_is_read_once_per_request_for_routing_and_drf(accept, status):
    """Routing picks the version's view before DRF runs; DRF reuses that reading."""
    client = APIClient(headers={"Accept": f"application/json; version={accept}"})
    deprecated = {"v1": {"deprecated": "2020-01-01", "link": "/docs/api/"}}
    settings = override_settings(API_VERSIONS=["v1", "v2"], API_DEPRECATIONS=deprecated)
    with settings, counting_parses() as parse:
        response = client.get("/api/items/")

    assert response.status_code == status
    assert parse.call_count == 1
    assert response.has_header("Deprecation") is (accept == "1")
