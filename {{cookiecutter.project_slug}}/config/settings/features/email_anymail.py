"""Production e-mail through the provider's HTTP API, with django-anymail.

production.py picks the provider's backend; credentials come from the environment. A missing one makes sending fail with anymail's
error naming it (logged, and visible in the health of your error reports), never a
silent drop. Local development and tests keep their console and in-memory backends
(local.py, test.py), so no real mail leaves a laptop or a CI run.
"""

from typing import Any

from config.env import env
from config.settings.components.mail import EMAIL_TIMEOUT

ANYMAIL: dict[str, Any] = {
    # Every API call times out, like SMTP connections do.
    "REQUESTS_TIMEOUT": EMAIL_TIMEOUT,
}
# The provider's variables, each passed on to anymail only when set.
ANYMAIL_VARIABLES = [
    # begin feature: email_amazon_ses
    # boto3 itself reads AWS_ACCESS_KEY_ID / AWS_SECRET_ACCESS_KEY (or an instance role).
    "AMAZON_SES_CONFIGURATION_SET_NAME",
    # end feature: email_amazon_ses
    # begin feature: email_mailgun
    "MAILGUN_API_KEY",
    "MAILGUN_SENDER_DOMAIN",
    "MAILGUN_API_URL",  # EU accounts: https://api.eu.mailgun.net/v3
    # end feature: email_mailgun
    # begin feature: email_postmark
    "POSTMARK_SERVER_TOKEN",
    "POSTMARK_API_URL",
    # end feature: email_postmark
    # begin feature: email_brevo
    "BREVO_API_KEY",
    "BREVO_API_URL",
    # end feature: email_brevo
]
for _variable in ANYMAIL_VARIABLES:
    if env.str(_variable, default=""):
        ANYMAIL[_variable] = env.str(_variable)
# begin feature: email_amazon_ses

ANYMAIL["AMAZON_SES_CLIENT_PARAMS"] = {
    "region_name": env.str("AMAZON_SES_REGION", default="us-east-1"),
    "config": {"connect_timeout": EMAIL_TIMEOUT, "read_timeout": EMAIL_TIMEOUT},
}
# end feature: email_amazon_ses
