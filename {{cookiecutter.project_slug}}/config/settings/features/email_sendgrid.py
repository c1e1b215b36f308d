"""Production e-mail through SendGrid's SMTP relay.

The HTTP API client library most Django projects would use for it has dropped official
support for SendGrid (its backend now fails ``check --deploy``), and SendGrid documents
SMTP as a first-class way in: the login is the literal user name "apikey" and the
password an API key with "Mail Send" permission.
An explicit EMAIL_URL still wins (e.g. a catcher in staging).
"""

from config.env import env

if ENVIRONMENT == "production" and not EMAIL_URL:
    EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    EMAIL_HOST = env.str("SENDGRID_SMTP_HOST", default="smtp.sendgrid.net")
    EMAIL_PORT = 587
    EMAIL_USE_TLS = True
    EMAIL_USE_SSL = False
    EMAIL_HOST_USER = "apikey"
    EMAIL_HOST_PASSWORD = env.str("SENDGRID_API_KEY", default="")
