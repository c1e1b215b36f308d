"""Opaque tokens: hashed in the database, expiring, one per sign-in, revocable."""

from django.conf import settings
from django.core.management import call_command
from django.test import override_settings
from knox.models import get_token_model

from conftest import credentials

TOKEN = "/api/auth/token/"
LOGOUT = "/api/auth/logout/"
CHANGE = "/api/auth/password/change/"
ME = "/api/v1/users/me/"  # feature: url_path_versioning
ME = "/api/users/me/"  # feature: not url_path_versioning


def sign_in(client, name="alice", password="correct-horse-9"):
    response = client.post(TOKEN, credentials(name, password))
    assert response.status_code == 200, response.content
    assert set(response.json()) == {"token", "expires"}
    return response.json()["token"]


def me(client, token):
    return client.get(ME, headers={"Authorization": f"Token {token}"})


def test_a_token_authenticates_and_expires_when_it_says(api_client, user):
    answer = api_client.post(TOKEN, credentials("alice")).json()

    assert me(api_client, answer["token"]).json()["id"] == user.pk
    stored = get_token_model().objects.get()
    assert answer["expires"].startswith(stored.expiry.strftime("%Y-%m-%dT%H:%M"))


def test_the_database_holds_no_plaintext_token(api_client, user, tmp_path):
    token = sign_in(api_client)
    dump = tmp_path / "dump.json"

    call_command("dumpdata", output=str(dump), verbosity=0)

    assert token not in dump.read_text()
    assert get_token_model().objects.get().digest != token


def test_logout_revokes_the_presented_token_only(api_client, user):
    first, second = sign_in(api_client), sign_in(api_client)

    response = api_client.post(LOGOUT, headers={"Authorization": f"Token {first}"})

    assert response.status_code == 204
    assert me(api_client, first).status_code == 401
    assert me(api_client, second).status_code == 200


def test_a_password_change_ends_every_other_token(api_client, user):
    current, other = sign_in(api_client), sign_in(api_client)

    changed = api_client.post(
        CHANGE,
        {"old_password": "correct-horse-9", "new_password": "battery-staple-42"},
        headers={"Authorization": f"Token {current}"},
    )

    assert changed.status_code == 204
    assert me(api_client, current).status_code == 200
    assert me(api_client, other).status_code == 401


def test_the_number_of_live_tokens_per_user_is_limited(api_client, user):
    with override_settings(REST_KNOX={**settings.REST_KNOX, "TOKEN_LIMIT_PER_USER": 2}):
        sign_in(api_client), sign_in(api_client)
        refused = api_client.post(TOKEN, credentials("alice"))

    assert refused.status_code == 403
    assert refused.json()["error"]["code"] == "permission_denied"
