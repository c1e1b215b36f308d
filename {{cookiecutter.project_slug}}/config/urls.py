from django.conf import settings
from django.contrib import admin
from django.urls import URLPattern, URLResolver, include, path

urlpatterns: list[URLPattern | URLResolver] = [
    path(settings.ADMIN_URL, admin.site.urls),
    path("api/", include("{{ cookiecutter.project_slug }}.api.urls")),
    path("", include("{{ cookiecutter.project_slug }}.core.urls")),
    path("", include("{{ cookiecutter.project_slug }}.observability.metrics")),  # feature: prometheus
]

# begin feature: debug_toolbar
# Local settings only (the package is a development dependency, absent in production).
if "debug_toolbar" in settings.INSTALLED_APPS:
    from debug_toolbar.toolbar import debug_toolbar_urls

    urlpatterns += debug_toolbar_urls()
# end feature: debug_toolbar

# Every error is the API's JSON error body, never an HTML page or a traceback.
handler400 = "{{ cookiecutter.project_slug }}.core.views.bad_request"
handler403 = "{{ cookiecutter.project_slug }}.core.views.permission_denied"
handler404 = "{{ cookiecutter.project_slug }}.core.views.page_not_found"
handler500 = "{{ cookiecutter.project_slug }}.core.views.server_error"
