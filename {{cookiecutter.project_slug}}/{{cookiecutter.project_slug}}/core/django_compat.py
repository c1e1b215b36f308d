"""Every use of Django's private (underscored) internals, for Django 5.2.19.

The version is pinned in requirements.txt. Before upgrading Django, re-read these names in
its source (``core/cache/backends/redis.py``, ``utils/log.py``) and run
``core/tests/test_django_compat.py``: it fails naming each private name that moved. Nothing
else in the project touches Django's underscored attributes.
"""

from django.http import HttpResponseBase


def redis_client_class_and_pool(cache, *, write):
    """The redis-py client class and the connection pool that a Django ``RedisCache`` uses.

    Django's ``get_client()`` builds a new client per call; a caller that keeps one client
    per pool needs these two.
    """
    client = cache._cache
    return client._client, client._get_connection_pool(write=write)


def mark_response_logged(response: HttpResponseBase) -> None:
    """Stop Django from logging this response again (``django.utils.log.log_response``)."""
    response._has_been_logged = True  # type: ignore[attr-defined]
