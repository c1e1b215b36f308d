"""django-debug-toolbar, in local development only.

It is a development dependency: production never lists, imports or routes to it. Shown
to requests from INTERNAL_IPS (set in local.py) on HTML pages such as the browsable API
and the admin.
"""

if ENVIRONMENT == "local":
    INSTALLED_APPS.append("debug_toolbar")
    _after = MIDDLEWARE.index("django.middleware.common.CommonMiddleware") + 1
    MIDDLEWARE[_after:_after] = [
        "{{ cookiecutter.project_slug }}.core.debug_toolbar.csp_nonce_middleware",
        "debug_toolbar.middleware.DebugToolbarMiddleware",
    ]
    DEBUG_TOOLBAR_CONFIG = {
        # Profiling every request makes pages slow; redirects are better seen in the browser.
        "DISABLE_PANELS": {
            "debug_toolbar.panels.profiling.ProfilingPanel",
            "debug_toolbar.panels.redirects.RedirectsPanel",
        },
    }
