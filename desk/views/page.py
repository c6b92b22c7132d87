"""The issue page and its regions, as every view renders them: the whole
page (with the lifecycle and the host's console), a section, a question, the
record, and the rows a write adds or removes.

The selectors give the page as typed view objects (sections.selectors.views);
this module adds what belongs to the web layer, the forms, in `SectionPanel`
and `IssuePage`. Templates read those, never attributes stuck on rows.
"""

from dataclasses import dataclass
from typing import Any, TypedDict, Unpack
from urllib.parse import urlencode

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy
from django_htmx.http import reswap

from accounts.models import Viewer
from sections import record
from sections.models import Item, Question, Section
from sections.policy import can_curate_issue, guests_may_ask
from sections.selectors import (
    SHOWN,
    SORTS,
    IssueContent,
    SectionView,
    fresh_item,
    fresh_question,
    group_key,
    issue_content,
    new_contributor,
    question_content,
    section_content,
    section_lines,
)
from talk import selectors
from talk.lifecycle import FREEZE, lifecycle_move, lifecycle_moves
from talk.live.broker import broker
from talk.models import Issue
from talk.policy import may_invite_from

from ..forms.issues import FreezeForm, HighlightsForm
from ..forms.sections import (
    ChatLineForm,
    ChatPasteForm,
    GuestQuestionForm,
    ItemForm,
    QuestionForm,
)
from ..live import refreshes_json
from .getters import show_of, sort_of


@dataclass
class ThemePicker:
    """What a curator chose and typed in the theme picker, and why it was not
    saved: it opens again with them."""

    text: str
    version: int
    nomination: int | None = None
    error: str = ""
    newer: Section | None = None


SORT_LABELS = {"time": _("in order"), "votes": _("by votes")}
SHOW_LABELS = {
    "all": pgettext_lazy("questions shown", "all"),
    "unanswered": pgettext_lazy("questions shown", "unanswered"),
    "answered": pgettext_lazy("questions shown", "answered"),
    "mine": pgettext_lazy("questions shown", "asked or answered by me"),
}


def qa_query(sort: str, show: str) -> str:
    """The page's query for an order and a filter of its Q&A, which the
    section's fragment takes too: "?sort=votes", "?sort=time&show=mine"."""
    query = {"sort": sort} if show == "all" else {"sort": sort, "show": show}
    return f"?{urlencode(query)}"


@dataclass(frozen=True)
class QaLink:
    """A choice of the Q&A's order or filter: the page's query for it,
    keeping the other one as it is."""

    label: str | Promise
    query: str
    current: bool


@dataclass
class SectionPanel:
    """A section as the page shows it to this viewer: what the selectors
    arranged, and the forms the web layer adds to it."""

    view: SectionView
    item_form: ItemForm | None = None
    ask_form: QuestionForm | None = None
    chat_form: ChatLineForm | None = None
    paste_form: ChatPasteForm | None = None
    guest_form: GuestQuestionForm | None = None
    # A guest's question was taken: it waits for a moderator.
    guest_asked: bool = False
    theme_picker: ThemePicker | None = None
    claim_error: str | Promise = ""

    def context(self) -> dict[str, Any]:
        """What section.html and its partials read: the panel, the view and
        the row (`section`, for the model's own fields)."""
        return {"panel": self, "view": self.view, "section": self.view.row}

    @property
    def sort_links(self) -> list[QaLink]:
        view = self.view
        return [
            QaLink(SORT_LABELS[sort], qa_query(sort, view.show), sort == view.sort)
            for sort in SORTS
        ]

    @property
    def show_links(self) -> list[QaLink]:
        """The filters this viewer is offered (the selector says which)."""
        view = self.view
        return [
            QaLink(SHOW_LABELS[show], qa_query(view.sort, show), show == view.show)
            for show in view.shows
        ]

    @property
    def show_all_query(self) -> str:
        return qa_query(self.view.sort, "all")


@dataclass
class IssuePage:
    """The whole issue page: its content and a panel per shown section."""

    content: IssueContent
    panels: list[SectionPanel]


class PanelForms(TypedDict, total=False):
    """What a view puts in place on a section's panel (SectionPanel's fields)."""

    item_form: ItemForm | None
    ask_form: QuestionForm | None
    chat_form: ChatLineForm | None
    paste_form: ChatPasteForm | None
    guest_form: GuestQuestionForm | None
    guest_asked: bool
    theme_picker: ThemePicker | None
    claim_error: str | Promise


def render_issue_page(
    request: HttpRequest,
    issue: Issue,
    *,
    status: int = 200,
    flash: str | Promise = "",
    kept: str = "",
    section_forms: dict[int, PanelForms] | None = None,
    freeze_form: FreezeForm | None = None,
    highlights_form: HighlightsForm | None = None,
) -> HttpResponse:
    """The whole issue page. A refused plain post comes back to it with its
    bound form in place: on its section's panel (`section_forms`, by the
    section's id) or in the host's console. `kept` is text typed where no
    form can take it back (the issue froze meanwhile, a role was taken
    away): it is shown beside the refusal, to copy, rather than lost."""
    # The live-update sequence number is read first: it must not be newer
    # than the content below, or the page would miss a change.
    live_seq = broker().current_seq(issue.pk)
    content = issue_content(
        issue, viewer=request.user, sort=sort_of(request), show=show_of(request)
    )
    forms = section_forms or {}
    page = IssuePage(
        content=content,
        panels=[panel_for(view, request.user, **forms.get(view.pk, {})) for view in content.shown],
    )
    context = {
        "issue": issue,
        "flash": flash,
        "kept": kept,
        "live_seq": live_seq,
        "live_refreshes": refreshes_json(),
        "page": page,
        "content": content,
        **lifecycle_context(
            request, issue, freeze_form=freeze_form, highlights_form=highlights_form
        ),
    }
    return render(request, "talk/issue.html", context, status=status)


def panel_for(view: SectionView, user: Viewer, **forms: Unpack[PanelForms]) -> SectionPanel:
    """The section's panel with empty forms for what the viewer may add."""
    panel = SectionPanel(view=view, **forms)
    if view.guests_ask and panel.guest_form is None:
        panel.guest_form = GuestQuestionForm(section=view.row)
    if not view.may_post:
        return panel
    row = view.row
    if row.kind == "items" and panel.item_form is None:
        panel.item_form = ItemForm(section=row, may_credit=view.may_curate)
    elif row.kind == "questions" and panel.ask_form is None:
        panel.ask_form = QuestionForm(section=row, may_credit=view.may_curate)
    elif row.kind == "chat":
        panel.chat_form = panel.chat_form or ChatLineForm(section=row)
        if view.may_curate and panel.paste_form is None:
            panel.paste_form = ChatPasteForm(section=row)
    return panel


def section_fragment(
    request: HttpRequest,
    section: Section,
    *,
    status: int = 200,
    name: str = "",
    **forms: Unpack[PanelForms],
) -> HttpResponse:
    """The section again (or its partial `name`), with `forms` (a bound
    form, the theme picker, a claim's refusal) in place."""
    view = section_content(
        section.pk,
        issue=section.issue,
        viewer=request.user,
        sort=sort_of(request),
        show=show_of(request),
    )
    panel = panel_for(view, request.user, **forms)
    template = f"sections/section.html#{name}" if name else "sections/section.html"
    context = {"issue": section.issue, **panel.context()}
    return render(request, template, context, status=status)


def question_fragment(
    request: HttpRequest,
    question: Question,
    *,
    status: int = 200,
    posted: int | None = None,
    guest_voted: bool = False,
) -> HttpResponse:
    """The question with its answers; `posted`, an answer just posted, takes
    the keyboard; `guest_voted`, a guest's vote just cast, shows pressed (the
    desk keeps nothing to know a guest's votes by on the next page)."""
    issue = question.section.issue
    asked = question_content(question.pk, issue=issue, viewer=request.user)
    asked.posted = posted
    asked.voted = asked.voted or guest_voted
    context = {"issue": issue, "asked": asked, "section": asked.row.section}
    return render(request, "sections/question.html", context, status=status)


def added(
    request: HttpRequest,
    section: Section,
    *,
    item: Item | None = None,
    question: Question | None = None,
) -> HttpResponse:
    """The new row appended to its list and, if its author is new to the
    section, their name appended to the contributors line, as out-of-band
    swaps; the form stays where it is (desk.js clears what was typed). A
    section of hundreds of rows is not sent again for one more."""
    issue = section.issue
    context: dict[str, Any] = {"issue": issue, "section": section}
    if item is not None:
        context["entry"] = fresh_item(item, section, request.user)
        listed = record.list_of(item.kind)
        context["list_key"] = listed if listed != record.BODY else group_key(item.subgroup)
        row: Item | Question = item
    else:
        assert question is not None  # called with an item or a question
        asked = fresh_question(question, section, request.user)
        context.update(asked=asked, list_key=group_key(question.subgroup))
        if asked.renumbered_others:
            context["renumbered"] = section_content(
                section.pk, issue=issue, viewer=request.user, sort=sort_of(request)
            )
        row = question
    context["new_contributor"] = new_contributor(section, row)
    context.update(_lines(request, section, item, with_contributors=False))
    return reswap(render(request, "sections/added.html", context), "none")


def _lines(
    request: HttpRequest, section: Section, item: Item | None, *, with_contributors: bool
) -> dict[str, Any]:
    """The section's lines around its rows, to render again after an add or
    a removal: the contributors when asked, and the theme picker when a
    nomination came or went (it must list it anew)."""
    changed = item is not None and item.kind == Item.Kind.NOMINATION and bool(section.theme_label)
    view = section_lines(
        section, request.user, with_contributors=with_contributors, with_nominations=changed
    )
    return {"nominations_changed": changed, **SectionPanel(view=view).context()}


def removed(request: HttpRequest, section: Section, item: Item | None = None) -> HttpResponse:
    """After a removal (the row itself is gone from the page): the section's
    contributors line, and the theme picker if a nomination went."""
    lines = _lines(request, section, item, with_contributors=True)
    context = {"issue": section.issue, "oob": True, **lines}
    return render(request, "sections/removed.html", context)


def render_record(request: HttpRequest, issue: Issue, status: int = 200) -> HttpResponse:
    content = issue_content(issue, viewer=request.user)
    context = {"issue": issue, "content": content}
    return render(request, "talk/issue.html#issue-record", context, status=status)


def lifecycle_context(
    request: HttpRequest,
    issue: Issue,
    *,
    freeze_form: FreezeForm | None = None,
    highlights_form: HighlightsForm | None = None,
) -> dict[str, Any]:
    """What the issue page shows of its lifecycle and the meeting."""
    revisions = selectors.issue_revisions(issue)
    return {
        "revisions": revisions,
        "exports_in_progress": selectors.exports_in_progress(revisions),
        **steward_context(request, issue, freeze_form=freeze_form, highlights_form=highlights_form),
    }


def steward_context(
    request: HttpRequest,
    issue: Issue,
    *,
    freeze_form: FreezeForm | None = None,
    highlights_form: HighlightsForm | None = None,
) -> dict[str, Any]:
    """The host's console; a refused plain post brings its bound form."""
    steward = can_curate_issue(request.user, issue)
    return {
        "can_steward": steward,
        "lifecycle_moves": lifecycle_moves(issue),
        "freeze_move": lifecycle_move(issue, FREEZE),
        "freeze_form": freeze_form or FreezeForm(),
        "highlights_form": highlights_form
        or HighlightsForm(initial={"text": issue.highlights, "version": issue.version}),
        # Read only where the host's console lists them.
        "meeting_sections": (
            list(issue.sections.filter(SHOWN).order_by("position", "id")) if steward else []
        ),
        "next_issue": _next_issue(issue) if steward else None,
        "guests_allowed": guests_may_ask(issue),
        "may_invite": steward and may_invite_from(request.user, issue),
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
