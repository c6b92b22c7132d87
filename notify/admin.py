"""Deliveries in the admin, read-only, for looking back; bots are managed on
the desk's own page (/s/<series>/bots/), which never shows their secrets."""

from django.contrib import admin

from .models import Delivery


@admin.register(Delivery)
class DeliveryAdmin(admin.ModelAdmin):
    list_display = ["event", "channel", "recipient", "bot", "status", "attempts", "created_at"]
    list_filter = ["status", "channel", "event__kind"]
    list_select_related = ["event", "recipient", "bot"]
    fields = [
        "event",
        "channel",
        "recipient",
        "bot",
        "digest",
        "status",
        "attempts",
        "next_attempt_at",
        "error",
        "result",
        "created_at",
        "sent_at",
    ]
    readonly_fields = fields

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False
