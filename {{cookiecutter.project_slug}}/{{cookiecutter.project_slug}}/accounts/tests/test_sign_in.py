"""Signing in, the current user, and what every /api/auth/ path shares."""

# begin feature: throttling
import pytest
from django.conf import settings

# end feature: throttling
from conftest import credentials

# begin feature: throttling
from ...throttling.throttles import SharedRateThrottle

# end feature: throttling
TOKEN = "/api/auth/token/"
ME = "/api/v1/users/me/"  # feature: url_path_versioning
ME = "/api/users/me/"  # feature: not url_path_versioning
AUTH_PATHS = [
    "/api/auth/token/",
    "/api/auth/token/refresh/",  # feature: jwt
    "/api/auth/logout/",
    "/api/auth/password/change/",
    "/api/auth/password/reset/",
    "/api/auth/password/reset/confirm/",
]


def sign_in(client, name, password="correct-horse-9"):
    """The Authorization header value of a fresh sign-in."""
    answer = client.post(TOKEN, credentials(name, password))
    assert answer.status_code == 200, answer.content
    return f"Bearer {answer.json()['access']}"  # feature: jwt
    return f"Token {answer.json()['token']}"  # feature: knox


def test_wrong_credentials_are_the_json_error_shape(api_client, user):
    response = api_client.post(TOKEN, credentials("alice", "wrong"))

    assert response.status_code == 400
    error = response.json()["error"]
    assert error["code"] == "invalid"
    assert error["details"] == {"non_field_errors": ["Unable to sign in with those credentials."]}


def test_a_body_that_is_not_an_object_is_a_400_not_a_500(api_client, db):
    response = api_client.post(TOKEN, [None, None], format="json")

    assert response.status_code == 400
    assert response.json()["error"]["code"] == "invalid"


def test_an_unknown_account_gets_the_same_answer_as_a_wrong_password(api_client, user):
    unknown = api_client.post(TOKEN, credentials("nobody", "wrong"))
    wrong = api_client.post(TOKEN, credentials("alice", "wrong"))

    assert unknown.status_code == wrong.status_code == 400
    assert unknown.json() == wrong.json()


def test_the_current_user_reads_and_renames_themselves(api_client, user):
    api_client.credentials(HTTP_AUTHORIZATION=sign_in(api_client, "alice"))

    me = api_client.get(ME)
    renamed = api_client.patch(ME, {"first_name": "Alice", "last_name": "Liddell"})

    assert me.status_code == 200
    assert me.json()["email"] == "alice@example.com"
    assert renamed.status_code == 200
    user.refresh_from_db()
    assert (user.first_name, user.last_name) == ("Alice", "Liddell")


def test_an_email_address_change_through_users_me_is_refused(auth_client, user):
    response = auth_client.patch(ME, {"email": "mallory@example.com", "first_name": "Mal"})

    assert response.status_code == 400
    assert response.json()["error"]["details"]["email"] == ["The email cannot be changed here."]
    user.refresh_from_db()
    assert (user.email, user.first_name) == ("alice@example.com", "")


def test_the_current_address_may_be_sent_back_unchanged(auth_client, user):
    response = auth_client.patch(ME, {"email": "alice@example.com", "first_name": "Alice"})

    assert response.status_code == 200
    user.refresh_from_db()
    assert user.first_name == "Alice"


def test_users_me_needs_a_signed_in_user(api_client, db):
    response = api_client.get(ME)

    assert response.status_code == 401
    assert response.json()["error"]["code"] == "not_authenticated"
# begin feature: throttling


@pytest.mark.parametrize("path", AUTH_PATHS)
def test_every_auth_path_is_on_the_sensitive_tier(api_client, user, monkeypatch, path):
    # Signed in, so that the endpoints that need a user get as far as their throttles.
    api_client.credentials(HTTP_AUTHORIZATION=sign_in(api_client, "alice"))
    rates = {**settings.REST_FRAMEWORK["DEFAULT_THROTTLE_RATES"], "sensitive": "3/minute"}
    monkeypatch.setattr(SharedRateThrottle, "THROTTLE_RATES", rates)

    statuses = [api_client.post(path, {}, REMOTE_ADDR="198.51.100.9").status_code for _ in range(4)]
    refused = api_client.post(path, {}, REMOTE_ADDR="198.51.100.9")

    assert 429 not in statuses[:3]
    assert statuses[3] == 429
    assert int(refused["Retry-After"]) >= 1
    assert refused.json()["error"]["code"] == "throttled"
    assert api_client.post(path, {}, REMOTE_ADDR="198.51.100.10").status_code != 429
# end feature: throttling
