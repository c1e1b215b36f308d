"""Production sends through SendGrid's SMTP relay, with the API key as the password."""

import os
import subprocess
import sys
from pathlib import Path

PROJECT_ROOT = Path(__file__).resolve().parents[3]


def production_email_settings(**overrides):
    env = {k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "EMAIL_"))}
    env.update(
        DJANGO_SETTINGS_MODULE="config.settings.production",
        DJANGO_READ_DOT_ENV_FILE="false",
        DJANGO_SECRET_KEY="x" * 60,
        JWT_SIGNING_KEY="j" * 60,  # feature: jwt
        DJANGO_ALLOWED_HOSTS="api.example.com",
        **overrides,
    )
    code = (
        "import django; django.setup(); from django.conf import settings as s; "
        "print(s.EMAIL_BACKEND, s.EMAIL_HOST, s.EMAIL_PORT, s.EMAIL_USE_TLS, "
        "s.EMAIL_HOST_USER, s.EMAIL_HOST_PASSWORD)"
    )
    result = subprocess.run(
        [sys.executable, "-c", code],
        cwd=PROJECT_ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=True,
    )
    return result.stdout.strip().splitlines()[-1].split()


def test_production_sends_through_the_sendgrid_relay():
    found = production_email_settings(SENDGRID_API_KEY="SG.test-key")

    assert found == [
        "django.core.mail.backends.smtp.EmailBackend",
        "smtp.sendgrid.net",
        "587",
        "True",
        "apikey",
        "SG.test-key",
    ]


def test_an_explicit_email_url_wins():
    found = production_email_settings(EMAIL_URL="smtp://relay.internal:25")

    assert found[1:3] == ["relay.internal", "25"]
