"""Production sends through SendGrid's SMTP relay, with the API key as the password."""

EMAIL_SETTINGS = (
    "print(s.EMAIL_BACKEND, s.EMAIL_HOST, s.EMAIL_PORT, s.EMAIL_USE_TLS, "
    "s.EMAIL_HOST_USER, s.EMAIL_HOST_PASSWORD)"
)


def production_email_settings(django_process, **variables):
    result = django_process.with_settings(EMAIL_SETTINGS, **variables)
    assert result.returncode == 0, result.stderr
    return result.stdout.strip().splitlines()[-1].split()


def test_production_sends_through_the_sendgrid_relay(django_process):
    found = production_email_settings(django_process, SENDGRID_API_KEY="SG.test-key")

    assert found == [
        "django.core.mail.backends.smtp.EmailBackend",
        "smtp.sendgrid.net",
        "587",
        "True",
        "apikey",
        "SG.test-key",
    ]


def test_an_explicit_email_url_wins(django_process):
    found = production_email_settings(django_process, EMAIL_URL="smtp://relay.internal:25")

    assert found[1:3] == ["relay.internal", "25"]
