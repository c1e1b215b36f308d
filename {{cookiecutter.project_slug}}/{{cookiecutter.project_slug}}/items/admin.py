from django.contrib import admin

from .models import Item


@admin.register(Item)
class ItemAdmin(admin.ModelAdmin):
    list_display = ["name", "owner", "created_at", "updated_at"]
    list_filter = ["created_at"]
    search_fields = ["name", "description", "owner__email"]  # feature: username_email
    search_fields = ["name", "description", "owner__username"]  # feature: not username_email
    raw_id_fields = ["owner"]
    date_hierarchy = "created_at"
