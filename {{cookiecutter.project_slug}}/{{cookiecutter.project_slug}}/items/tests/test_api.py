import pytest

from conftest import credentials

from ..models import Item

ITEMS = "/api/v1/items/"  # feature: url_path_versioning
ITEMS = "/api/items/"  # feature: not url_path_versioning


@pytest.fixture
def item(user):
    return Item.objects.create(owner=user, name="First", description="The first item")


@pytest.mark.django_db
def test_anyone_can_list_items_page_by_page(api_client, user):
    Item.objects.bulk_create(Item(owner=user, name=f"item {i}") for i in range(25))

    first = api_client.get(ITEMS).json()
    second = api_client.get(first["next"]).json()

    assert first["count"] == 25
    assert len(first["results"]) == 20
    assert len(second["results"]) == 5
    assert api_client.get(ITEMS, {"page_size": 500}).json()["results"].__len__() == 25


def test_anonymous_users_cannot_create_items(api_client, db):
    response = api_client.post(ITEMS, {"name": "Nope"})

    assert response.status_code == 401
    assert response.json()["error"]["code"] == "not_authenticated"
    assert not Item.objects.exists()


def test_signed_in_users_create_items_they_own(auth_client, user):
    response = auth_client.post(ITEMS, {"name": "  Mine  ", "description": "d"})

    assert response.status_code == 201
    assert response.json()["owner"] == user.get_username()
    assert Item.objects.get().name == "Mine"


def test_invalid_input_lists_every_field_error(auth_client):
    response = auth_client.post(ITEMS, {"name": "   "})

    assert response.status_code == 400
    error = response.json()["error"]
    assert error["code"] == "invalid"
    assert "name" in error["details"]


def test_only_the_owner_can_change_an_item(api_client, item, other_user):
    api_client.force_authenticate(other_user)

    response = api_client.patch(f"{ITEMS}{item.pk}/", {"name": "Stolen"})

    assert response.status_code == 403
    assert response.json()["error"]["code"] == "permission_denied"
    item.refresh_from_db()
    assert item.name == "First"


def test_the_owner_edits_and_deletes(auth_client, item):
    assert auth_client.patch(f"{ITEMS}{item.pk}/", {"name": "Renamed"}).json()["name"] == "Renamed"
    assert auth_client.delete(f"{ITEMS}{item.pk}/").status_code == 204
    assert not Item.objects.exists()


def test_a_token_from_the_token_endpoint_authenticates(api_client, user):
    answer = api_client.post("/api/auth/token/", credentials("alice")).json()
    api_client.credentials(HTTP_AUTHORIZATION=f"Bearer {answer['access']}")  # feature: jwt
    api_client.credentials(HTTP_AUTHORIZATION=f"Token {answer['token']}")  # feature: knox

    assert api_client.post(ITEMS, {"name": "Via token"}).status_code == 201


def test_missing_item_is_a_json_404(api_client, db):
    response = api_client.get(f"{ITEMS}999999/")

    assert response.status_code == 404
    assert response.json()["error"]["code"] == "not_found"
