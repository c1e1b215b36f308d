"""API versions: which ones exist, which is the default, which are deprecated.

Each version is a package under the project's api/ folder (v1 -> api/v1/) with its own
serializers, views and URLs; models and services are shared. ``python manage.py
startapiversion 2`` copies the latest version into api/v2/ and adds it here. The policy
(what is a breaking change, how long a version lives) is in docs/API_VERSIONING.md.
"""

# Every version the API serves, oldest first.
API_VERSIONS = ["v1"]
# The version a client gets when it does not name one.
API_DEFAULT_VERSION = "v1"

# Deprecated versions. Their responses carry the Deprecation (RFC 9745), Sunset (RFC 8594)
# and Link rel="deprecation" headers; from the sunset date on they answer 410 Gone. Dates
# are ISO 8601 (a bare date means midnight UTC); sunset is optional and never earlier than
# deprecated; replacement defaults to the next newer version. Checked at start-up.
API_DEPRECATIONS: dict[str, dict[str, str]] = {
    # "v1": {
    #     "deprecated": "2026-01-15",
    #     "sunset": "2026-07-15",
    #     "link": "https://{{ cookiecutter.domain_name }}/docs/api/migrate-v1-to-v2",
    #     "replacement": "v2",
    # },
}

# How clients name a version, in REST_FRAMEWORK (base.py).
# begin feature: url_path_versioning
# "v1" in the URL path: /api/v1/items/, /api/v2/items/.
REST_FRAMEWORK_VERSIONING = {
    "DEFAULT_VERSIONING_CLASS": "{{ cookiecutter.project_slug }}.api.versioning.url_path.URLPathVersioning",
    "ALLOWED_VERSIONS": list(API_VERSIONS),
    "DEFAULT_VERSION": API_DEFAULT_VERSION,
}
# end feature: url_path_versioning
# begin feature: accept_header_versioning
# "1" in the Accept header: ``Accept: application/json; version=1`` on /api/items/. A
# request without a version gets API_DEFAULT_VERSION; an unknown version is a 406 that
# lists the versions this API serves.
REST_FRAMEWORK_VERSIONING = {
    "DEFAULT_VERSIONING_CLASS": "{{ cookiecutter.project_slug }}.api.versioning.accept_header.AcceptHeaderVersioning",
    "ALLOWED_VERSIONS": [version.removeprefix("v") for version in API_VERSIONS],
    "DEFAULT_VERSION": API_DEFAULT_VERSION.removeprefix("v"),
}
# end feature: accept_header_versioning
