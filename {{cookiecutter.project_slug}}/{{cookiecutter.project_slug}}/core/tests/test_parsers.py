"""Request bodies are JSON only: a form or multipart body is a 415 in the error body."""

import pytest
from django.test import Client
from rest_framework import parsers

from conftest import credentials

from .test_errors import assert_error_shape
from .test_json_depth import drf_views

ITEMS = "/api/v1/items/"  # feature: url_path_versioning
ITEMS = "/api/items/"  # feature: not url_path_versioning
FORM = "application/x-www-form-urlencoded"


def test_every_api_view_parses_json_only():
    for view in drf_views():
        instance = view.cls(**getattr(view, "initkwargs", {}))
        assert all(isinstance(p, parsers.JSONParser) for p in instance.get_parsers()), view.cls


@pytest.mark.django_db
def test_a_form_sign_in_is_a_415_even_with_the_right_password(user):
    form = "&".join(f"{key}={value}" for key, value in credentials("alice").items())

    response = Client().post("/api/auth/token/", form, content_type=FORM)

    assert_error_shape(response, 415, "unsupported_media_type")


@pytest.mark.django_db
def test_a_multipart_sign_in_is_a_415(user):
    # The test client encodes a dict as multipart/form-data.
    response = Client().post("/api/auth/token/", credentials("alice"))

    assert_error_shape(response, 415, "unsupported_media_type")


def test_a_multipart_create_is_a_415_for_a_signed_in_user(auth_client):
    response = auth_client.post(ITEMS, {"name": "Mine"}, format="multipart")

    assert_error_shape(response, 415, "unsupported_media_type")
    assert auth_client.post(ITEMS, {"name": "Mine"}, format="json").status_code == 201
