"""E-mail: senders, recipients of error reports, and the SMTP connection.

Each environment module picks its backend (EMAIL_BACKEND): local development prints mail
to the console (or sends it to a local catcher such as Mailpit when EMAIL_URL is set);
tests keep it in memory (django.core.mail.outbox); production sends it. Unhandled errors
(500s) and failed background tasks are e-mailed to ADMINS, at most once per kind of error
per DJANGO_ERROR_EMAIL_INTERVAL seconds (the handler: components/logging.py).
"""

from email.utils import formataddr

from django.core.exceptions import ImproperlyConfigured

from config.env import ENVIRONMENT, env

DEFAULT_FROM_EMAIL = env.address(
    "DJANGO_DEFAULT_FROM_EMAIL",
    default=formataddr(
        (
            "{{ cookiecutter.project_name }}",
            "noreply@{{ cookiecutter.domain_name }}",
        ),
    ),
)
# The sender of error reports to ADMINS and MANAGERS.
SERVER_EMAIL = env.address("DJANGO_SERVER_EMAIL", default=DEFAULT_FROM_EMAIL)
# Subjects read "[Project] ERROR: ..."; an empty value keeps the default.
DEFAULT_SUBJECT_PREFIX = "[{{ cookiecutter.project_name }}]"
_subject_prefix = env.str("DJANGO_EMAIL_SUBJECT_PREFIX", default="").strip()
EMAIL_SUBJECT_PREFIX = f"{_subject_prefix or DEFAULT_SUBJECT_PREFIX} "
ADMINS = env.addresses(
    "DJANGO_ADMINS",
    default=[("{{ cookiecutter.author_name }}", "{{ cookiecutter.author_email }}")],
)
MANAGERS = env.addresses("DJANGO_MANAGERS", default=ADMINS)

# SMTP: one EMAIL_URL (smtp://user:pass@host:587/?tls=True, smtp+ssl://...:465) or, when it
# is unset, the separate EMAIL_HOST, EMAIL_PORT... variables. A stalled server must not
# hang a request or a worker: every connection times out.
EMAIL_URL = env.str("EMAIL_URL", default="")
if EMAIL_URL:
    try:
        _email = env.email_url("EMAIL_URL")
    except ImproperlyConfigured as exc:
        raise ImproperlyConfigured(f"Environment variable EMAIL_URL is invalid: {exc}") from exc
    EMAIL_HOST = _email["EMAIL_HOST"] or "localhost"
    EMAIL_PORT = _email["EMAIL_PORT"] or 25
    EMAIL_HOST_USER = _email["EMAIL_HOST_USER"] or ""
    EMAIL_HOST_PASSWORD = _email["EMAIL_HOST_PASSWORD"] or ""
    # ?tls=True / ?ssl=True in the query, or the smtp+tls:// / smtp+ssl:// schemes.
    _query = {key.lower(): str(value).lower() for key, value in _email.get("OPTIONS", {}).items()}
    EMAIL_USE_TLS = _email.get("EMAIL_USE_TLS", False) or _query.get("tls") in {"true", "1"}
    EMAIL_USE_SSL = _email.get("EMAIL_USE_SSL", False) or _query.get("ssl") in {"true", "1"}
    _url_backend = _email["EMAIL_BACKEND"]
else:
    EMAIL_HOST = env.str("EMAIL_HOST", default="localhost")
    EMAIL_PORT = env.positive_int("EMAIL_PORT", default=25)
    EMAIL_HOST_USER = env.str("EMAIL_HOST_USER", default="")
    EMAIL_HOST_PASSWORD = env.str("EMAIL_HOST_PASSWORD", default="")
    EMAIL_USE_TLS = env.bool("EMAIL_USE_TLS", default=False)
    EMAIL_USE_SSL = env.bool("EMAIL_USE_SSL", default=False)
    _url_backend = None
if EMAIL_USE_TLS and EMAIL_USE_SSL:
    raise ImproperlyConfigured(
        "E-mail: use STARTTLS (EMAIL_USE_TLS, port 587) or implicit TLS (EMAIL_USE_SSL, "
        "port 465), not both (check EMAIL_URL / EMAIL_USE_TLS / EMAIL_USE_SSL)"
    )
EMAIL_TIMEOUT = env.positive_int("EMAIL_TIMEOUT", default=10)


def email_backend(default):
    """The backend EMAIL_URL names (smtp://, console://...), else ``default``."""
    return _url_backend or default


# Error reports: Django's AdminEmailHandler, rate-limited, with secrets blanked out.
MAIL_ERRORS_MODULE = "{{ cookiecutter.project_slug }}.observability.error_mail"
DEFAULT_EXCEPTION_REPORTER_FILTER = f"{MAIL_ERRORS_MODULE}.SafeReporterFilter"
ERROR_EMAILS = env.bool("DJANGO_ERROR_EMAILS", default=ENVIRONMENT != "local")
