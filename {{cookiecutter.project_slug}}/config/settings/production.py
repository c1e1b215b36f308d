"""Production: every secret from the environment, secure defaults.

Passes ``manage.py check --deploy --fail-level WARNING`` with nothing silenced. HSTS
defaults to one year; lower DJANGO_SECURE_HSTS_SECONDS while rolling out a new domain.
"""

from split_settings.tools import include

from config.env import env
from config.settings.base import (
    DOMAIN_NAME,
    header_middleware,
    session_middleware,
    view_middleware,
)
from config.settings.components import mail  # feature: email_sendgrid
from config.settings.components.mail import email_backend  # feature: not email_anymail
from config.settings.components.static_files import STORAGES
from config.settings.features.jwt import SIMPLE_JWT, jwt_signing_key  # feature: jwt

include("base.py")

DEBUG = env.bool("DJANGO_DEBUG", default=False)
SECRET_KEY = env.str("DJANGO_SECRET_KEY")
SIMPLE_JWT = {**SIMPLE_JWT, "SIGNING_KEY": jwt_signing_key(SECRET_KEY, required=True)}  # feature: jwt
CSRF_TRUSTED_ORIGINS = env.list("DJANGO_CSRF_TRUSTED_ORIGINS", default=[f"https://{DOMAIN_NAME}"])

# TLS ends at the proxy in front of us; it tells us the original scheme in this header.
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_SSL_REDIRECT = env.bool("DJANGO_SECURE_SSL_REDIRECT", default=True)
# Load balancers probe over plain HTTP; a redirect would look like an outage to them.
SECURE_REDIRECT_EXEMPT = [r"^api/health/"]
SESSION_COOKIE_SECURE = True
SESSION_COOKIE_HTTPONLY = True
CSRF_COOKIE_SECURE = True
SECURE_HSTS_SECONDS = env.positive_int("DJANGO_SECURE_HSTS_SECONDS", default=31536000)
SECURE_HSTS_INCLUDE_SUBDOMAINS = env.bool("DJANGO_SECURE_HSTS_INCLUDE_SUBDOMAINS", default=True)
SECURE_HSTS_PRELOAD = env.bool("DJANGO_SECURE_HSTS_PRELOAD", default=True)
# The other headers (nosniff, Referrer-Policy, COOP, CORP, X-Frame-Options) are the same in
# every environment: components/security.py. docs/SECURITY.md gives each one's reason.

MIDDLEWARE = [
    *header_middleware,
    # begin feature: whitenoise
    # WhiteNoise serves the static files: after the middleware that only add headers (so
    # static files carry them too), before everything that does work (sessions...).
    "whitenoise.middleware.WhiteNoiseMiddleware",
    # end feature: whitenoise
    *session_middleware,
    *view_middleware,
]
# Hashed static names (collectstatic); a file missing at run time is logged, not a 500.
_static_storage = "{{ cookiecutter.project_slug }}.core.static_files.ManifestStorage"  # feature: not whitenoise
# begin feature: whitenoise
# Plus gzip and Brotli copies, which WhiteNoise serves to clients that accept them.
_static_storage = "{{ cookiecutter.project_slug }}.core.static_files.CompressedManifestStorage"
# end feature: whitenoise
STORAGES = {**STORAGES, "staticfiles": {"BACKEND": _static_storage}}

# Mail is sent: through EMAIL_URL's server (SMTP by default) or the provider.
EMAIL_BACKEND = email_backend(default="django.core.mail.backends.smtp.EmailBackend")  # feature: not email_anymail
EMAIL_BACKEND = "anymail.backends.{{ cookiecutter.email_provider }}.EmailBackend"  # feature: email_anymail
# begin feature: email_sendgrid
# SendGrid's SMTP relay: the login is the literal user name "apikey", the password an API
# key with "Mail Send" permission (its HTTP API client dropped official support). An
# explicit EMAIL_URL still wins (e.g. a catcher in staging).
if not mail.EMAIL_URL:
    EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    EMAIL_HOST = env.str("SENDGRID_SMTP_HOST", default="smtp.sendgrid.net")
    EMAIL_PORT = 587
    EMAIL_USE_TLS = True
    EMAIL_USE_SSL = False
    EMAIL_HOST_USER = "apikey"
    EMAIL_HOST_PASSWORD = env.str("SENDGRID_API_KEY", default="")
# end feature: email_sendgrid
