"""Settings shared by every environment: start reading here.

The ordered lists Django walks (apps, middleware, authentication backends, DRF's classes)
are written out below, one entry a line, in the order Django uses them; each optional
feature's entries are there only when the feature was switched on at generation. Each
concern's own settings live in components/ (always present) and each optional feature's
in features/, included at the end of this file in the order listed there; the environment
modules (local.py, test.py, production.py) include this file, then add what only their
environment has.
"""

from split_settings.tools import include

from config.env import BASE_DIR, ENVIRONMENT, env
from config.settings.features.api_versions import REST_FRAMEWORK_VERSIONING  # feature: api_versions
from config.settings.features.sentry import SENTRY_DSN as SENTRY_DSN  # feature: sentry
from config.settings.features.sentry import SENTRY_MIDDLEWARE  # feature: sentry
from config.settings.features.throttling import THROTTLE_RATES  # feature: throttling

APPS_DIR = BASE_DIR / "{{ cookiecutter.project_slug }}"

DOMAIN_NAME = "{{ cookiecutter.domain_name }}"
DEBUG = env.bool("DJANGO_DEBUG", default=False)
ALLOWED_HOSTS = env.list("DJANGO_ALLOWED_HOSTS", default=[DOMAIN_NAME])
ADMIN_URL = env.url_path("DJANGO_ADMIN_URL", default="admin/")

TIME_ZONE = "{{ cookiecutter.timezone }}"
LANGUAGE_CODE = "en-us"
USE_I18N = True
USE_TZ = True

ROOT_URLCONF = "config.urls"
WSGI_APPLICATION = "config.wsgi.application"
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

INSTALLED_APPS = [
    # Django and DRF.
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "rest_framework",
    # The project's own apps.
    "{{ cookiecutter.project_slug }}.core",
    "{{ cookiecutter.project_slug }}.accounts",
    "{{ cookiecutter.project_slug }}.items",
    "{{ cookiecutter.project_slug }}.mail",
    "{{ cookiecutter.project_slug }}.observability",
    "{{ cookiecutter.project_slug }}.observability.errorlog",  # feature: admin_error_log
    "{{ cookiecutter.project_slug }}.api",  # feature: api_versions
    # Optional features, each on a marked line.
    "csp",  # feature: csp
    # begin feature: db_backups
    # The backups app before "dbbackup": its dbbackup and dbrestore commands extend the library's.
    "{{ cookiecutter.project_slug }}.backups",
    "dbbackup",
    # end feature: db_backups
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

# Middleware, outermost first, in three groups: the environment modules put their own
# entries between them (production.py: the static files, for one).
# Measure and identify the request, then only add headers: responses answered before the
# rest runs (static files, redirects to HTTPS) still pass through every one of these.
header_middleware = [
    # begin feature: sentry
    # While Sentry is on, its client-address middleware comes first (features/sentry.py).
    *SENTRY_MIDDLEWARE,
    # end feature: sentry
    # begin feature: prometheus
    # Starts the request timer before the middleware below (PrometheusAfterMiddleware,
    # near the end, stops it).
    "django_prometheus.middleware.PrometheusBeforeMiddleware",
    # end feature: prometheus
    # Before anything asks whether the request is HTTPS: drop a forged X-Forwarded-Proto.
    "{{ cookiecutter.project_slug }}.core.middleware.ForwardedProtoMiddleware",
    # The request id and the one log line per request, around everything that follows.
    "{{ cookiecutter.project_slug }}.observability.request_log.RequestLogMiddleware",
    # Every error below becomes the API's JSON error body.
    "{{ cookiecutter.project_slug }}.core.middleware.ErrorBodyMiddleware",
    # Outermost of the security headers, so it covers redirects to HTTPS as well.
    "{{ cookiecutter.project_slug }}.security.headers.SecurityHeadersMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "django_permissions_policy.PermissionsPolicyMiddleware",  # feature: permissions_policy
    # begin feature: csp
    # Right after SecurityMiddleware, so every response (errors included) carries the policy.
    "{{ cookiecutter.project_slug }}.security.csp.ContentSecurityPolicyMiddleware",
    # end feature: csp
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
]
# Sessions, and the work every request needs.
session_middleware = [
    "django.contrib.sessions.middleware.SessionMiddleware",
    # While the database is known to be down: 503 at once rather than a wait per request
    # (after static files, which never need it).
    "{{ cookiecutter.project_slug }}.core.database_outage.DatabaseOutageMiddleware",
    "django.middleware.common.CommonMiddleware",
]
# Who is asking, and what the view's answer carries.
view_middleware = [
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    # begin feature: api_versions
    # Deprecation and Sunset headers on the responses of a deprecated API version.
    "{{ cookiecutter.project_slug }}.api.deprecation.DeprecationMiddleware",
    # end feature: api_versions
    "django_prometheus.middleware.PrometheusAfterMiddleware",  # feature: prometheus
    # begin feature: throttling
    # Last, as django-axes requires: it turns a flagged login into the lockout response.
    "axes.middleware.AxesMiddleware",
    # end feature: throttling
]
MIDDLEWARE = [*header_middleware, *session_middleware, *view_middleware]

AUTHENTICATION_BACKENDS = [
    # begin feature: throttling
    # Refuses a sign-in from an address that is locked out (django-axes, features/throttling.py).
    "{{ cookiecutter.project_slug }}.throttling.backends.LoginLockoutBackend",
    # end feature: throttling
    "django.contrib.auth.backends.ModelBackend",
]

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [APPS_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                # begin feature: csp
                # CSP_NONCE, for a nonce attribute on inline <script> and <style>.
                "csp.context_processors.nonce",
                # end feature: csp
            ],
        },
    },
]

# The browsable API is a development convenience; production answers JSON only unless asked.
_browsable_api = env.bool("API_BROWSABLE", default=ENVIRONMENT != "production")
REST_FRAMEWORK = {
    # How a request says who it is: the API's tokens first, the admin's session last.
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "rest_framework_simplejwt.authentication.JWTAuthentication",  # feature: jwt
        "knox.auth.TokenAuthentication",  # feature: knox
        "rest_framework.authentication.SessionAuthentication",
    ],
    # Signed in unless a view says otherwise.
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    # begin feature: throttling
    # Tiered rate limits (features/throttling.py): a short burst window and a long one per tier.
    "DEFAULT_THROTTLE_CLASSES": [
        "{{ cookiecutter.project_slug }}.throttling.throttles.AnonBurstRateThrottle",
        "{{ cookiecutter.project_slug }}.throttling.throttles.AnonSustainedRateThrottle",
        "{{ cookiecutter.project_slug }}.throttling.throttles.UserBurstRateThrottle",
        "{{ cookiecutter.project_slug }}.throttling.throttles.UserSustainedRateThrottle",
        "{{ cookiecutter.project_slug }}.throttling.throttles.ScopedRateThrottle",
    ],
    "DEFAULT_THROTTLE_RATES": THROTTLE_RATES,
    # end feature: throttling
    "DEFAULT_PAGINATION_CLASS": "{{ cookiecutter.project_slug }}.core.pagination.PageNumberPagination",
    "PAGE_SIZE": env.positive_int("API_PAGE_SIZE", default=20),
    # JSON bodies only: one request format for every client (and the OpenAPI schema), and
    # no form post from another site reaches a view. An upload view opts back into
    # multipart with its own parser_classes (docs/SECURITY.md).
    "DEFAULT_PARSER_CLASSES": ["{{ cookiecutter.project_slug }}.core.parsers.JSONParser"],
    "DEFAULT_RENDERER_CLASSES": (
        [
            "rest_framework.renderers.JSONRenderer",
            # begin feature: csp
            # Marks its responses so that only those allow style="" attributes (CSP).
            "{{ cookiecutter.project_slug }}.security.csp.BrowsableAPIRenderer",
            # end feature: csp
            "rest_framework.renderers.BrowsableAPIRenderer",  # feature: not csp
        ]
        if _browsable_api
        else ["rest_framework.renderers.JSONRenderer"]
    ),
    "DEFAULT_SCHEMA_CLASS": "{{ cookiecutter.project_slug }}.api.schema.AutoSchema",  # feature: openapi
    # begin feature: api_versions
    # The versioning class and the versions it accepts (features/api_versions.py).
    **REST_FRAMEWORK_VERSIONING,
    # end feature: api_versions
    "EXCEPTION_HANDLER": "{{ cookiecutter.project_slug }}.core.exceptions.api_exception_handler",
    "TEST_REQUEST_DEFAULT_FORMAT": "json",
}

# New hashes are Argon2; older ones (PBKDF2, Django's previous default) are still accepted
# and rehashed with Argon2 at the user's next successful sign-in.
PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2SHA1PasswordHasher",
    "django.contrib.auth.hashers.ScryptPasswordHasher",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

# Each concern's settings, then each optional feature's, in this order. Every file imports
# the names it reads from the file that defines them, and sets only names it owns.
include(
    # Always present, one concern each.
    "components/accounts.py",
    "components/caches.py",
    "components/database.py",
    "components/health.py",
    "components/logging.py",
    "components/mail.py",
    "components/proxies.py",
    "components/queries.py",
    "components/rest_framework.py",
    "components/security.py",
    "components/static_files.py",
    # Optional features: each line (and file) is gone when its feature is off.
    # (features/sentry.py is imported at the top instead: it starts Sentry, once.)  # feature: sentry
    "features/admin_error_log.py",  # feature: admin_error_log
    "features/api_versions.py",  # feature: api_versions
    "features/celery.py",  # feature: celery
    "features/csp.py",  # feature: csp
    "features/db_backups.py",  # feature: db_backups
    "features/email_anymail.py",  # feature: email_anymail
    "features/jwt.py",  # feature: jwt
    "features/knox.py",  # feature: knox
    "features/openapi.py",  # feature: openapi
    "features/permissions_policy.py",  # feature: permissions_policy
    "features/prometheus.py",  # feature: prometheus
    "features/throttling.py",  # feature: throttling
    "features/users.py",  # feature: users
    "features/whitenoise.py",  # feature: whitenoise
)
