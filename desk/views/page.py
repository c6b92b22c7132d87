"""The issue page and its regions, as every view renders them: the whole
page (with the lifecycle and the host's console), a section, a question, the
record, and the rows a write adds or removes."""

from django.shortcuts import render
from django_htmx.http import reswap

from sections.models import Item, Question, Section
from sections.policy import can_curate_issue, can_curate_section
from sections.selectors import (
    SHOWN,
    fresh_item,
    fresh_question,
    group_key,
    issue_content,
    new_contributor,
    question_content,
    section_content,
    section_contributors,
)
from talk import selectors
from talk.lifecycle import FREEZE, lifecycle_move, lifecycle_moves
from talk.live.broker import broker
from talk.models import Issue

from ..forms.issues import FreezeForm, HighlightsForm
from ..forms.sections import ItemForm, QuestionForm
from .getters import sort_of


def render_issue_page(request, issue, *, status=200, flash="", bind=None, kept=""):
    """The whole issue page; `bind(content)` puts a bound form back in place.
    `kept` is text a refused plain post typed where no form can take it back
    (the issue froze meanwhile, a role was taken away): it is shown beside
    the refusal, to copy, rather than lost."""
    # Providers first: the live-update sequence number they read must not be
    # newer than the content below, or the page would miss a change.
    context = {"issue": issue, "flash": flash, "kept": kept, **issue_page_context(request, issue)}
    content = issue_content(issue, viewer=request.user, sort=sort_of(request))
    for section in content.sections:
        attach_forms(section, request.user)
    if bind is not None:
        bind(content)
    context["content"] = content
    return render(request, "talk/issue.html", context, status=status)


def attach_forms(section: Section, user) -> None:
    """Empty forms for what the viewer may add to this section."""
    if not (
        user.is_authenticated and not user.is_suspended and section.issue.accepts_content_from(user)
    ):
        return
    may_credit = section.viewer_can_curate
    if section.kind == "items":
        section.item_form = ItemForm(section=section, may_credit=may_credit)
    elif section.kind == "questions":
        section.ask_form = QuestionForm(section=section, may_credit=may_credit)


def section_fragment(request, section: Section, *, status=200, form=None, name="", **attrs):
    section = section_content(
        section.pk, issue=section.issue, viewer=request.user, sort=sort_of(request)
    )
    attach_forms(section, request.user)
    if form is not None:
        setattr(section, "item_form" if section.kind == "items" else "ask_form", form)
    for attr, value in attrs.items():
        setattr(section, attr, value)
    template = f"sections/section.html#{name}" if name else "sections/section.html"
    return render(request, template, {"issue": section.issue, "section": section}, status=status)


def question_fragment(request, question: Question, *, status=200, **extra):
    issue = question.section.issue
    question = question_content(question.pk, issue=issue, viewer=request.user)
    for name, value in extra.items():
        setattr(question, name, value)
    context = {"issue": issue, "question": question, "section": question.section}
    return render(request, "sections/question.html", context, status=status)


def added(request, section: Section, *, item: Item | None = None, question: Question | None = None):
    """The new row appended to its list and, if its author is new to the
    section, their name appended to the contributors line, as out-of-band
    swaps; the form stays where it is (desk.js clears what was typed). A
    section of hundreds of rows is not sent again for one more."""
    issue = section.issue
    if item is not None:
        row = fresh_item(item, section, request.user)
        list_key = (
            item.kind
            if item.kind in (Item.Kind.NOMINATION, Item.Kind.SUGGESTION)
            else group_key(item.subgroup)
        )
        context = {"item": row}
    else:
        row = fresh_question(question, section, request.user)
        list_key = group_key(question.subgroup)
        context = {"question": row}
        if row.renumbered_others:
            context["renumbered"] = section_content(
                section.pk, issue=issue, viewer=request.user, sort=sort_of(request)
            )
    context.update(issue=issue, section=section, list_key=list_key)
    context["new_contributor"] = new_contributor(section, row)
    context["nominations_changed"] = _reload_nominations(section, item)
    return reswap(render(request, "sections/added.html", context), "none")


def _reload_nominations(section: Section, item: Item | None) -> bool:
    """When a nomination came or went, the theme picker must list it anew."""
    if item is None or item.kind != Item.Kind.NOMINATION or not section.theme_label:
        return False
    section.nominations = list(
        section.items.filter(kind=Item.Kind.NOMINATION).order_by("position", "id")
    )
    return True


def removed(request, section: Section, item: Item | None = None):
    """After a removal (the row itself is gone from the page): the section's
    contributors line, and the theme picker if a nomination went."""
    section.contributors = section_contributors(section)
    section.viewer_can_curate = can_curate_section(request.user, section)
    context = {"issue": section.issue, "section": section, "oob": True}
    context["nominations_changed"] = _reload_nominations(section, item)
    return render(request, "sections/removed.html", context)


def record(request, issue, status=200):
    content = issue_content(issue, viewer=request.user)
    context = {"issue": issue, "content": content}
    return render(request, "talk/issue.html#issue-record", context, status=status)


def lifecycle_context(request, issue: Issue) -> dict:
    """What the issue page shows of its lifecycle and the meeting."""
    revisions = selectors.issue_revisions(issue)
    return {
        "revisions": revisions,
        "exports_in_progress": selectors.exports_in_progress(revisions),
        **steward_context(request, issue),
    }


def steward_context(request, issue: Issue, highlights_form=None) -> dict:
    steward = can_curate_issue(request.user, issue)
    return {
        "can_steward": steward,
        "lifecycle_moves": lifecycle_moves(issue),
        "freeze_move": lifecycle_move(issue, FREEZE),
        "freeze_form": getattr(request, "freeze_form", None) or FreezeForm(),
        # A refused plain-form save renders the whole page again: the typed
        # text comes back through the request (see meeting_highlights).
        "highlights_form": highlights_form
        or getattr(request, "highlights_form", None)
        or HighlightsForm(initial={"text": issue.highlights, "version": issue.version}),
        # Read only where the host's console lists them.
        "meeting_sections": (
            list(issue.sections.filter(SHOWN).order_by("position", "id")) if steward else []
        ),
        "next_issue": _next_issue(issue) if steward else None,
    }


def _next_issue(issue: Issue) -> Issue | None:
    """The issue after this one, once this one is over: the desk links to it,
    or offers to open it when there is none yet."""
    if issue.number is None or issue.status not in selectors.ARCHIVED_STATUSES:
        return None
    return (
        Issue.objects.select_related("series")
        .filter(series=issue.series_id, number__gt=issue.number)
        .order_by("number")
        .first()
    )


def issue_page_context(request, issue: Issue) -> dict:
    return {**lifecycle_context(request, issue), "live_seq": broker().current_seq(issue.pk)}
