"""What the issue page's write views share: the getters, the page and its
fragments, and the two ways of answering (see the package's docstring)."""

from functools import wraps
from urllib.parse import parse_qs, urlencode, urlsplit

from django.conf import settings
from django.contrib.auth.views import redirect_to_login
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render, resolve_url
from django.utils.translation import gettext_lazy as _
from django_htmx.http import HttpResponseClientRedirect, reswap, retarget, trigger_client_event

from ..errors import DeskError, IssueClosed, NotAllowed
from ..forms import ItemForm, QuestionForm
from ..models import Answer, Item, Question, Section
from ..policy import can_curate_section, can_edit_post
from ..selectors import (
    SORTS,
    fresh_item,
    fresh_question,
    group_key,
    issue_content,
    new_contributor,
    question_content,
    section_content,
    section_contributors,
    visible_posts,
)

CHANGED = "desk:changed"


def member_required(view):
    """Like login_required, but an htmx request is sent to the login page as
    a whole page (HX-Redirect) instead of having it swapped into a fragment."""

    @wraps(view)
    def wrapped(request, *args, **kwargs):
        if request.user.is_authenticated:
            return view(request, *args, **kwargs)
        if request.htmx:
            here = request.htmx.current_url_abs_path or "/"
            return HttpResponseClientRedirect(
                f"{resolve_url(settings.LOGIN_URL)}?{urlencode({'next': here})}"
            )
        return redirect_to_login(request.get_full_path())

    return wrapped


# Getters: everything on an issue page is public to read, so a missing row is
# the only reason for a 404, except for questions and answers that moderation
# keeps from this viewer: acting on one would write to a post they cannot see
# and then fail to render it. Who may write is the services' business.


def get_section(pk: int) -> Section:
    # Claims come along: every permission check on the section reads them.
    return get_object_or_404(
        Section.objects.select_related("issue__series").prefetch_related("claims"),
        pk=pk,
    )


def get_item(pk: int) -> Item:
    return get_object_or_404(
        Item.objects.select_related("section__issue__series"),
        pk=pk,
    )


def get_question(pk: int, viewer) -> Question:
    return get_object_or_404(
        Question.objects.filter(visible_posts(viewer)).select_related("section__issue__series"),
        pk=pk,
    )


def get_answer(pk: int, viewer) -> Answer:
    questions = Question.objects.filter(visible_posts(viewer))
    return get_object_or_404(
        Answer.objects.filter(visible_posts(viewer), question__in=questions).select_related(
            "question__section__issue__series"
        ),
        pk=pk,
    )


def sort_of(request) -> str:
    sort = request.GET.get("sort", "")
    return sort if sort in SORTS else "time"


# Apps that add to the issue page (talk: its revisions and exports) register a
# function (request, issue) -> dict here when they are ready; sections itself
# knows nothing of them.
page_context_providers: list = []


def render_issue_page(request, issue, *, status=200, flash="", bind=None, kept=""):
    """The whole issue page; `bind(content)` puts a bound form back in place.
    `kept` is text a refused plain post typed where no form can take it back
    (the issue froze meanwhile, a role was taken away): it is shown beside
    the refusal, to copy, rather than lost."""
    # Providers first: the live-update sequence number they read must not be
    # newer than the content below, or the page would miss a change.
    context = {"issue": issue, "flash": flash, "kept": kept}
    for provide in page_context_providers:
        context.update(provide(request, issue))
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


def changed(request, issue, anchor: str, fragment) -> HttpResponse:
    if request.htmx:
        return trigger_client_event(fragment(), CHANGED)
    return redirect(f"{issue.get_absolute_url()}{_sorted_as_before(request)}#{anchor}")


def _sorted_as_before(request) -> str:
    """The page's order, when the form was posted from a page sorted by votes
    ("?sort=votes"): a plain post (no script) comes back to the order it left."""
    referer = urlsplit(request.headers.get("Referer", ""))
    sort = parse_qs(referer.query).get("sort", [""])[0]
    return f"?sort={sort}" if sort in SORTS and sort != "time" else ""


def refused(request, issue, error: DeskError, *, bind=None, kept="") -> HttpResponse:
    """A refusal in words: in the page's alert region for htmx (the form and
    its text stay as they are in the browser), or on the whole page again
    (forms still filled, or the text `kept`) for a plain post."""
    if request.htmx:
        return refusal_fragment(request, error)
    return render_issue_page(
        request, issue, status=error.status, flash=error.message, bind=bind, kept=kept
    )


def refusal_fragment(request, error: DeskError) -> HttpResponse:
    """The refusal's words, for htmx to put in the page's #flash region."""
    response = render(
        request, "sections/refusal.html", {"message": error.message}, status=error.status
    )
    return retarget(reswap(response, "innerHTML"), "#flash")


def form_invalid(request, section, form, bind, status=422, flash=""):
    if request.htmx:
        name = "add-item" if section.kind == "items" else "ask"
        return section_fragment(request, section, status=status, form=form, name=name)
    # A refusal is also said at the top of the page: the page opens there, and
    # the form may not be on it (visitors, frozen issues, the wrong section).
    # Field errors are said there too, and the browser takes the keyboard (and
    # the view) down to the first field to mend: on a long issue the form is
    # thousands of pixels below.
    _focus_first_error(form)
    flash = flash or _("Not saved: see what the form in “%(section)s” says.") % {
        "section": section.title
    }
    return render_issue_page(request, section.issue, status=status, flash=flash, bind=bind)


def _focus_first_error(form) -> None:
    name = next((name for name in form.errors if name in form.fields), None)
    name = name or next(iter(form.fields))
    form.fields[name].widget.attrs["autofocus"] = True


def refuse_editor(request, post, section: Section) -> HttpResponse | None:
    """Whoever could not save an edit is told so before they type one (the
    service checks again on save)."""
    if not section.issue.accepts_content_from(request.user):
        error = IssueClosed()
    elif not can_edit_post(request.user, post, section):
        error = NotAllowed(_("Only its author, the section's owners and the host can change this."))
    else:
        return None
    return refused(request, section.issue, error)


def rebase(form, version: int):
    """The same typed text, now aimed at the newer version, so the editor can
    merge what they see beside it and save again."""
    form.data = form.data.copy()
    form.data["version"] = str(version)
    form.full_clean()
    return form


def edit_page(request, template: str, partial: str, context: dict, status: int):
    if request.htmx and not request.htmx.history_restore_request:
        return render(request, f"{template}#{partial}", context, status=status)
    return render(request, template, context, status=status)
