"""The error log in the admin: read-only, filterable, with resolve / reopen actions."""

from django.contrib import admin, messages
from django.utils import timezone

from .models import LoggedError


@admin.register(LoggedError)
class LoggedErrorAdmin(admin.ModelAdmin):
    list_display = ["exception_class", "short_message", "path", "count", "last_seen", "resolved"]
    list_filter = ["resolved", "exception_class", "last_seen", "first_seen"]
    search_fields = ["exception_class", "message", "path", "view", "request_id", "username"]
    date_hierarchy = "last_seen"
    actions = ["mark_resolved", "mark_unresolved"]
    readonly_fields = [field.name for field in LoggedError._meta.fields]
    fieldsets = [
        (None, {"fields": ["exception_class", "message", "count", "first_seen", "last_seen"]}),
        ("Status", {"fields": ["resolved", "resolved_at"]}),
        (
            "Latest occurrence",
            {
                "fields": [
                    "method",
                    "path",
                    "view",
                    "user_id",
                    "username",
                    "client_ip",
                    "request_id",
                ]
            },
        ),
        ("Traceback", {"fields": ["traceback", "fingerprint"]}),
    ]

    @admin.display(description="message")
    def short_message(self, obj):
        return obj.message[:120]

    # Rows are written by the application only; people read and resolve them.
    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_resolve_permission(self, request):
        return request.user.has_perm("errorlog.change_loggederror")

    @admin.action(description="Mark selected errors as resolved", permissions=["resolve"])
    def mark_resolved(self, request, queryset):
        count = queryset.filter(resolved=False).update(resolved=True, resolved_at=timezone.now())
        self.message_user(request, f"{count} error(s) marked as resolved.", messages.SUCCESS)

    @admin.action(description="Mark selected errors as unresolved", permissions=["resolve"])
    def mark_unresolved(self, request, queryset):
        count = queryset.filter(resolved=True).update(resolved=False, resolved_at=None)
        self.message_user(request, f"{count} error(s) reopened.", messages.SUCCESS)
