"""What the OpenAPI schema says: error responses for every operation, one schema per version.

Imported by drf-spectacular through settings (DEFAULT_SCHEMA_CLASS, DEFAULT_GENERATOR_CLASS),
so it must not import drf_spectacular.views (which reads those settings when imported).
"""

from django.conf import settings  # feature: api_versions
from django.urls import include, path  # feature: api_versions
from drf_spectacular.generators import SchemaGenerator as BaseSchemaGenerator  # feature: api_versions
from drf_spectacular.openapi import AutoSchema as BaseAutoSchema
from drf_spectacular.utils import OpenApiResponse
from rest_framework import serializers
# begin feature: api_versions

from .versions import label, schema_urlpatterns, version_for_label
# end feature: api_versions

BODY_METHODS = ("POST", "PUT", "PATCH")
ERROR_RESPONSES = {
    400: "Invalid input: `details` maps each field to its errors.",
    401: "No credentials, or invalid ones.",
    403: "Signed in, but not allowed to do this.",
    404: "No such object, or no such page.",
    406: "The Accept header names a version (or media type) this API does not serve.",  # feature: accept_header_versioning
    415: "The request body is not JSON, a form or multipart.",
    429: "Too many requests: retry after the number of seconds in Retry-After.",  # feature: throttling
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

    def _get_response_bodies(self, direction="response"):
        responses = super()._get_response_bodies(direction)
        for status, description in ERROR_RESPONSES.items():
            if status in (400, 415) and self.method not in BODY_METHODS:
                continue
            response = OpenApiResponse(ErrorSerializer, description=description)
            responses.setdefault(
                str(status), self._get_response_for_code(response, str(status), None, direction)
            )
        return responses
# begin feature: api_versions


class SchemaGenerator(BaseSchemaGenerator):
    """One schema per API version: the shared endpoints plus that version's own."""

    def __init__(self, *args, api_version=None, patterns=None, **kwargs):
        version = version_for_label(api_version) or settings.API_DEFAULT_VERSION
        if patterns is None and kwargs.get("urlconf") is None:
            from .urls import infrastructure

            patterns = [path("api/", include([*infrastructure, *schema_urlpatterns(version)]))]
        super().__init__(*args, api_version=label(version), patterns=patterns, **kwargs)
# end feature: api_versions
