"""URL-path versioning: /api/v1/items/, /api/v2/items/ (see features/api_versions.py)."""

_scheme = "{{ cookiecutter.project_slug }}.api.versioning.url_path.URLPathVersioning"
REST_FRAMEWORK["DEFAULT_VERSIONING_CLASS"] = _scheme
