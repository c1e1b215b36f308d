"""Security headers every environment sends (production.py tightens the TLS-related ones).

Each header, its reason and how to change it: docs/SECURITY.md.
"""

from config.env import env

CROSS_ORIGIN_CHOICES = ["same-origin", "same-site", "cross-origin"]

# Other sites' pages may not embed our responses (no-cors loads); CORS requests are
# unaffected. Use same-site when a CDN on a sibling host serves the static files.
SECURE_CROSS_ORIGIN_RESOURCE_POLICY = env.choice(
    "DJANGO_SECURE_CROSS_ORIGIN_RESOURCE_POLICY", CROSS_ORIGIN_CHOICES, default="same-origin"
)
SECURE_CROSS_ORIGIN_OPENER_POLICY = env.choice(
    "DJANGO_SECURE_CROSS_ORIGIN_OPENER_POLICY",
    ["same-origin", "same-origin-allow-popups", "unsafe-none"],
    default="same-origin",
)
SECURE_REFERRER_POLICY = env.str("DJANGO_SECURE_REFERRER_POLICY", default="same-origin")
SECURE_CONTENT_TYPE_NOSNIFF = True
X_FRAME_OPTIONS = "DENY"
# A refused CSRF check answers the API's JSON error body (the admin keeps Django's page).
CSRF_FAILURE_VIEW = "{{ cookiecutter.project_slug }}.core.views.csrf_failure"
