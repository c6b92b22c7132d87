from django import forms
from django.contrib import admin
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from sections import events
from sections.admin import AnnounceChanges

from . import services
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


class NewIssueForm(forms.ModelForm):
    """An issue opened here: what `issue_create` takes, and nothing more (its
    roles, highlights and the rest are the host's, on the issue page)."""

    class Meta:
        model = Issue
        fields = ["series", "number", "special_label", "code", "meeting_at"]
        help_texts = {"code": _("Left empty for a numbered issue: its number is its identifier.")}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["code"].required = False

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("number") is not None:
            cleaned["code"] = str(cleaned["number"])
        elif not cleaned.get("code"):
            raise ValidationError(
                _("Give the issue a number, or an identifier for a special edition.")
            )
        if series := cleaned.get("series"):
            try:
                services.require_new_code(series, cleaned["code"])
            except services.IssueExists as error:
                raise ValidationError(error.message) from error
        return cleaned

    def validate_unique(self):
        # The identifier is worked out in clean(), which judges it.
        pass


@admin.register(Issue)
class IssueAdmin(AnnounceChanges, admin.ModelAdmin):
    """The lifecycle (freeze, publish, correct) goes through the issue page,
    where a freeze snapshots the issue and renders its files: a status set
    here would skip both. A closed issue is a record, shown but not changed,
    until the host opens a correction."""

    list_display = ["__str__", "status", "meeting_at", "host", "editor"]
    list_filter = ["series", "status"]
    list_select_related = ["series", "host", "editor"]
    raw_id_fields = ["host", "editor", "current_section", "spotlight"]
    search_fields = ["code", "highlights"]
    readonly_fields = ["status", "correcting", "version"]

    def get_search_results(self, request, queryset, search_term):
        found, duplicates = super().get_search_results(request, queryset, search_term)
        term = search_term.strip()
        if term.isdigit() and len(term) <= 9:
            # The pages write the number padded ("008"); its code is "8".
            found |= queryset.filter(number=int(term))
        return found, duplicates

    def get_form(self, request, obj=None, **kwargs):
        if obj is None:
            kwargs["form"] = NewIssueForm
            kwargs["fields"] = NewIssueForm.Meta.fields
        return super().get_form(request, obj, **kwargs)

    def get_fields(self, request, obj=None):
        return NewIssueForm.Meta.fields if obj is None else super().get_fields(request, obj)

    def _open(self, request, obj) -> bool:
        return obj is None or obj.accepts_content_from(request.user)

    def has_change_permission(self, request, obj=None):
        return super().has_change_permission(request, obj) and self._open(request, obj)

    def has_delete_permission(self, request, obj=None):
        return super().has_delete_permission(request, obj) and self._open(request, obj)

    def save_model(self, request, obj, form, change):
        if change:
            return super().save_model(request, obj, form, change)
        # Opened as the desk opens issues: with its sections.
        fields = {name: form.cleaned_data[name] for name in NewIssueForm.Meta.fields}
        created = services.issue_create(by=request.user, **fields)
        vars(obj).update(vars(created))

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
