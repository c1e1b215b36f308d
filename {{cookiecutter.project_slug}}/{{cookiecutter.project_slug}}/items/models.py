"""The example resource. Shared by every API version; versions differ in serializers."""

from django.conf import settings
from django.db import models
from django_prometheus.models import ExportModelOperationsMixin  # feature: prometheus


class Item(
    # django-prometheus builds this mixin class at run time: mypy cannot see a base.  # feature: prometheus
    ExportModelOperationsMixin("item"),  # type: ignore[misc]  # feature: prometheus
    models.Model,
):
    name = models.CharField(max_length=200)
    description = models.TextField(blank=True)
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="items"
    )
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-created_at", "-id"]

    def __str__(self):
        return self.name
