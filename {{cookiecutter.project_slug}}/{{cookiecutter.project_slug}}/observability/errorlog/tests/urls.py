"""The project's URLs plus views that fail, for the error-log tests."""

from django.urls import path

from config import urls as project_urls


class PaymentFailedError(Exception):
    pass


def failing_view(request, order):
    raise PaymentFailedError(f"order {order} could not be charged")


def other_failing_view(request):
    nothing: dict[str, object] = {}
    return nothing["missing"]


urlpatterns = [
    path("fail/<int:order>/", failing_view, name="fail"),
    path("fail-differently/", other_failing_view, name="fail-differently"),
    *project_urls.urlpatterns,
]
handler500 = project_urls.handler500
