"""Django's private names the project relies on (core/django_compat.py) still exist.

A failure here after a Django upgrade names the private attribute that moved: re-read it in
Django's source and update core/django_compat.py (and its docstring's version).
"""

import logging

import redis
from django.contrib.auth.models import UserManager
from django.core.cache.backends.redis import RedisCache, RedisCacheClient
from django.http import HttpResponse
from django.test import RequestFactory
from django.utils.functional import cached_property
from django.utils.log import log_response

from ..django_compat import mark_response_logged, redis_client_class_and_pool

UNREACHABLE = "redis://127.0.0.1:1/0"


def test_the_redis_cache_still_keeps_its_client_class_and_pools_privately():
    assert isinstance(vars(RedisCache).get("_cache"), cached_property)
    client = RedisCacheClient([UNREACHABLE])  # connects lazily: nothing is contacted here
    assert vars(client).get("_client") is redis.Redis
    assert callable(vars(RedisCacheClient).get("_get_connection_pool"))


def test_the_client_class_and_pool_are_the_ones_the_cache_writes_with():
    cache = RedisCache(UNREACHABLE, {})

    client_class, pool = redis_client_class_and_pool(cache, write=True)

    assert client_class is redis.Redis
    assert isinstance(pool, redis.ConnectionPool)
    assert pool is cache._cache.get_client(write=True).connection_pool


def test_a_response_marked_logged_is_not_logged_again(caplog):
    request = RequestFactory().get("/")
    unmarked, marked = HttpResponse(status=503), HttpResponse(status=503)
    mark_response_logged(marked)

    with caplog.at_level(logging.ERROR, logger="django.request"):
        log_response("Service Unavailable: %s", request.path, response=marked, request=request)
        assert not caplog.records
        log_response("Service Unavailable: %s", request.path, response=unmarked, request=request)
    assert len(caplog.records) == 1


def test_the_user_manager_still_creates_users_through_its_private_helper():
    # users/managers.py overrides it to refuse a user without an e-mail address.
    assert callable(getattr(UserManager, "_create_user_object", None))
