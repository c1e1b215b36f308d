"""Settings shared by every environment.

An environment module (local, test, production) sets ENVIRONMENT and includes this file.
Each concern lives in its own file under components/ (always present) and each optional
feature under features/ (deleted when the feature is switched off), so a disabled
feature is a missing file rather than a branch in here.
"""

from split_settings.tools import include, optional

from config.env import BASE_DIR, env

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
]

# Features insert themselves relative to these entries (see features/). Everything up to
# SessionMiddleware only adds headers, so responses answered early (static files) get them.
MIDDLEWARE = [
    # Before anything asks whether the request is HTTPS: drop a forged X-Forwarded-Proto.
    "{{ cookiecutter.project_slug }}.core.middleware.ForwardedProtoMiddleware",
    "{{ cookiecutter.project_slug }}.observability.request_log.RequestLogMiddleware",
    "{{ cookiecutter.project_slug }}.core.middleware.ErrorBodyMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    # While the database is known to be down: 503 at once rather than a wait per request
    # (after static files, which never need it).
    "{{ cookiecutter.project_slug }}.core.database_outage.DatabaseOutageMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
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
            ],
        },
    },
]

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

STATIC_URL = env.str("DJANGO_STATIC_URL", default="/static/")
STATIC_ROOT = env.path("DJANGO_STATIC_ROOT", default=BASE_DIR / "staticfiles")
MEDIA_URL = env.str("DJANGO_MEDIA_URL", default="/media/")
MEDIA_ROOT = env.path("DJANGO_MEDIA_ROOT", default=BASE_DIR / "media")

# In alphabetical order (a bare glob would give the file system's order, which varies).
SETTINGS_DIR = BASE_DIR / "config" / "settings"
include(
    *sorted(str(path) for path in SETTINGS_DIR.glob("components/*.py")),
    *[optional(str(path)) for path in sorted(SETTINGS_DIR.glob("features/*.py"))],
)
