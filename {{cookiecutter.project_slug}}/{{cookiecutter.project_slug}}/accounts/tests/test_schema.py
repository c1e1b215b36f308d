"""The OpenAPI schema: each auth endpoint with its security scheme, the anonymous ones open."""

import json

from django.core.management import call_command

SCHEME = "jwtAuth"  # feature: jwt
SCHEME = "knoxApiToken"  # feature: knox
ME = "/api/v1/users/me/"  # feature: url_path_versioning
ME = "/api/users/me/"  # feature: not url_path_versioning
ANONYMOUS = [
    "/api/auth/token/",
    "/api/auth/token/refresh/",  # feature: jwt
    "/api/auth/logout/",  # feature: jwt
    "/api/auth/password/reset/",
    "/api/auth/password/reset/confirm/",
]
SIGNED_IN = [
    "/api/auth/password/change/",
    "/api/auth/logout/",  # feature: knox
]


def schema(tmp_path):
    path = tmp_path / "schema.json"
    call_command("spectacular", "--format", "openapi-json", "--file", str(path), verbosity=0)
    return json.loads(path.read_text())


def test_each_auth_endpoint_names_its_security_scheme(tmp_path):
    document = schema(tmp_path)
    paths = document["paths"]

    assert SCHEME in document["components"]["securitySchemes"]
    for path in ANONYMOUS:
        # No credentials read at all: generated clients call these without any.
        assert paths[path]["post"]["security"] == [], path
    for path in SIGNED_IN:
        assert {SCHEME: []} in paths[path]["post"]["security"], path
        assert {} not in paths[path]["post"]["security"], path
    assert {SCHEME: []} in paths[ME]["get"]["security"]
