import pytest


@pytest.mark.django_db
def test_the_version_is_the_first_segment_of_the_path(api_client):
    response = api_client.get("/api/v1/items/")

    assert response.status_code == 200


def test_an_unknown_version_is_a_json_404(api_client, db):
    response = api_client.get("/api/v99/items/")

    assert response.status_code == 404
    assert response.json()["error"]["code"] == "not_found"
