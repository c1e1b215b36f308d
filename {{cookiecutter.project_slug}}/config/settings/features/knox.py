"""Opaque API tokens (django-rest-knox): stored hashed, each with an expiry.

The token is shown once, at sign-in; the database keeps only its digest. Logout deletes
the presented token; a password change deletes every other token of the user.
"""

from datetime import timedelta

from config.settings.components.accounts import at_least_one

REST_KNOX = {
    "TOKEN_TTL": timedelta(hours=at_least_one("AUTH_TOKEN_TTL_HOURS", default=24 * 7)),
    "TOKEN_LIMIT_PER_USER": at_least_one("AUTH_TOKEN_LIMIT_PER_USER", default=10),
    "AUTO_REFRESH": False,
    "AUTH_HEADER_PREFIX": "Token",
}
