"""What the OpenAPI schema says: error responses for every operation, one schema per version.

Imported by drf-spectacular through settings (DEFAULT_SCHEMA_CLASS, DEFAULT_GENERATOR_CLASS),
so it must not import drf_spectacular.views (which reads those settings when imported).
"""

from django.conf import settings  # feature: api_versions
from django.urls import include, path  # feature: api_versions
from drf_spectacular import generators  # feature: api_versions
from drf_spectacular.openapi import AutoSchema as BaseAutoSchema
from drf_spectacular.utils import OpenApiResponse
from rest_framework import serializers

# begin feature: api_versions
from .deprecation import deprecation_for, describing_schema
from .versioning import label, schema_urlpatterns, version_for_label

# end feature: api_versions
BODY_METHODS = ("POST", "PUT", "PATCH")
# Every error the project answers, in the error body (core.exceptions); 400 and 415 only
# where there is a request body. 410 is added per version, once it has a sunset date.
ERROR_RESPONSES = {
    400: "Invalid input: `details` maps each field to its errors.",
    401: "No credentials, or invalid ones.",
    403: "Signed in, but not allowed to do this.",
    404: "No such object, or no such page.",
    405: "This path does not answer this method (the Allow header lists those it does).",
    406: "The Accept header asks for a media type (or an API version) this API does not serve.",
    415: "The request body is not JSON: send `Content-Type: application/json`.",
    429: "Too many requests: retry after the number of seconds in Retry-After.",  # feature: throttling
    503: "The database is unavailable: retry after the number of seconds in Retry-After.",
}
RETRY_AFTER_STATUSES = (429, 503)
RETRY_AFTER = {
    "Retry-After": {
        "description": "Seconds to wait before the next request.",
        "schema": {"type": "integer", "minimum": 1},
    }
}


class ErrorDetailSerializer(serializers.Serializer):
    status = serializers.IntegerField(help_text="The HTTP status code.")
    code = serializers.CharField(help_text="A stable, machine-readable error code.")
    message = serializers.CharField(help_text="A human-readable explanation.")
    details = serializers.JSONField(
        allow_null=True, help_text="Field errors for invalid input; null otherwise."
    )


class ErrorSerializer(serializers.Serializer):
    """The body of every error response."""

    error = ErrorDetailSerializer()


class AutoSchema(BaseAutoSchema):
    """drf-spectacular's inspector, plus the error responses every operation can give."""

    def get_operation(self, *args, **kwargs):
        operation = super().get_operation(*args, **kwargs)
        if operation is not None and not self.view.get_authenticators():
            # A view that reads no credentials at all (sign-in, refresh, password reset):
            # `security: []`, so generated clients call it without any (drf-spectacular
            # would say `[{}]`, "credentials optional", and clients then demand them).
            operation["security"] = []
        return operation

    def _get_response_bodies(self, direction="response"):
        responses = super()._get_response_bodies(direction)
        for status, description in ERROR_RESPONSES.items():
            if status in (400, 415) and self.method not in BODY_METHODS:
                continue
            if str(status) in responses:
                continue
            response = OpenApiResponse(ErrorSerializer, description=description)
            body = self._get_response_for_code(response, str(status), None, direction)
            if status in RETRY_AFTER_STATUSES:
                body["headers"] = {**body.get("headers", {}), **RETRY_AFTER}
            responses[str(status)] = body
        return responses
# begin feature: api_versions


class SchemaGenerator(generators.SchemaGenerator):
    """One schema per API version: the shared endpoints plus that version's own.

    ``info.version`` is the API's release (SPECTACULAR_SETTINGS["VERSION"]), a version
    string packaging tools accept; the API version the schema describes is
    ``info.x-api-version``.
    """

    def __init__(self, *args, api_version=None, patterns=None, **kwargs):
        self.described_version = version_for_label(api_version) or settings.API_DEFAULT_VERSION
        if patterns is None and kwargs.get("urlconf") is None:
            from .urls import infrastructure

            own = schema_urlpatterns(self.described_version)
            patterns = [path("api/", include([*infrastructure, *own]))]
        super().__init__(
            *args, api_version=label(self.described_version), patterns=patterns, **kwargs
        )

    def get_schema(self, request=None, public=False):
        # The generator asks each view for its version: a retired one is still described.
        describing = describing_schema.set(True)
        try:
            schema = super().get_schema(request, public)
        finally:
            describing_schema.reset(describing)
        schema["info"]["version"] = settings.SPECTACULAR_SETTINGS["VERSION"]
        schema["info"]["x-api-version"] = label(self.described_version)
        pin_accept_header(schema, label(self.described_version))  # feature: accept_header_versioning
        deprecation = deprecation_for(self.described_version)
        if deprecation is not None:
            document_deprecation(schema, deprecation)
        return schema


def operations(schema):
    for path_name, item in schema["paths"].items():
        for method, operation in item.items():
            yield path_name, method, operation


def is_version_path(path_name):
    """Whether a schema path belongs to the version, not to the shared infrastructure."""
    from .urls import infrastructure

    shared = tuple(f"/api/{pattern.pattern}" for pattern in infrastructure)
    return not path_name.startswith(shared)
# begin feature: accept_header_versioning


def pin_accept_header(schema, version_label):
    """Name the version in every JSON media type, as the Accept header must send it.

    drf-spectacular names it for non-default versions only; a generated client that sends
    what the schema says then stays on its version when the default moves on.
    """
    media_type = f"application/json; version={version_label}"
    for _, _, operation in operations(schema):
        for response in operation.get("responses", {}).values():
            content = response.get("content", {})
            if "application/json" in content:
                content[media_type] = content.pop("application/json")
    schema["info"]["x-api-accept"] = media_type
# end feature: accept_header_versioning


def document_deprecation(schema, deprecation):
    """A deprecated version's operations: deprecated, with their warning headers and the 410."""
    headers = {
        "Deprecation": {
            "description": "When this API version was deprecated (RFC 9745, `@` epoch seconds).",
            "schema": {"type": "string"},
        },
        "Link": {
            "description": 'The migration guide, as `rel="deprecation"`.',
            "schema": {"type": "string"},
        },
    }
    if deprecation.sunset is not None:
        headers["Sunset"] = {
            "description": "From this moment on the version answers 410 Gone (RFC 8594).",
            "schema": {"type": "string"},
        }
    for path_name, _, operation in operations(schema):
        if not is_version_path(path_name):
            continue
        operation["deprecated"] = True
        for response in operation["responses"].values():
            response["headers"] = {**response.get("headers", {}), **headers}
        if deprecation.sunset is not None:
            operation["responses"]["410"] = {
                "description": f"Retired on {deprecation.sunset.date().isoformat()}: use a newer version.",
                "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}},
            }
# end feature: api_versions
