"""Settings fail loudly, at start-up, naming what to fix; each environment's lists are pinned."""

import os
from pathlib import Path

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


# The effective order of each environment, written out so that a reordering (or a
# middleware that appears or goes) is a visible diff here. base.py explains each entry.
APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "rest_framework",
    "{{ cookiecutter.project_slug }}.core",
    "{{ cookiecutter.project_slug }}.accounts",
    "{{ cookiecutter.project_slug }}.items",
    "{{ cookiecutter.project_slug }}.mail",
    "{{ cookiecutter.project_slug }}.observability",
    "{{ cookiecutter.project_slug }}.observability.errorlog",  # feature: admin_error_log
    "{{ cookiecutter.project_slug }}.api",  # feature: api_versions
    "csp",  # feature: csp
    "{{ cookiecutter.project_slug }}.backups",  # feature: db_backups
    "dbbackup",  # feature: db_backups
    "anymail",  # feature: email_anymail
    "rest_framework_simplejwt",  # feature: jwt
    "rest_framework_simplejwt.token_blacklist",  # feature: jwt
    "knox",  # feature: knox
    "drf_spectacular",  # feature: openapi
    "drf_spectacular_sidecar",  # feature: openapi
    "django_prometheus",  # feature: prometheus
    "axes",  # feature: throttling
    "{{ cookiecutter.project_slug }}.throttling",  # feature: throttling
    "{{ cookiecutter.project_slug }}.users",  # feature: users
]
# The three groups every environment has, outermost first (base.py gives each its reason).
HEADER_MIDDLEWARE = [
    "django_prometheus.middleware.PrometheusBeforeMiddleware",  # feature: prometheus
    "{{ cookiecutter.project_slug }}.core.middleware.ForwardedProtoMiddleware",
    "{{ cookiecutter.project_slug }}.observability.request_log.RequestLogMiddleware",
    "{{ cookiecutter.project_slug }}.core.middleware.ErrorBodyMiddleware",
    "{{ cookiecutter.project_slug }}.security.headers.SecurityHeadersMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "django_permissions_policy.PermissionsPolicyMiddleware",  # feature: permissions_policy
    "{{ cookiecutter.project_slug }}.security.csp.ContentSecurityPolicyMiddleware",  # feature: csp
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
]
SESSION_MIDDLEWARE = [
    "django.contrib.sessions.middleware.SessionMiddleware",
    "{{ cookiecutter.project_slug }}.core.database_outage.DatabaseOutageMiddleware",
    "django.middleware.common.CommonMiddleware",
]
VIEW_MIDDLEWARE = [
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "{{ cookiecutter.project_slug }}.api.deprecation.DeprecationMiddleware",  # feature: api_versions
    "django_prometheus.middleware.PrometheusAfterMiddleware",  # feature: prometheus
    "axes.middleware.AxesMiddleware",  # feature: throttling
]
TEST_MIDDLEWARE = [*HEADER_MIDDLEWARE, *SESSION_MIDDLEWARE, *VIEW_MIDDLEWARE]
LOCAL_MIDDLEWARE = [
    *HEADER_MIDDLEWARE,
    *SESSION_MIDDLEWARE,
    "{{ cookiecutter.project_slug }}.core.debug_toolbar.csp_nonce_middleware",  # feature: csp and debug_toolbar
    "debug_toolbar.middleware.DebugToolbarMiddleware",  # feature: debug_toolbar
    *VIEW_MIDDLEWARE,
]
PRODUCTION_MIDDLEWARE = [
    "{{ cookiecutter.project_slug }}.observability.sentry.ClientIpMiddleware",  # feature: sentry
    *HEADER_MIDDLEWARE,
    "whitenoise.middleware.WhiteNoiseMiddleware",  # feature: whitenoise
    *SESSION_MIDDLEWARE,
    *VIEW_MIDDLEWARE,
]


def effective_lists(django_process, settings, **variables):
    values = django_process.setting_values(
        "MIDDLEWARE", "INSTALLED_APPS", settings=settings, REDIS_URL=SHARED_CACHE, **variables
    )
    return values["MIDDLEWARE"], values["INSTALLED_APPS"]


LOCAL_APPS = [*APPS, "debug_toolbar"]  # feature: debug_toolbar
LOCAL_APPS = APPS  # feature: not debug_toolbar
PRODUCTION_OVERRIDES: dict[str, str] = {}  # feature: not sentry
# begin feature: sentry
# A DSN that nothing is ever sent to: Sentry starts, so its middleware is listed.
PRODUCTION_OVERRIDES = {"SENTRY_DSN": "https://key@sentry.invalid/1"}
# end feature: sentry


@pytest.mark.parametrize(
    ("settings", "variables", "middleware", "apps"),
    [
        ("test", {}, TEST_MIDDLEWARE, APPS),
        ("local", {}, LOCAL_MIDDLEWARE, LOCAL_APPS),
        ("production", PRODUCTION_OVERRIDES, PRODUCTION_MIDDLEWARE, APPS),
    ],
)
def test_each_environment_has_its_pinned_middleware_and_app_order(
    django_process, settings, variables, middleware, apps
):
    effective_middleware, effective_apps = effective_lists(django_process, settings, **variables)

    assert effective_middleware == middleware
    # Apps you add to base.py are yours to place; the ones listed here keep their order.
    assert [app for app in effective_apps if app in apps] == apps


def test_a_settings_module_built_on_production_is_production(django_process, tmp_path):
    (tmp_path / "staging_settings.py").write_text("from config.settings.production import *\n")
    result = django_process.with_settings(
        "print(s.ENVIRONMENT, s.LOGGING['handlers']['console']['formatter'])",
        DJANGO_SETTINGS_MODULE="staging_settings",
        PYTHONPATH=os.pathsep.join([str(tmp_path), str(Path(__file__).resolve().parents[2])]),
        REDIS_URL=SHARED_CACHE,
    )

    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == ["production", "json"]
