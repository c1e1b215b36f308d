"""Retention of the error log, shared by the management command and the periodic task."""

from datetime import timedelta

from django.utils import timezone

from .models import LoggedError


def purge_old_errors(days):
    """Delete rows whose last occurrence is more than ``days`` days old; return how many."""
    cutoff = timezone.now() - timedelta(days=days)
    deleted, _ = LoggedError.objects.filter(last_seen__lt=cutoff).delete()
    return deleted
