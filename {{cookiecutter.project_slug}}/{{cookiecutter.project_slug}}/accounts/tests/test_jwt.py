"""JWT sign-in: access + rotating refresh tokens, logout, revocation on password change."""

from django.core.management import call_command
from rest_framework_simplejwt.token_blacklist.models import OutstandingToken

from conftest import credentials

TOKEN = "/api/auth/token/"
REFRESH = "/api/auth/token/refresh/"
LOGOUT = "/api/auth/logout/"
CHANGE = "/api/auth/password/change/"
ME = "/api/v1/users/me/"  # feature: url_path_versioning
ME = "/api/users/me/"  # feature: not url_path_versioning


def pair(client, name="alice", password="correct-horse-9"):
    response = client.post(TOKEN, credentials(name, password))
    assert response.status_code == 200, response.content
    assert set(response.json()) == {"access", "refresh"}
    return response.json()


def me(client, access):
    return client.get(ME, headers={"Authorization": f"Bearer {access}"})


def test_sign_in_gives_an_access_token_that_authenticates(api_client, user):
    tokens = pair(api_client)

    assert me(api_client, tokens["access"]).json()["id"] == user.pk


def test_a_refresh_rotates_and_the_old_refresh_token_is_refused(api_client, user):
    tokens = pair(api_client)

    refreshed = api_client.post(REFRESH, {"refresh": tokens["refresh"]})
    reused = api_client.post(REFRESH, {"refresh": tokens["refresh"]})

    assert refreshed.status_code == 200
    assert set(refreshed.json()) == {"access", "refresh"}
    assert refreshed.json()["refresh"] != tokens["refresh"]
    assert me(api_client, refreshed.json()["access"]).status_code == 200
    assert reused.status_code == 401
    assert reused.json()["error"]["status"] == 401
    assert api_client.post(REFRESH, {"refresh": refreshed.json()["refresh"]}).status_code == 200


def test_logout_revokes_the_refresh_token(api_client, user):
    tokens = pair(api_client)

    assert api_client.post(LOGOUT, {"refresh": tokens["refresh"]}).status_code == 204
    assert api_client.post(REFRESH, {"refresh": tokens["refresh"]}).status_code == 401


def test_a_password_change_ends_every_other_session(api_client, user):
    laptop, phone = pair(api_client), pair(api_client)

    changed = api_client.post(
        CHANGE,
        {"old_password": "correct-horse-9", "new_password": "battery-staple-42"},
        headers={"Authorization": f"Bearer {laptop['access']}"},
    )

    assert changed.status_code == 200
    fresh = changed.json()
    assert me(api_client, fresh["access"]).status_code == 200
    for old in (laptop, phone):
        assert me(api_client, old["access"]).status_code == 401
        assert api_client.post(REFRESH, {"refresh": old["refresh"]}).status_code == 401
    assert api_client.post(REFRESH, {"refresh": fresh["refresh"]}).status_code == 200
    assert api_client.post(TOKEN, credentials("alice", "correct-horse-9")).status_code == 400
    pair(api_client, password="battery-staple-42")


def test_a_password_change_needs_the_current_password_and_a_good_new_one(api_client, user):
    access = pair(api_client)["access"]
    headers = {"Authorization": f"Bearer {access}"}

    wrong_old = api_client.post(
        CHANGE, {"old_password": "nope", "new_password": "battery-staple-42"}, headers=headers
    )
    weak = api_client.post(
        CHANGE, {"old_password": "correct-horse-9", "new_password": "123"}, headers=headers
    )

    assert wrong_old.status_code == weak.status_code == 400
    assert "old_password" in wrong_old.json()["error"]["details"]
    assert "new_password" in weak.json()["error"]["details"]
    assert me(api_client, access).status_code == 200


def test_a_rehashed_password_makes_other_devices_sign_in_again(api_client, user):
    tokens = pair(api_client)
    # What a stronger hasher does at the next sign-in: same password, new hash.
    user.set_password("correct-horse-9")
    user.save()

    refused = api_client.post(REFRESH, {"refresh": tokens["refresh"]})

    assert refused.status_code == 401
    assert me(api_client, tokens["access"]).status_code == 401
    assert me(api_client, pair(api_client)["access"]).status_code == 200


def test_the_database_holds_no_plaintext_token(api_client, user, tmp_path):
    tokens = pair(api_client)
    rotated = api_client.post(REFRESH, {"refresh": tokens["refresh"]}).json()
    assert api_client.post(LOGOUT, {"refresh": rotated["refresh"]}).status_code == 204
    dump = tmp_path / "dump.json"

    call_command("dumpdata", output=str(dump), verbosity=0)

    for token in (*tokens.values(), *rotated.values()):
        assert token not in dump.read_text()
    assert OutstandingToken.objects.count() == 2
    stored = OutstandingToken.objects.values_list("token", flat=True)
    assert all(digest.startswith("sha256:") for digest in stored)
    assert api_client.post(REFRESH, {"refresh": tokens["refresh"]}).status_code == 401
    assert api_client.post(REFRESH, {"refresh": rotated["refresh"]}).status_code == 401
