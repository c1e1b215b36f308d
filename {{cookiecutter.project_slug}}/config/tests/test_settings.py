"""Settings fail loudly, at start-up, naming what to fix."""

import pytest

# Production shares one cache between workers (nothing connects to it here).
SHARED_CACHE = "redis://127.0.0.1:6379/0"


def manage(django_process, *args, **variables):
    return django_process.manage(*args, REDIS_URL=SHARED_CACHE, **variables)


def test_production_passes_the_deployment_checklist(django_process):
    result = manage(django_process, "check", "--deploy", "--fail-level", "WARNING")

    assert result.returncode == 0, result.stderr


def test_production_refuses_to_start_without_a_secret_key(django_process):
    result = manage(django_process, "check", DJANGO_SECRET_KEY=None)

    assert result.returncode != 0
    assert "DJANGO_SECRET_KEY" in result.stderr


@pytest.mark.parametrize(
    ("variable", "value"),
    [
        ("DJANGO_SECURE_HSTS_SECONDS", "one-year"),
        ("DJANGO_DEBUG", "perhaps"),
        ("DJANGO_LOG_LEVEL", "LOUD"),
        ("DJANGO_ADMIN_URL", "/admin"),
        ("DATABASE_URL", "nosuchdb://host/name"),
        ("API_PAGE_SIZE", "-5"),
        ("API_MAX_JSON_DEPTH", "0"),
        ("API_MAX_JSON_DEPTH", "5000"),
        ("API_MAX_JSON_DEPTH", "deep"),
    ],
)
def test_a_malformed_variable_fails_at_start_up_naming_it(django_process, variable, value):
    result = manage(django_process, "check", **{variable: value})

    assert result.returncode != 0
    assert variable in result.stderr


def test_wsgi_defaults_to_production_settings(django_process):
    result = django_process.python(
        "import config.wsgi; from django.conf import settings; print(settings.ENVIRONMENT)",
        REDIS_URL=SHARED_CACHE,
        DJANGO_SETTINGS_MODULE=None,
    )

    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "production"


def test_production_answers_json_only_and_logs_json(django_process):
    result = django_process.with_settings(
        "print(s.REST_FRAMEWORK['DEFAULT_RENDERER_CLASSES'], s.LOGGING['handlers']['console'])",
        REDIS_URL=SHARED_CACHE,
    )

    assert result.returncode == 0, result.stderr
    assert "BrowsableAPIRenderer" not in result.stdout
    assert "'formatter': 'json'" in result.stdout


def test_gunicorn_refuses_a_malformed_number_naming_it(django_process):
    result = django_process.python(
        "import runpy; runpy.run_path('gunicorn.conf.py')",
        REDIS_URL=SHARED_CACHE,
        GUNICORN_WORKERS="many",
    )

    assert result.returncode != 0
    assert "GUNICORN_WORKERS" in result.stderr
