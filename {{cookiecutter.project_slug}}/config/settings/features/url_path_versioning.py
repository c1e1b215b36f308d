"""URL-path versioning: /api/v1/items/, /api/v2/items/ (see features/api_versions.py)."""

REST_FRAMEWORK["DEFAULT_VERSIONING_CLASS"] = "rest_framework.versioning.URLPathVersioning"
