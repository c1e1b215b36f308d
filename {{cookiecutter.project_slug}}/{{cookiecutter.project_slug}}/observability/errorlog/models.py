"""Unhandled errors, one row per distinct error (fingerprint) with a repeat counter."""

from django.db import models


class LoggedError(models.Model):
    fingerprint = models.CharField(max_length=64, unique=True, editable=False)
    exception_class = models.CharField(max_length=255, db_index=True)
    message = models.TextField(blank=True)
    traceback = models.TextField(blank=True)
    # The most recent occurrence: where it happened and to whom.
    method = models.CharField(max_length=16, blank=True)
    path = models.TextField(blank=True)
    view = models.CharField(max_length=255, blank=True)
    user_id = models.CharField(max_length=64, blank=True)
    username = models.CharField(max_length=255, blank=True)
    request_id = models.CharField(max_length=128, blank=True, db_index=True)
    # As core.client_ip sees it: the client, not our proxy, and not what it claimed.
    client_ip = models.GenericIPAddressField(null=True, blank=True)
    count = models.PositiveBigIntegerField(default=1)
    first_seen = models.DateTimeField(auto_now_add=True)
    last_seen = models.DateTimeField(db_index=True)
    resolved = models.BooleanField(default=False, db_index=True)
    resolved_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-last_seen"]
        verbose_name = "logged error"

    def __str__(self):
        return f"{self.exception_class}: {self.message[:80]}"
