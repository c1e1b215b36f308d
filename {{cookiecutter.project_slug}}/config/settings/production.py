"""Production: every secret from the environment, secure defaults.

Passes ``manage.py check --deploy --fail-level WARNING`` with nothing silenced. HSTS
defaults to one year; lower DJANGO_SECURE_HSTS_SECONDS while rolling out a new domain.
"""

from split_settings.tools import include

from config.env import env

ENVIRONMENT = "production"
include("base.py")

DEBUG = env.bool("DJANGO_DEBUG", default=False)
SECRET_KEY = env.str("DJANGO_SECRET_KEY")
SIMPLE_JWT["SIGNING_KEY"] = jwt_signing_key(SECRET_KEY, required=True)  # feature: jwt
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
