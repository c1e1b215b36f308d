"""Health checks run by GET /api/health/: name -> dotted path of a check function.

A feature that adds a dependency (a broker, say) adds its check here from its own file.
"""

HEALTH_CHECKS = {
    "database": "{{ cookiecutter.project_slug }}.core.health.check_database",
    "cache": "{{ cookiecutter.project_slug }}.core.health.check_cache",
}
