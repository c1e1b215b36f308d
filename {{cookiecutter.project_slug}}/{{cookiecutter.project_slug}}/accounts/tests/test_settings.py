"""Accounts settings from the environment: a bad value stops start-up, naming it."""

import pytest

SECRET_KEY = "x" * 60


@pytest.mark.parametrize(
    ("variable", "value"),
    [
        ("PASSWORD_RESET_URL", "https://app.example.com/reset/"),
        ("PASSWORD_RESET_TIMEOUT", "0"),
        ("JWT_SIGNING_KEY", "too-short"),  # feature: jwt
        ("JWT_SIGNING_KEY", SECRET_KEY),  # feature: jwt
        ("JWT_ACCESS_TOKEN_LIFETIME_MINUTES", "0"),  # feature: jwt
        ("JWT_REFRESH_TOKEN_LIFETIME_DAYS", "a week"),  # feature: jwt
        ("AUTH_TOKEN_TTL_HOURS", "0"),  # feature: knox
        ("AUTH_TOKEN_LIMIT_PER_USER", "-1"),  # feature: knox
    ],
)
def test_a_bad_accounts_variable_fails_at_start_up_naming_it(django_process, variable, value):
    result = django_process.manage("check", DJANGO_SECRET_KEY=SECRET_KEY, **{variable: value})

    assert result.returncode != 0
    assert variable in result.stderr
# begin feature: jwt


@pytest.mark.parametrize("value", [None, ""])
def test_production_refuses_to_start_without_a_jwt_signing_key(django_process, value):
    result = django_process.manage("check", DJANGO_SECRET_KEY=SECRET_KEY, JWT_SIGNING_KEY=value)

    assert result.returncode != 0
    assert "Set the JWT_SIGNING_KEY environment variable" in result.stderr


def test_local_settings_derive_a_jwt_signing_key_when_none_is_set(django_process):
    # Production's environment (no .env file read), under the local settings.
    result = django_process.manage(
        "check", DJANGO_SETTINGS_MODULE="config.settings.local", JWT_SIGNING_KEY=None
    )

    assert result.returncode == 0, result.stderr
# end feature: jwt
