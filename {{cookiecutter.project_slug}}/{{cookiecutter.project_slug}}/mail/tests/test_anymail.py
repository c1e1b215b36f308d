"""Production sends through the provider's API (django-anymail)."""

# begin feature: not email_amazon_ses
import pytest
from anymail.exceptions import AnymailConfigurationError
from django.core.mail import send_mail

# end feature: not email_amazon_ses
BACKEND = "anymail.backends.{{ cookiecutter.email_provider }}.EmailBackend"
# begin feature: not email_amazon_ses


def test_sending_without_credentials_fails_naming_the_setting(settings):
    settings.EMAIL_BACKEND = BACKEND
    settings.ANYMAIL = {}

    with pytest.raises(AnymailConfigurationError, match=r"API_KEY|SERVER_TOKEN"):
        send_mail("Hello", "Body", None, ["someone@example.org"])
# end feature: not email_amazon_ses


def test_production_sends_through_the_provider(django_process):
    result = django_process.setting_values("EMAIL_BACKEND")

    assert result["EMAIL_BACKEND"] == BACKEND
