"""Settings fail loudly, at start-up, naming what to fix."""

import os
import secrets
import subprocess
import sys
from pathlib import Path

import pytest

PROJECT_ROOT = Path(__file__).resolve().parents[2]


def production_env(**overrides):
    env = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith(("DJANGO_", "DATABASE_", "REDIS_", "API_"))
    }
    env.update(
        DJANGO_SETTINGS_MODULE="config.settings.production",
        DJANGO_READ_DOT_ENV_FILE="false",
        DJANGO_SECRET_KEY=secrets.token_urlsafe(50),
        JWT_SIGNING_KEY=secrets.token_urlsafe(50),  # feature: jwt
        DJANGO_ALLOWED_HOSTS="api.example.com",
        # Production shares one cache between workers (nothing connects to it here).
        REDIS_URL="redis://127.0.0.1:6379/0",
    )
    env.update(overrides)
    return {key: value for key, value in env.items() if value is not None}


def manage(*args, **env_overrides):
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=PROJECT_ROOT,
        env=production_env(**env_overrides),
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def test_production_passes_the_deployment_checklist():
    result = manage("check", "--deploy", "--fail-level", "WARNING")

    assert result.returncode == 0, result.stderr


def test_production_refuses_to_start_without_a_secret_key():
    result = manage("check", DJANGO_SECRET_KEY=None)

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
def test_a_malformed_variable_fails_at_start_up_naming_it(variable, value):
    result = manage("check", **{variable: value})

    assert result.returncode != 0
    assert variable in result.stderr


def test_wsgi_defaults_to_production_settings():
    env = production_env()
    del env["DJANGO_SETTINGS_MODULE"]
    code = "import config.wsgi; from django.conf import settings; print(settings.ENVIRONMENT)"
    result = subprocess.run(
        [sys.executable, "-c", code],
        cwd=PROJECT_ROOT,
        env=env,
        capture_output=True,
        text=True,
        check=True,
    )

    assert result.stdout.strip() == "production"


def test_production_answers_json_only_and_logs_json():
    code = (
        "import django; django.setup(); from django.conf import settings as s; "
        "print(s.REST_FRAMEWORK['DEFAULT_RENDERER_CLASSES'], s.LOGGING['handlers']['console'])"
    )
    result = subprocess.run(
        [sys.executable, "-c", code],
        cwd=PROJECT_ROOT,
        env=production_env(),
        capture_output=True,
        text=True,
        check=True,
    )

    assert "BrowsableAPIRenderer" not in result.stdout
    assert "'formatter': 'json'" in result.stdout


def test_gunicorn_refuses_a_malformed_number_naming_it():
    env = production_env(GUNICORN_WORKERS="many")
    result = subprocess.run(
        [sys.executable, "-c", "import runpy; runpy.run_path('gunicorn.conf.py')"],
        cwd=PROJECT_ROOT,
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )

    assert result.returncode != 0
    assert "GUNICORN_WORKERS" in result.stderr
