"""Accept-header versioning: ``Accept: application/json; version=1`` on /api/items/.

A request without a version gets API_DEFAULT_VERSION; an unknown version is a 406 that
lists the versions this API serves (see features/api_versions.py).
"""

_scheme = "{{ cookiecutter.project_slug }}.api.versioning.accept_header.AcceptHeaderVersioning"
REST_FRAMEWORK["DEFAULT_VERSIONING_CLASS"] = _scheme
