"""The project's user model: e-mail required and unique whatever its case, admin, superuser."""

import pytest
from django.contrib.auth import (
    authenticate,  # feature: username_email
    get_user_model,
)
from django.core.exceptions import ValidationError
from django.core.management import call_command
from django.db import IntegrityError
from django.urls import reverse

User = get_user_model()


def test_the_project_owns_its_user_model():
    assert User._meta.label == "users.User"
    assert User.USERNAME_FIELD == "email"  # feature: username_email
    assert "username" not in {field.name for field in User._meta.get_fields()}  # feature: username_email
    assert User.USERNAME_FIELD == "username"  # feature: not username_email


def test_an_email_address_is_unique_whatever_its_case(make_user):
    make_user("alice")

    with pytest.raises(IntegrityError):
        make_user("alice2", email="ALICE@example.com")


def test_model_validation_reports_a_duplicate_address(make_user):
    make_user("alice")
    twin = User(email="Alice@Example.com", password="x")
    twin.username = "alice2"  # feature: not username_email

    with pytest.raises(ValidationError) as raised:
        twin.full_clean()

    assert "A user with this e-mail address already exists." in str(raised.value)
# begin feature: username_email


def test_sign_in_finds_the_address_whatever_its_case(make_user):
    user = make_user("alice")

    assert authenticate(username="ALICE@example.COM", password="correct-horse-9") == user
    assert User.objects.get_by_natural_key("ALICE@example.COM") == user
# end feature: username_email


def test_an_address_is_required(db):
    fields = {"email": "", "password": "x"}
    fields["username"] = "nomail"  # feature: not username_email

    with pytest.raises(ValueError, match="e-mail"):
        User.objects.create_user(**fields)


def test_createsuperuser_noinput_reads_the_environment(db, monkeypatch):
    monkeypatch.setenv("DJANGO_SUPERUSER_EMAIL", "root@example.com")
    monkeypatch.setenv("DJANGO_SUPERUSER_USERNAME", "root")
    monkeypatch.setenv("DJANGO_SUPERUSER_PASSWORD", "correct-horse-9")

    call_command("createsuperuser", "--noinput", verbosity=0)

    root = User.objects.get(email="root@example.com")
    assert root.is_superuser
    assert root.is_staff
    assert root.check_password("correct-horse-9")
    assert root.get_username() == "root@example.com"  # feature: username_email
    assert root.get_username() == "root"  # feature: not username_email


@pytest.fixture
def admin_client_for(make_user, client):
    client.force_login(make_user("root", is_staff=True, is_superuser=True))
    return client


def test_the_admin_lists_searches_and_filters_users(admin_client_for, make_user):
    make_user("carol")
    url = reverse("admin:users_user_changelist")

    assert "carol@example.com" in admin_client_for.get(url, {"q": "carol"}).text
    assert admin_client_for.get(url, {"is_staff__exact": "1"}).status_code == 200


def test_the_admin_adds_a_user(admin_client_for):
    form = {
        "email": "dave@example.com",
        "usable_password": "true",
        "password1": "battery-staple-42",
        "password2": "battery-staple-42",
    }
    form["username"] = "dave"  # feature: not username_email

    response = admin_client_for.post(reverse("admin:users_user_add"), form)

    assert response.status_code == 302, response.content
    assert User.objects.get(email="dave@example.com").check_password("battery-staple-42")
