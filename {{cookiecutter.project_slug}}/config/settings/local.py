"""Local development: DEBUG on, readable logs, nothing to configure."""

from split_settings.tools import include

from config.env import env
from config.settings.base import (
    INSTALLED_APPS,  # feature: debug_toolbar
    header_middleware,
    session_middleware,
    view_middleware,
)
from config.settings.components.mail import email_backend
from config.settings.features.jwt import SIMPLE_JWT, jwt_signing_key  # feature: jwt

include("base.py")

DEBUG = env.bool("DJANGO_DEBUG", default=True)
SECRET_KEY = env.str("DJANGO_SECRET_KEY", default="django-insecure-local-development-only")
SIMPLE_JWT = {**SIMPLE_JWT, "SIGNING_KEY": jwt_signing_key(SECRET_KEY, required=False)}  # feature: jwt
ALLOWED_HOSTS = env.list("DJANGO_ALLOWED_HOSTS", default=["localhost", "127.0.0.1", "[::1]"])
INTERNAL_IPS = ["127.0.0.1"]

# Mail is printed to the console, unless EMAIL_URL names a local catcher such as Mailpit.
EMAIL_BACKEND = email_backend(default="django.core.mail.backends.console.EmailBackend")

MIDDLEWARE = [
    *header_middleware,
    *session_middleware,
    # begin feature: debug_toolbar
    # django-debug-toolbar, here only: it is a development dependency that production never
    # lists, imports or routes to. Shown to INTERNAL_IPS on HTML pages (the browsable API,
    # the admin), right after CommonMiddleware.
    # begin feature: csp
    # Makes the request's CSP nonce before the toolbar renders, so its tags carry it.
    "{{ cookiecutter.project_slug }}.core.debug_toolbar.csp_nonce_middleware",
    # end feature: csp
    "debug_toolbar.middleware.DebugToolbarMiddleware",
    # end feature: debug_toolbar
    *view_middleware,
]
# begin feature: debug_toolbar
INSTALLED_APPS = [*INSTALLED_APPS, "debug_toolbar"]
DEBUG_TOOLBAR_CONFIG = {
    # Profiling every request makes pages slow; redirects are better seen in the browser.
    "DISABLE_PANELS": {
        "debug_toolbar.panels.profiling.ProfilingPanel",
        "debug_toolbar.panels.redirects.RedirectsPanel",
    },
}
# end feature: debug_toolbar
