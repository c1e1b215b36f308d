from unittest import mock

import pytest
from django.test import override_settings

from ..versioning.url_path import URLPathVersioning


def counting_parses():
    """Counts the versioning class's readings of the version (and still lets them run)."""
    original = URLPathVersioning.parse_version
    return mock.patch.object(
        URLPathVersioning, "parse_version", autospec=True, side_effect=original
    )


@pytest.mark.django_db
def test_the_version_is_the_first_segment_of_the_path(api_client):
    response = api_client.get("/api/v1/items/")

    assert response.status_code == 200


def test_an_unknown_version_is_a_json_404(api_client, db):
    response = api_client.get("/api/v99/items/")

    assert response.status_code == 404
    assert response.json()["error"]["code"] == "not_found"


@pytest.mark.django_db
def test_the_version_is_read_once_per_request_and_carries_its_deprecation(api_client):
    deprecated = {"v1": {"deprecated": "2020-01-01", "link": "/docs/api/"}}
    settings = override_settings(API_VERSIONS=["v1", "v2"], API_DEPRECATIONS=deprecated)
    with settings, counting_parses() as parse:
        response = api_client.get("/api/v1/items/")

    assert response.status_code == 200
    assert parse.call_count == 1
    assert response.wsgi_request.api_version == "v1"
    assert response.wsgi_request.api_deprecation.version == "v1"
    assert response.has_header("Deprecation")
