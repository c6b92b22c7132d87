from django.contrib import admin

from sections import events
from sections.admin import AnnounceChanges

from .models import Export, Holiday, Issue, JobRun, Revision, SectionTemplate, Series


class SectionTemplateInline(admin.StackedInline):
    model = SectionTemplate
    extra = 0
    ordering = ["position"]


class HolidayInline(admin.TabularInline):
    model = Holiday
    extra = 0


@admin.register(Series)
class SeriesAdmin(admin.ModelAdmin):
    list_display = ["name", "slug", "meeting_weekday", "meeting_time", "meeting_time_zone"]
    prepopulated_fields = {"slug": ["name"]}
    inlines = [SectionTemplateInline, HolidayInline]


@admin.register(Holiday)
class HolidayAdmin(admin.ModelAdmin):
    list_display = ["date", "series", "note"]
    list_filter = ["series"]


@admin.register(JobRun)
class JobRunAdmin(admin.ModelAdmin):
    """Scheduled jobs as they ran: what failed, and when each last succeeded."""

    list_display = ["job", "status", "started_at", "finished_at", "detail"]
    list_filter = ["status", "job"]
    readonly_fields = ["job", "status", "detail", "started_at", "finished_at"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(SectionTemplate)
class SectionTemplateAdmin(admin.ModelAdmin):
    list_display = ["title", "series", "key", "kind", "optional", "owner_cap", "position"]
    list_filter = ["series", "kind"]
    list_editable = ["position"]


@admin.register(Issue)
class IssueAdmin(AnnounceChanges, admin.ModelAdmin):
    list_display = ["__str__", "status", "meeting_at", "host", "editor"]
    list_filter = ["series", "status"]
    list_select_related = ["series", "host", "editor"]
    raw_id_fields = ["host", "editor", "current_section", "spotlight"]
    search_fields = ["code", "highlights"]

    def announce(self, row) -> None:
        # Anything may have changed, the status included: a fresh page.
        events.announce(row.pk, events.STATUS)


class ExportInline(admin.TabularInline):
    model = Export
    extra = 0
    can_delete = False
    fields = ["format", "status", "sha256", "size", "attempts", "error", "finished_at"]
    readonly_fields = fields

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(Revision)
class RevisionAdmin(admin.ModelAdmin):
    """Revisions are the record: shown, never edited here."""

    list_display = ["__str__", "note", "created_by", "created_at"]
    list_select_related = ["issue__series", "created_by"]
    readonly_fields = ["issue", "number", "note", "snapshot", "created_by", "created_at"]
    inlines = [ExportInline]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(Export)
class ExportAdmin(admin.ModelAdmin):
    list_display = ["__str__", "status", "sha256", "size", "attempts", "finished_at"]
    list_filter = ["format", "status"]
    list_select_related = ["revision__issue__series"]
    readonly_fields = [f.name for f in Export._meta.fields]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False
