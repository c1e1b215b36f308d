import pytest
from django.contrib.auth import get_user_model
from django.core.cache import cache  # feature: throttling
from rest_framework.test import APIClient


@pytest.fixture
def api_client():
    return APIClient()  # feature: not accept_header_versioning
    return APIClient(headers={"Accept": "application/json; version=1"})  # feature: accept_header_versioning


@pytest.fixture
def user(db):
    return get_user_model().objects.create_user(username="alice", password="correct-horse-9")


@pytest.fixture
def other_user(db):
    return get_user_model().objects.create_user(username="bob", password="correct-horse-9")


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
