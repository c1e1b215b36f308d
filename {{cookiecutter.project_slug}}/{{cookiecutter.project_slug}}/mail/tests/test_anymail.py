"""Production sends through the provider's API (django-anymail)."""

import os
import subprocess
import sys
from pathlib import Path

# begin feature: not email_amazon_ses
import pytest
from anymail.exceptions import AnymailConfigurationError
from django.core.mail import send_mail

# end feature: not email_amazon_ses
PROJECT_ROOT = Path(__file__).resolve().parents[3]
BACKEND = "anymail.backends.{{ cookiecutter.email_provider }}.EmailBackend"
# begin feature: not email_amazon_ses


def test_sending_without_credentials_fails_naming_the_setting(settings):
    settings.EMAIL_BACKEND = BACKEND
    settings.ANYMAIL = {}

    with pytest.raises(AnymailConfigurationError, match=r"API_KEY|SERVER_TOKEN"):
        send_mail("Hello", "Body", None, ["someone@example.org"])
# end feature: not email_amazon_ses


def test_production_sends_through_the_provider():
    env = {k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "EMAIL_"))}
    env.update(
        DJANGO_SETTINGS_MODULE="config.settings.production",
        DJANGO_READ_DOT_ENV_FILE="false",
        DJANGO_SECRET_KEY="x" * 60,
        JWT_SIGNING_KEY="j" * 60,  # feature: jwt
        DJANGO_ALLOWED_HOSTS="api.example.com",
    )
    code = "import django; django.setup(); from django.conf import settings; print(settings.EMAIL_BACKEND)"
    result = subprocess.run(
        [sys.executable, "-c", code],
        cwd=PROJECT_ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=True,
    )

    assert result.stdout.strip().splitlines()[-1] == BACKEND
