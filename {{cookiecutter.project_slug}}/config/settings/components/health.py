"""Health checks run by GET /api/health/: name -> dotted path of a check function.

A feature that adds a dependency (a broker, say) adds its check here as a marked line.
The checks run concurrently, each allowed HEALTH_CHECK_TIMEOUT seconds, so the readiness
probe answers within about that long whatever hangs (docs/DEPLOYMENT.md, "Probes").
"""

from config.env import env

HEALTH_CHECKS = {
    "database": "{{ cookiecutter.project_slug }}.core.health.check_database",
    "cache": "{{ cookiecutter.project_slug }}.core.health.check_cache",
    "broker": "config.celery.check_broker",  # feature: celery
}
HEALTH_CHECK_TIMEOUT = env.seconds("HEALTH_CHECK_TIMEOUT", default=1.0)
