"""Deeply nested JSON is a 400 before parsing, not a RecursionError, a 500 and a mail."""

import json

import pytest
from django.conf import settings
from django.core import mail
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver
from rest_framework import parsers
from rest_framework.views import APIView

from ...observability.errorlog.models import LoggedError  # feature: admin_error_log
from ..parsers import JSONParser, nesting_depth

TOKEN_URL = "/api/auth/token/"


def nested_lists(depth):
    return "[" * depth + "]" * depth


def nested_objects(depth):
    return '{"a":' * depth + "1" + "}" * depth


@pytest.fixture
def client():
    return Client(raise_request_exception=False)


@pytest.mark.parametrize(
    ("text", "depth"),
    [
        ("1", 0),
        ("[]", 1),
        ('{"a": [1, {"b": []}]}', 4),
        ('["[[[[", "{ [ {"]', 1),  # brackets inside strings do not count
        (r'["a \"[[[[ quoted", "\\"]', 1),  # nor do they after escaped quotes
        ('"an unterminated [[[[ string', 0),
        ("[[[[", 4),  # a truncated body counts as deep as it goes
    ],
)
def test_nesting_depth(text, depth):
    assert nesting_depth(text) == depth


@pytest.mark.django_db
@pytest.mark.parametrize("body", [nested_lists(1000), nested_objects(1000)])
def test_a_deeply_nested_body_is_a_400_without_an_error_report(client, body):
    response = client.post(TOKEN_URL, body, content_type="application/json")

    assert response.status_code == 400
    assert response["Content-Type"] == "application/json"
    error = response.json()["error"]
    assert error["code"] == "too_deep"
    assert str(settings.API_MAX_JSON_DEPTH) in error["message"]
    assert mail.outbox == []
    assert not LoggedError.objects.exists()  # feature: admin_error_log


@pytest.mark.django_db
def test_nesting_up_to_the_limit_is_parsed(client):
    limit = settings.API_MAX_JSON_DEPTH
    extra = json.loads(nested_lists(limit - 1))
    body = json.dumps({"username": "alice", "password": "x", "extra": extra})

    response = client.post(TOKEN_URL, body, content_type="application/json")

    assert response.status_code == 400
    assert response.json()["error"]["code"] == "invalid"  # the credentials, not the nesting


@pytest.mark.django_db
def test_a_long_flat_array_is_fine(client):
    body = json.dumps({"username": "alice", "password": "x", "tags": list(range(200_000))})

    response = client.post(TOKEN_URL, body, content_type="application/json")

    assert response.json()["error"]["code"] == "invalid"


def drf_views(patterns=None):
    for pattern in get_resolver().url_patterns if patterns is None else patterns:
        if isinstance(pattern, URLResolver):
            yield from drf_views(pattern.url_patterns)
        elif isinstance(pattern, URLPattern) and issubclass(
            getattr(pattern.callback, "cls", object), APIView
        ):
            yield pattern.callback


def test_every_api_view_parses_json_with_the_depth_check():
    views = list(drf_views())
    assert views

    for view in views:
        instance = view.cls(**getattr(view, "initkwargs", {}))
        json_parsers = [p for p in instance.get_parsers() if isinstance(p, parsers.JSONParser)]
        assert all(isinstance(parser, JSONParser) for parser in json_parsers), view.cls
