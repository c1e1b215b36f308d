import pytest
from django.contrib.auth import get_user_model
from django.core.cache import cache  # feature: throttling
from rest_framework.test import APIClient


@pytest.fixture
def api_client():
    return APIClient()  # feature: not accept_header_versioning
    return APIClient(headers={"Accept": "application/json; version=1"})  # feature: accept_header_versioning


PASSWORD = "correct-horse-9"


def login_name(name):
    """What ``name`` signs in with: name@example.com, or the username itself."""
    return f"{name}@example.com" if get_user_model().USERNAME_FIELD == "email" else name


def credentials(name, password=PASSWORD):
    return {get_user_model().USERNAME_FIELD: login_name(name), "password": password}


@pytest.fixture
def make_user(db):
    """make_user("alice"): a user with the e-mail alice@example.com (and username alice)."""

    def make(name, password=PASSWORD, **fields):
        User = get_user_model()
        fields.setdefault("email", f"{name}@example.com")
        if User.USERNAME_FIELD != "email":
            fields["username"] = name
        return User.objects.create_user(password=password, **fields)

    return make


@pytest.fixture
def user(make_user):
    return make_user("alice")


@pytest.fixture
def other_user(make_user):
    return make_user("bob")


@pytest.fixture
def auth_client(user):
    client = APIClient()  # feature: not accept_header_versioning
    client = APIClient(headers={"Accept": "application/json; version=1"})  # feature: accept_header_versioning
    client.force_authenticate(user)
    return client
# begin feature: throttling


@pytest.fixture(autouse=True)
def fresh_rate_limit_counters():
    """Rate-limit counters live in the cache: every test starts with none spent."""
    cache.clear()
    yield
    cache.clear()
# end feature: throttling
