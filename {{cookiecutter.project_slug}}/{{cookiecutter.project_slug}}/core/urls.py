"""URLs at the site root that every project answers, whatever its features."""

from django.urls import path

from . import views

urlpatterns = [
    path("favicon.ico", views.favicon, name="favicon"),
]
