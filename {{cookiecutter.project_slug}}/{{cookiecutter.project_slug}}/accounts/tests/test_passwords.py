"""Password hashing, and the reset flow from the e-mailed link to the new password."""

import re
from datetime import datetime, timedelta
from urllib.parse import urlparse

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.hashers import make_password
from django.core import mail
from django.test import override_settings

from conftest import credentials

RESET = "/api/auth/password/reset/"
CONFIRM = "/api/auth/password/reset/confirm/"
TOKEN = "/api/auth/token/"
RESET_URL = "https://app.example.com/reset/{uid}/{token}/"


def link_parts(message):
    """The uid and token of the link in a reset e-mail (built from PASSWORD_RESET_URL)."""
    [link] = re.findall(r"https://app\.example\.com/reset/\S+", message.body)
    _, _, uid, token, _ = urlparse(link).path.split("/")
    return uid, token


@pytest.fixture
def project_hashers(settings):
    """The project's own hashers (the test settings hash fast with MD5)."""
    settings.PASSWORD_HASHERS = settings.PROJECT_PASSWORD_HASHERS
    return settings.PASSWORD_HASHERS


def test_new_passwords_are_hashed_with_argon2(project_hashers, make_user):
    assert make_user("carol").password.startswith("argon2$")


def test_a_pbkdf2_hash_still_signs_in_and_is_upgraded_to_argon2(project_hashers, api_client, user):
    get_user_model().objects.filter(pk=user.pk).update(
        password=make_password("correct-horse-9", hasher="pbkdf2_sha256")
    )

    response = api_client.post(TOKEN, credentials("alice"))

    assert response.status_code == 200
    user.refresh_from_db()
    assert user.password.startswith("argon2$")


@override_settings(PASSWORD_RESET_URL=RESET_URL)
def test_a_reset_from_the_emailed_link_sets_the_new_password(api_client, user):
    answer = api_client.post(RESET, {"email": "Alice@Example.com"})

    assert answer.status_code == 202
    [message] = mail.outbox
    assert message.to == ["alice@example.com"]
    uid, token = link_parts(message)
    done = api_client.post(
        CONFIRM, {"uid": uid, "token": token, "new_password": "battery-9-staple"}
    )
    assert done.status_code == 204
    assert api_client.post(TOKEN, credentials("alice", "battery-9-staple")).status_code == 200
    assert api_client.post(TOKEN, credentials("alice")).status_code == 400


@override_settings(PASSWORD_RESET_URL=RESET_URL)
def test_an_unknown_address_gets_the_very_same_answer_and_no_mail(api_client, user):
    known = api_client.post(RESET, {"email": "alice@example.com"})
    unknown = api_client.post(RESET, {"email": "nobody@example.com"})

    assert known.status_code == unknown.status_code == 202
    assert known.content == unknown.content
    assert len(mail.outbox) == 1


@override_settings(PASSWORD_RESET_URL=RESET_URL)
def test_a_used_link_is_refused(api_client, user):
    api_client.post(RESET, {"email": "alice@example.com"})
    uid, token = link_parts(mail.outbox[0])
    first = {"uid": uid, "token": token, "new_password": "battery-9-staple"}
    api_client.post(CONFIRM, first)

    again = api_client.post(CONFIRM, {**first, "new_password": "another-9-staple"})

    assert again.status_code == 400
    assert again.json()["error"]["code"] == "invalid"
    assert "token" in again.json()["error"]["details"]


@override_settings(PASSWORD_RESET_URL=RESET_URL, PASSWORD_RESET_TIMEOUT=60)
def test_an_expired_link_is_refused(api_client, user, monkeypatch):
    api_client.post(RESET, {"email": "alice@example.com"})
    uid, token = link_parts(mail.outbox[0])
    later = datetime.now() + timedelta(seconds=120)  # the generator's clock is naive
    monkeypatch.setattr(
        "django.contrib.auth.tokens.PasswordResetTokenGenerator._now", lambda self: later
    )

    response = api_client.post(CONFIRM, {"uid": uid, "token": token, "new_password": "b-9-staple"})

    assert response.status_code == 400
    assert "token" in response.json()["error"]["details"]
    user.refresh_from_db()
    assert user.check_password("correct-horse-9")


@override_settings(PASSWORD_RESET_URL=RESET_URL)
def test_the_new_password_must_pass_the_validators(api_client, user):
    api_client.post(RESET, {"email": "alice@example.com"})
    uid, token = link_parts(mail.outbox[0])

    response = api_client.post(CONFIRM, {"uid": uid, "token": token, "new_password": "12345678"})

    assert response.status_code == 400
    assert "new_password" in response.json()["error"]["details"]


def test_a_garbled_uid_is_a_400_not_a_500(api_client, db):
    response = api_client.post(CONFIRM, {"uid": "!!!", "token": "x-y", "new_password": "b-9-stapl"})

    assert response.status_code == 400
    assert response.json()["error"]["code"] == "invalid"
# begin feature: not celery


class BrokenMailBackend:
    """A mail server that is down: every send fails."""

    def __init__(self, *args, **kwargs):
        pass

    def send_messages(self, messages):
        raise ConnectionRefusedError("the mail server is down")


@override_settings(EMAIL_BACKEND=f"{__name__}.BrokenMailBackend")
def test_a_failing_mail_server_is_logged_after_the_answer(api_client, user, caplog):
    answer = api_client.post(RESET, {"email": "alice@example.com"})

    assert answer.status_code == 202
    assert answer.content == api_client.post(RESET, {"email": "nobody@example.com"}).content
    [record] = [r for r in caplog.records if r.levelname == "ERROR"]
    assert "after the response" in record.getMessage()
    assert "the mail server is down" in record.exc_text
# end feature: not celery
