"""The admin login locks out per client IP, without revealing who exists.

Never per username alone: an attacker elsewhere could then keep the owner locked out.
"""

import pytest
from django.conf import settings
from django.urls import reverse

from conftest import login_name

PASSWORD = "correct-horse-9"


ROOT = login_name("root")


@pytest.fixture
def admin_user(make_user):
    return make_user("root", PASSWORD, is_staff=True, is_superuser=True)


def attempt(client, username, guess="wrong", ip="192.0.2.10"):
    return client.post(
        reverse("admin:login"),
        {"username": username, "password": guess, "next": reverse("admin:index")},
        REMOTE_ADDR=ip,
    )


def lock_out(client, username, ip):
    """As many wrong passwords as the sensitive rate allows: the last one locks."""
    for _ in range(settings.AXES_FAILURE_LIMIT - 1):
        assert attempt(client, username, ip=ip).status_code == 200  # the form, again
    return attempt(client, username, ip=ip)


def test_repeated_failures_from_one_ip_lock_it_out_with_429(client, admin_user):
    response = lock_out(client, ROOT, ip="192.0.2.10")

    assert response.status_code == 429
    assert int(response["Retry-After"]) >= 1
    assert response.json()["error"]["code"] == "throttled"
    # Even the right password is refused until the cool-off ends.
    assert attempt(client, ROOT, PASSWORD, ip="192.0.2.10").status_code == 429


def test_an_attacker_elsewhere_cannot_lock_the_owner_out(client, admin_user):
    assert lock_out(client, ROOT, ip="192.0.2.20").status_code == 429

    assert attempt(client, ROOT, PASSWORD, ip="192.0.2.21").status_code == 302


def test_one_ip_is_locked_out_whichever_usernames_it_tries(client, admin_user):
    for n in range(settings.AXES_FAILURE_LIMIT - 1):
        assert attempt(client, f"user{n}", ip="192.0.2.25").status_code == 200

    assert attempt(client, ROOT, ip="192.0.2.25").status_code == 429
    assert attempt(client, ROOT, PASSWORD, ip="192.0.2.25").status_code == 429


def test_the_lockout_looks_the_same_for_real_and_unknown_users(client, admin_user):
    real = lock_out(client, ROOT, ip="192.0.2.30")
    unknown = lock_out(client, "nobody-by-this-name", ip="192.0.2.31")

    assert real.status_code == unknown.status_code == 429
    assert real.content == unknown.content
    assert real["Retry-After"] == unknown["Retry-After"]


def test_a_successful_login_is_not_affected_by_other_clients(client, admin_user):
    lock_out(client, "nobody", ip="192.0.2.40")

    response = attempt(client, ROOT, PASSWORD, ip="192.0.2.41")

    assert response.status_code == 302


def test_the_test_clients_login_still_works_without_a_request(client, admin_user):
    assert client.login(username=ROOT, password=PASSWORD)
