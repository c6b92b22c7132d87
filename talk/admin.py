from django.contrib import admin

from .models import Issue, SectionTemplate, Series


class SectionTemplateInline(admin.StackedInline):
    model = SectionTemplate
    extra = 0
    ordering = ["position"]


@admin.register(Series)
class SeriesAdmin(admin.ModelAdmin):
    list_display = ["name", "slug", "meeting_weekday", "meeting_time", "meeting_time_zone"]
    prepopulated_fields = {"slug": ["name"]}
    inlines = [SectionTemplateInline]


@admin.register(SectionTemplate)
class SectionTemplateAdmin(admin.ModelAdmin):
    list_display = ["title", "series", "key", "kind", "optional", "owner_cap", "position"]
    list_filter = ["series", "kind"]
    list_editable = ["position"]


@admin.register(Issue)
class IssueAdmin(admin.ModelAdmin):
    list_display = ["__str__", "status", "meeting_at", "host", "editor"]
    list_filter = ["series", "status"]
    list_select_related = ["series", "host", "editor"]
    raw_id_fields = ["host", "editor"]
    search_fields = ["code", "highlights"]
