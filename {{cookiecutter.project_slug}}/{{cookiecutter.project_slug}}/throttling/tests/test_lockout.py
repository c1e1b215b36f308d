"""Sign-in lockouts: keyed by the client's address, ending on schedule, 429 on every path."""

import pytest
from axes.models import AccessAttempt
from django.conf import settings
from django.urls import reverse

from conftest import credentials, login_name

from ..lockout import LOCKOUT_MESSAGE
from ..throttles import SharedRateThrottle

PASSWORD = "correct-horse-9"
TOKEN = "/api/auth/token/"
ATTACKER, OWNER = "203.0.113.66", "198.51.100.7"


@pytest.fixture(autouse=True)
def only_the_lockout(monkeypatch):
    """A generous sensitive tier, so every 429 here is the lockout's."""
    rates = {**settings.REST_FRAMEWORK["DEFAULT_THROTTLE_RATES"], "sensitive": "1000/minute"}
    monkeypatch.setattr(SharedRateThrottle, "THROTTLE_RATES", rates)


@pytest.fixture
def owner(make_user):
    return make_user("owner", PASSWORD)


def token(client, password, ip):
    return client.post(
        TOKEN, credentials("owner", password), content_type="application/json", REMOTE_ADDR=ip
    )


def admin_login(client, password, ip):
    return client.post(
        reverse("admin:login"),
        {"username": login_name("owner"), "password": password},
        REMOTE_ADDR=ip,
    )


def lock_out_with_wrong_passwords(client, ip=ATTACKER):
    return [token(client, "wrong", ip).status_code for _ in range(settings.AXES_FAILURE_LIMIT)]


def test_a_locked_out_client_gets_429_with_retry_after_even_with_the_right_password(client, owner):
    lock_out_with_wrong_passwords(client)

    response = token(client, PASSWORD, ATTACKER)

    assert response.status_code == 429
    assert 1 <= int(response["Retry-After"]) <= settings.AXES_COOLOFF_TIME.total_seconds()
    assert response.json()["error"]["code"] == "throttled"
    assert response.json()["error"]["message"] == LOCKOUT_MESSAGE


def test_the_owner_signs_in_from_elsewhere_while_an_attacker_is_locked_out(client, owner):
    lock_out_with_wrong_passwords(client)

    assert token(client, PASSWORD, OWNER).status_code == 200
    assert admin_login(client, PASSWORD, OWNER).status_code in (200, 302)  # not an admin: form


def test_the_right_password_during_a_lockout_does_not_extend_it(client, owner):
    lock_out_with_wrong_passwords(client)
    locked_at = AccessAttempt.objects.get(ip_address=ATTACKER).attempt_time

    assert token(client, PASSWORD, ATTACKER).status_code == 429
    assert admin_login(client, PASSWORD, ATTACKER).status_code == 429
    assert token(client, "wrong again", ATTACKER).status_code == 429

    attempt = AccessAttempt.objects.get(ip_address=ATTACKER)
    assert attempt.attempt_time == locked_at
    assert attempt.failures_since_start == settings.AXES_FAILURE_LIMIT
    # Once the cool-off has passed since the failure that locked it, the lockout is over.
    AccessAttempt.objects.update(attempt_time=locked_at - settings.AXES_COOLOFF_TIME)
    assert token(client, PASSWORD, ATTACKER).status_code == 200


def test_the_admin_login_and_the_token_endpoint_share_one_lockout(client, owner):
    for _ in range(settings.AXES_FAILURE_LIMIT - 1):
        assert admin_login(client, "wrong", ATTACKER).status_code == 200

    assert token(client, "wrong", ATTACKER).status_code == 400  # the failure that locks
    response = admin_login(client, PASSWORD, ATTACKER)

    assert response.status_code == 429
    assert int(response["Retry-After"]) >= 1


def test_retry_after_counts_down_to_the_end_of_the_lockout(client, owner):
    lock_out_with_wrong_passwords(client)
    AccessAttempt.objects.update(
        attempt_time=AccessAttempt.objects.get().attempt_time - settings.AXES_COOLOFF_TIME / 2
    )

    left = int(token(client, PASSWORD, ATTACKER)["Retry-After"])

    assert left <= settings.AXES_COOLOFF_TIME.total_seconds() / 2 + 1
