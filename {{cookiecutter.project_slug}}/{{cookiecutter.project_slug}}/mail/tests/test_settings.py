"""E-mail settings come from the environment and fail at start-up when malformed."""

import pytest
from django.conf import settings


def test_tests_keep_mail_in_memory():
    assert settings.EMAIL_BACKEND == "django.core.mail.backends.locmem.EmailBackend"


def test_admins_default_to_the_author():
    assert settings.ADMINS == [("{{ cookiecutter.author_name }}", "{{ cookiecutter.author_email }}")]
    assert settings.MANAGERS == settings.ADMINS


def test_addresses_come_from_the_environment(django_process):
    result = django_process.with_settings(
        "print(s.ADMINS, s.SERVER_EMAIL, s.DEFAULT_FROM_EMAIL, s.EMAIL_SUBJECT_PREFIX)",
        DJANGO_ADMINS='Ops <ops@example.org>, "Doe, Jo" <jo@example.org>',
        DJANGO_SERVER_EMAIL="errors@example.org",
        DJANGO_DEFAULT_FROM_EMAIL="Shop <shop@example.org>",
        DJANGO_EMAIL_SUBJECT_PREFIX="[shop] ",
    )

    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == (
        "[('Ops', 'ops@example.org'), ('Doe, Jo', 'jo@example.org')] "
        "errors@example.org Shop <shop@example.org> [shop]"
    )


def test_smtp_settings_come_from_email_url_with_a_timeout(django_process):
    result = django_process.with_settings(
        "print(s.EMAIL_HOST, s.EMAIL_PORT, s.EMAIL_HOST_USER, s.EMAIL_USE_TLS, s.EMAIL_TIMEOUT)",
        EMAIL_URL="smtp://mailer:secret@smtp.example.org:587/?tls=True",
    )

    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == ["smtp.example.org", "587", "mailer", "True", "10"]
# begin feature: not email_sendgrid


def test_smtp_settings_come_from_separate_variables(django_process):
    result = django_process.with_settings(
        "print(s.EMAIL_HOST, s.EMAIL_PORT, s.EMAIL_HOST_USER, s.EMAIL_USE_SSL)",
        EMAIL_HOST="smtp.example.org",
        EMAIL_PORT="465",
        EMAIL_HOST_USER="mailer",
        EMAIL_USE_SSL="true",
    )

    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == ["smtp.example.org", "465", "mailer", "True"]
# end feature: not email_sendgrid


@pytest.mark.parametrize(
    ("variable", "value"),
    [
        ("DJANGO_ADMINS", "Ops <ops@example>"),
        ("DJANGO_ADMINS", "ops@example.org,, dev@example.org"),
        ("DJANGO_SERVER_EMAIL", "not-an-address"),
        ("DJANGO_DEFAULT_FROM_EMAIL", "a@example.org, b@example.org"),
        ("EMAIL_URL", "carrier-pigeon://coop"),
        ("EMAIL_PORT", "twenty-five"),
        ("DJANGO_ERROR_EMAIL_LIMIT", "-1"),
    ],
)
def test_a_malformed_variable_fails_at_start_up_naming_it(django_process, variable, value):
    result = django_process.with_settings("pass", **{variable: value})

    assert result.returncode != 0
    assert variable in result.stderr
