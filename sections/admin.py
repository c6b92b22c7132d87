from django.contrib import admin
from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from . import history
from .events import announce_row
from .models import Answer, ChatLine, Claim, Item, Question, Report, Section, Vote


def _issue_of(row):
    """The issue a content row (or the parent it is being added under) is in."""
    if isinstance(row, Section):
        return row.issue
    if isinstance(row, Item | Claim | ChatLine | Question):
        return row.section.issue
    if isinstance(row, Answer | Vote):
        return row.question.section.issue
    return row  # a section's parent: the issue itself, which sections does not import


class KeepsTheRecord:
    """A frozen or published issue is a record: the admin shows its content
    but changes none of it, as the services refuse to, until the host opens a
    correction. `parents` names the fields a new row hangs from."""

    parents = ("issue", "section", "question")

    def _open(self, request, obj) -> bool:
        return obj is None or _issue_of(obj).accepts_content_from(request.user)

    def has_change_permission(self, request, obj=None):
        return super().has_change_permission(request, obj) and self._open(request, obj)

    def has_delete_permission(self, request, obj=None):
        return super().has_delete_permission(request, obj) and self._open(request, obj)

    def get_form(self, request, obj=None, **kwargs):
        form = super().get_form(request, obj, **kwargs)
        parents, user = self.parents, request.user

        class Guarded(form):
            def clean(self):
                cleaned = super().clean()
                parent = next((cleaned[n] for n in parents if cleaned.get(n) is not None), None)
                issue = None if parent is None else _issue_of(parent)
                if issue is not None and not issue.accepts_content_from(user):
                    raise ValidationError(
                        _("%(title)s is closed: open a correction to change its content.")
                        % {"title": issue.title}
                    )
                return cleaned

        return Guarded


class AnnounceChanges:
    """Changes made in the admin reach the open pages, as any other write."""

    def announce(self, row) -> None:
        announce_row(row)

    def save_model(self, request, obj, form, change):
        super().save_model(request, obj, form, change)
        self.announce(obj)

    def delete_model(self, request, obj):
        self.announce(obj)  # while the row still says where it was
        super().delete_model(request, obj)

    def delete_queryset(self, request, queryset):
        for row in queryset:
            self.announce(row)
        super().delete_queryset(request, queryset)


class RecordsEdits:
    """An admin's edit of a post's words goes into its history as one made
    on the page does, inside the admin's transaction (its change view runs
    in one): the post's own form, and the answers edited in their
    question's page."""

    def save_model(self, request, obj, form, change):
        changes = _words_edited(form)
        if changes:
            obj.edited_at = timezone.now()
        super().save_model(request, obj, form, change)
        _record(request, obj, changes)

    def save_formset(self, request, form, formset, change):
        kept = [f for f in formset.initial_forms if f not in formset.deleted_forms]
        edits = [(f.instance, _words_edited(f)) for f in kept]
        for post, changes in edits:
            if changes:
                post.edited_at = timezone.now()
        super().save_formset(request, form, formset, change)
        for post, changes in edits:
            _record(request, post, changes)


def _words_edited(form) -> history.Changes:
    """What a change form does to its post's words: the values it opened
    with, and those now on the row about to be saved; nothing for a new row."""
    post = form.instance
    if post.pk is None:
        return {}
    return {
        name: (form.initial[name], getattr(post, name))
        for name in history.WORDS[type(post)]
        if name in form.initial and form.initial[name] != getattr(post, name)
    }


def _record(request, post, changes: history.Changes) -> None:
    if changes:
        history.edit_record(actor=request.user, post=post, changes=changes, issue=_issue_of(post))


class ClaimInline(admin.TabularInline):
    model = Claim
    extra = 0
    raw_id_fields = ["member"]


@admin.register(Section)
class SectionAdmin(KeepsTheRecord, AnnounceChanges, admin.ModelAdmin):
    list_display = ["title", "issue", "kind", "owner_cap", "position"]
    list_filter = ["kind", "issue__series"]
    list_select_related = ["issue__series"]
    raw_id_fields = ["issue", "template", "theme_item"]
    inlines = [ClaimInline]


@admin.register(Claim)
class ClaimAdmin(KeepsTheRecord, AnnounceChanges, admin.ModelAdmin):
    list_display = ["section", "member", "slot", "created_at"]
    list_select_related = ["section__issue__series", "member"]
    raw_id_fields = ["section", "member"]


@admin.register(Item)
class ItemAdmin(KeepsTheRecord, RecordsEdits, AnnounceChanges, admin.ModelAdmin):
    list_display = ["__str__", "kind", "subgroup", "section", "author", "author_name"]
    list_filter = ["kind"]
    list_select_related = ["section__issue__series", "author"]
    raw_id_fields = ["section", "author", "submitted_by"]
    search_fields = ["title", "url", "body"]


class AnswerInline(admin.StackedInline):
    model = Answer
    extra = 0
    raw_id_fields = ["parent", "author", "submitted_by"]


@admin.register(Question)
class QuestionAdmin(KeepsTheRecord, RecordsEdits, AnnounceChanges, admin.ModelAdmin):
    list_display = ["__str__", "status", "answered", "section", "author", "author_name"]
    list_filter = ["status", "answered"]
    list_select_related = ["section__issue__series", "author"]
    raw_id_fields = ["section", "author", "submitted_by", "carried_from", "merged_into"]
    search_fields = ["body"]
    inlines = [AnswerInline]


@admin.register(Answer)
class AnswerAdmin(KeepsTheRecord, RecordsEdits, AnnounceChanges, admin.ModelAdmin):
    list_display = ["__str__", "status", "accepted", "question", "author", "author_name"]
    list_filter = ["status", "accepted"]
    list_select_related = ["question", "author"]
    raw_id_fields = ["question", "parent", "author", "submitted_by"]


@admin.register(Vote)
class VoteAdmin(KeepsTheRecord, AnnounceChanges, admin.ModelAdmin):
    list_display = ["question", "member", "created_at"]
    raw_id_fields = ["question", "member"]


@admin.register(ChatLine)
class ChatLineAdmin(KeepsTheRecord, AnnounceChanges, admin.ModelAdmin):
    list_display = ["__str__", "speaker", "speaker_name", "said_at", "section"]
    raw_id_fields = ["section", "speaker"]


@admin.register(Report)
class ReportAdmin(admin.ModelAdmin):
    list_display = ["__str__", "reporter", "question", "answer", "created_at", "resolved_at"]
    list_filter = ["resolved_at"]
    list_select_related = ["reporter", "question", "answer"]
    raw_id_fields = ["question", "answer", "reporter", "resolved_by"]
