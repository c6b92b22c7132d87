"""What members, owners and hosts do on the issue page.

Each write view parses a form, calls one service and answers in one of two
ways: an htmx request gets the fragment that changed (and the page is told,
through the `desk:changed` event, to refresh what derives from it); a plain
form post is redirected back to the page. When something is refused, htmx
gets the words in place with a 4xx status; a plain post gets the whole page
again, with the typed text still in its form.
"""

from functools import wraps
from urllib.parse import parse_qs, urlencode, urlsplit

from django.conf import settings
from django.contrib.auth.views import redirect_to_login
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render, resolve_url
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST
from django_htmx.http import HttpResponseClientRedirect, reswap, retarget, trigger_client_event

from . import services
from .errors import DeskError, IssueClosed, NotAllowed, StaleWrite
from .forms import AnswerForm, ItemForm, QuestionForm, ThemeForm
from .models import Answer, Item, Question, Section
from .policy import can_curate_section, can_edit_post
from .selectors import (
    SORTS,
    fresh_item,
    fresh_question,
    group_key,
    issue_content,
    item_content,
    link_sightings,
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


def _get_section(pk: int) -> Section:
    # Claims come along: every permission check on the section reads them.
    return get_object_or_404(
        Section.objects.select_related("issue__series").prefetch_related("claims"),
        pk=pk,
    )


def _get_item(pk: int) -> Item:
    return get_object_or_404(
        Item.objects.select_related("section__issue__series"),
        pk=pk,
    )


def _get_question(pk: int, viewer) -> Question:
    return get_object_or_404(
        Question.objects.filter(visible_posts(viewer)).select_related("section__issue__series"),
        pk=pk,
    )


def _get_answer(pk: int, viewer) -> Answer:
    questions = Question.objects.filter(visible_posts(viewer))
    return get_object_or_404(
        Answer.objects.filter(visible_posts(viewer), question__in=questions).select_related(
            "question__section__issue__series"
        ),
        pk=pk,
    )


# Rendering


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


def _section_fragment(request, section: Section, *, status=200, form=None, name="", **attrs):
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


def _question_fragment(request, question: Question, *, status=200, **extra):
    issue = question.section.issue
    question = question_content(question.pk, issue=issue, viewer=request.user)
    for name, value in extra.items():
        setattr(question, name, value)
    context = {"issue": issue, "question": question, "section": question.section}
    return render(request, "sections/question.html", context, status=status)


def _added(
    request, section: Section, *, item: Item | None = None, question: Question | None = None
):
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


def _removed(request, section: Section, item: Item | None = None):
    """After a removal (the row itself is gone from the page): the section's
    contributors line, and the theme picker if a nomination went."""
    section.contributors = section_contributors(section)
    section.viewer_can_curate = can_curate_section(request.user, section)
    context = {"issue": section.issue, "section": section, "oob": True}
    context["nominations_changed"] = _reload_nominations(section, item)
    return render(request, "sections/removed.html", context)


def _changed(request, issue, anchor: str, fragment) -> HttpResponse:
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


# Claims


@require_POST
def section_claim(request, pk):
    section = _get_section(pk)
    try:
        services.section_claim(section_id=section.pk, user=request.user)
    except DeskError as error:
        if (
            request.htmx
            and request.user.is_authenticated
            and section.issue.accepts_content_from(request.user)
        ):
            # A full section says who holds it, right where the button was.
            return _section_fragment(
                request, section, status=error.status, name="claim-box", claim_error=error.message
            )
        return refused(request, section.issue, error)
    return _changed(
        request,
        section.issue,
        f"section-{pk}",
        lambda: _section_fragment(request, section, name="claim-box"),
    )


@require_POST
def section_release(request, pk):
    section = _get_section(pk)
    try:
        services.section_release(section_id=section.pk, user=request.user)
    except DeskError as error:
        return refused(request, section.issue, error)
    return _changed(
        request,
        section.issue,
        f"section-{pk}",
        lambda: _section_fragment(request, section, name="claim-box"),
    )


# Items


@require_POST
def item_create(request, pk):
    section = _get_section(pk)
    section.viewer_can_curate = can_curate_section(request.user, section)
    form = ItemForm(request.POST, section=section, may_credit=section.viewer_can_curate)

    def bind(content):
        next(s for s in content.sections if s.pk == section.pk).item_form = form

    if not form.is_valid():
        return _form_invalid(request, section, form, bind)
    try:
        item = services.item_submit(
            section=section,
            user=request.user,
            credit_to=form.credit or "",
            **form.fields_for_service,
        )
    except DeskError as error:
        form.add_error(None, error.message)
        return _form_invalid(request, section, form, bind, status=error.status, flash=error.message)
    return _changed(
        request, section.issue, f"item-{item.pk}", lambda: _added(request, section, item=item)
    )


def _form_invalid(request, section, form, bind, status=422, flash=""):
    if request.htmx:
        name = "add-item" if section.kind == "items" else "ask"
        return _section_fragment(request, section, status=status, form=form, name=name)
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


@member_required
@require_GET
def link_check(request, pk):
    """Where the link being typed into a section's add form was shared
    before: in this issue or a recent one. It only informs; the form still
    posts a known link, which then shows as a follow-up."""
    section = _get_section(pk)
    url = request.GET.get("url", "")[:2000]
    sightings = link_sightings(url=url, issue=section.issue)
    context = {
        "issue": section.issue,
        "section": section,
        "url": url,
        "sightings": sightings,
        "follow_up": any(seen.in_this_issue for seen in sightings),
    }
    return _edit_page(request, "sections/link_check.html", "link-check", context, 200)


@member_required
@require_http_methods(["GET", "POST"])
def item_edit(request, pk):
    item = _get_item(pk)
    section = item.section
    if request.method == "GET" and (refusal := _refuse_editor(request, item, section)):
        return refusal
    section.viewer_can_curate = can_curate_section(request.user, section)
    form = ItemForm(
        request.POST or None,
        section=section,
        item=item,
        may_credit=section.viewer_can_curate,
        initial=ItemForm.initial_for(item),
    )
    newer = None
    status = 200
    if request.method == "POST":
        status = 422
        if form.is_valid():
            try:
                services.item_update(
                    item_id=item.pk,
                    user=request.user,
                    version=form.cleaned_data["version"] or 0,
                    credit_to=form.credit,
                    **form.fields_for_service,
                )
            except StaleWrite as error:
                newer, status = error.current, error.status
                form = _rebase(form, newer.version)
                form.add_error(None, error.message)
            except DeskError as error:
                form.add_error(None, error.message)
                status = error.status
            else:
                return _changed(
                    request, section.issue, f"item-{pk}", lambda: _item_fragment(request, item)
                )
    context = {
        "issue": section.issue,
        "section": section,
        "item": item,
        "form": form,
        "newer": newer,
    }
    return _edit_page(request, "sections/item_edit.html", "item-edit", context, status)


def _refuse_editor(request, post, section: Section) -> HttpResponse | None:
    """Whoever could not save an edit is told so before they type one (the
    service checks again on save)."""
    if not section.issue.accepts_content_from(request.user):
        error = IssueClosed()
    elif not can_edit_post(request.user, post, section):
        error = NotAllowed(_("Only its author, the section's owners and the host can change this."))
    else:
        return None
    return refused(request, section.issue, error)


def _rebase(form, version: int):
    """The same typed text, now aimed at the newer version, so the editor can
    merge what they see beside it and save again."""
    form.data = form.data.copy()
    form.data["version"] = str(version)
    form.full_clean()
    return form


def _edit_page(request, template: str, partial: str, context: dict, status: int):
    if request.htmx and not request.htmx.history_restore_request:
        return render(request, f"{template}#{partial}", context, status=status)
    return render(request, template, context, status=status)


def _item_fragment(request, item: Item):
    row = item_content(item.pk, issue=item.section.issue, viewer=request.user)
    return render(
        request,
        "sections/item.html",
        {"issue": row.section.issue, "section": row.section, "item": row},
    )


@require_POST
def item_delete(request, pk):
    item = _get_item(pk)
    section = item.section
    try:
        services.item_delete(item_id=item.pk, user=request.user)
    except DeskError as error:
        return refused(request, section.issue, error)
    return _changed(
        request,
        section.issue,
        f"section-{section.pk}",
        lambda: _removed(request, section, item),
    )


@require_POST
def item_move(request, pk):
    item = _get_item(pk)
    section = item.section
    direction = "up" if request.POST.get("direction") == "up" else "down"
    # Dragged: "before" names the item it was dropped before (0: the end).
    before = request.POST.get("before", "")
    try:
        services.item_move(
            item_id=item.pk,
            user=request.user,
            direction=direction,
            before_id=int(before) if before.isdigit() else None,
        )
    except DeskError as error:
        return refused(request, section.issue, error)
    return _changed(
        request, section.issue, f"item-{pk}", lambda: _section_fragment(request, section)
    )


@require_POST
def item_discussed(request, pk):
    """The host ticks an item off during the meeting."""
    item = _get_item(pk)
    try:
        services.item_set_discussed(
            item_id=item.pk, user=request.user, discussed=request.POST.get("discussed") == "1"
        )
    except DeskError as error:
        return refused(request, item.section.issue, error)
    return _changed(
        request, item.section.issue, f"item-{pk}", lambda: _item_fragment(request, item)
    )


@require_POST
def section_theme(request, pk):
    section = _get_section(pk)
    form = ThemeForm(request.POST)
    if not form.is_valid():
        if "version" in form.errors or not can_curate_section(request.user, section):
            return refused(
                request, section.issue, DeskError(_("Choose a nomination or write a theme."))
            )
        # A theme too long, say: the picker opens again with the words and
        # the text as typed.
        picker = {
            "text": form.data.get("text", ""),
            "version": form.cleaned_data["version"],
            "error": " ".join(str(e) for errors in form.errors.values() for e in errors),
        }
        return _theme_again(request, section, picker, status=422, flash=picker["error"])
    try:
        services.section_set_theme(
            section_id=section.pk,
            user=request.user,
            version=form.cleaned_data["version"],
            item_id=form.cleaned_data["nomination"],
            text=form.cleaned_data["text"],
        )
    except StaleWrite as error:
        # The picker opens again on the newer theme's version, with the
        # choice and the text as this curator left them.
        picker = {**form.cleaned_data, "version": error.current.version, "newer": error.current}
        return _theme_again(request, section, picker, status=error.status, flash=error.message)
    except DeskError as error:
        return refused(request, section.issue, error)
    return _changed(
        request, section.issue, f"section-{pk}", lambda: _section_fragment(request, section)
    )


def _theme_again(request, section: Section, picker: dict, *, status: int, flash: str):
    """The section with its theme picker open on `picker`: what the curator
    chose and typed, and why it was not saved."""
    if request.htmx:
        return _section_fragment(request, section, status=status, theme_picker=picker)

    def bind(content):
        next(s for s in content.sections if s.pk == section.pk).theme_picker = picker

    return render_issue_page(request, section.issue, status=status, flash=flash, bind=bind)


# Questions and answers


@require_POST
def question_ask(request, pk):
    section = _get_section(pk)
    section.viewer_can_curate = can_curate_section(request.user, section)
    form = QuestionForm(request.POST, section=section, may_credit=section.viewer_can_curate)

    def bind(content):
        next(s for s in content.sections if s.pk == section.pk).ask_form = form

    if not form.is_valid():
        return _form_invalid(request, section, form, bind)
    try:
        question = services.question_ask(
            section=section,
            user=request.user,
            body=form.cleaned_data["body"],
            subgroup=form.cleaned_data.get("subgroup", ""),
            credit_to=form.credit or "",
        )
    except DeskError as error:
        form.add_error(None, error.message)
        return _form_invalid(request, section, form, bind, status=error.status, flash=error.message)
    return _changed(
        request,
        section.issue,
        f"question-{question.pk}",
        lambda: _added(request, section, question=question),
    )


@member_required
@require_http_methods(["GET", "POST"])
def question_edit(request, pk):
    question = _get_question(pk, request.user)
    section = question.section
    if request.method == "GET" and (refusal := _refuse_editor(request, question, section)):
        return refusal
    may_credit = can_curate_section(request.user, section)
    initial = {
        "body": question.body,
        "subgroup": question.subgroup,
        "credit_to": question.attribution,
        "version": question.version,
    }
    form = QuestionForm(
        request.POST or None,
        section=section,
        question=question,
        may_credit=may_credit,
        initial=initial,
    )
    newer, status = None, 200
    if request.method == "POST":
        status = 422
        if form.is_valid():
            try:
                services.question_update(
                    question_id=question.pk,
                    user=request.user,
                    version=form.cleaned_data["version"] or 0,
                    body=form.cleaned_data["body"],
                    subgroup=form.cleaned_data.get("subgroup", ""),
                    credit_to=form.credit,
                )
            except StaleWrite as error:
                newer, status = error.current, error.status
                form = _rebase(form, newer.version)
                form.add_error(None, error.message)
            except DeskError as error:
                form.add_error(None, error.message)
                status = error.status
            else:
                return _changed(
                    request,
                    section.issue,
                    f"question-{pk}",
                    lambda: _question_fragment(request, question),
                )
    context = {
        "issue": section.issue,
        "post": question,
        "form": form,
        "newer": newer,
        "kind": "question",
    }
    return _edit_page(request, "sections/post_edit.html", "post-edit", context, status)


@require_POST
def question_delete(request, pk):
    question = _get_question(pk, request.user)
    section = question.section
    try:
        services.question_delete(question_id=question.pk, user=request.user)
    except DeskError as error:
        return refused(request, section.issue, error)
    return _changed(
        request,
        section.issue,
        f"section-{section.pk}",
        lambda: _section_fragment(request, section),
    )


@require_POST
def question_vote(request, pk):
    question = _get_question(pk, request.user)
    try:
        services.question_vote(question_id=question.pk, user=request.user)
    except DeskError as error:
        return refused(request, question.section.issue, error)
    return _changed(
        request,
        question.section.issue,
        f"question-{pk}",
        lambda: _question_fragment(request, question),
    )


@require_POST
def question_answered(request, pk):
    question = _get_question(pk, request.user)
    try:
        services.question_set_answered(
            question_id=question.pk, user=request.user, answered=request.POST.get("answered") == "1"
        )
    except DeskError as error:
        return refused(request, question.section.issue, error)
    return _changed(
        request,
        question.section.issue,
        f"question-{pk}",
        lambda: _question_fragment(request, question),
    )


@member_required
@require_http_methods(["GET", "POST"])
def answer_create(request, pk):
    """GET: the form to answer a question (or, with ?parent=, to reply to one
    of its answers), loaded where it is needed; POST: post it."""
    question = _get_question(pk, request.user)
    section = question.section
    data = request.POST if request.method == "POST" else request.GET
    parent = _get_parent(question, data.get("parent", ""), request.user)
    form = AnswerForm(
        request.POST or None,
        may_credit=can_curate_section(request.user, section),
        # Two answer forms open at once must not share ids (labels and error
        # links would point at the first): the question's id keeps them apart,
        # as the parent's does for replies.
        key=str(parent.pk) if parent else f"q{question.pk}",
        initial={"parent": parent.pk if parent else None},
    )
    if request.method == "GET":
        if not section.issue.accepts_content_from(request.user):
            return refused(request, section.issue, IssueClosed())
        form.fields["body"].widget.attrs["data-autofocus"] = ""
        return _answer_form(request, question, parent, form, 200)
    if not form.is_valid():
        return _answer_form(request, question, parent, form, 422)
    try:
        services.answer_post(
            question_id=question.pk,
            user=request.user,
            body=form.cleaned_data["body"],
            parent_id=parent.pk if parent else None,
            credit_to=form.credit or "",
        )
    except DeskError as error:
        if request.htmx:
            return refused(request, section.issue, error)  # the typed answer stays open
        form.add_error(None, error.message)
        return _answer_form(request, question, parent, form, error.status)
    return _changed(
        request, section.issue, f"question-{pk}", lambda: _question_fragment(request, question)
    )


def _get_parent(question: Question, raw: str, viewer) -> Answer | None:
    if not raw:
        return None
    try:
        return question.answers.filter(visible_posts(viewer)).get(pk=int(raw))
    except (ValueError, Answer.DoesNotExist):
        raise Http404 from None


def _answer_form(request, question: Question, parent, form, status: int):
    context = {
        "issue": question.section.issue,
        "question": question,
        "parent": parent,
        "form": form,
    }
    if not request.htmx:
        return render(request, "sections/answer_new.html", context, status=status)
    response = render(request, "sections/answer_new.html#answer-form", context, status=status)
    if request.method == "POST":
        # The form posts to its question; with errors it goes back to its slot.
        slot = f"#reply-slot-{parent.pk}" if parent else f"#answer-slot-{question.pk}"
        response = retarget(reswap(response, "innerHTML"), slot)
    return response


@member_required
@require_http_methods(["GET", "POST"])
def answer_edit(request, pk):
    answer = _get_answer(pk, request.user)
    question = answer.question
    section = question.section
    if request.method == "GET" and (refusal := _refuse_editor(request, answer, section)):
        return refusal
    may_credit = can_curate_section(request.user, section)
    initial = {"body": answer.body, "credit_to": answer.attribution, "version": answer.version}
    form = AnswerForm(request.POST or None, answer=answer, may_credit=may_credit, initial=initial)
    newer, status = None, 200
    if request.method == "POST":
        status = 422
        if form.is_valid():
            try:
                services.answer_update(
                    answer_id=answer.pk,
                    user=request.user,
                    version=form.cleaned_data["version"] or 0,
                    body=form.cleaned_data["body"],
                    credit_to=form.credit,
                )
            except StaleWrite as error:
                newer, status = error.current, error.status
                form = _rebase(form, newer.version)
                form.add_error(None, error.message)
            except DeskError as error:
                form.add_error(None, error.message)
                status = error.status
            else:
                return _changed(
                    request,
                    section.issue,
                    f"question-{question.pk}",
                    lambda: _question_fragment(request, question),
                )
    context = {
        "issue": section.issue,
        "post": answer,
        "form": form,
        "newer": newer,
        "kind": "answer",
        "question": question,
    }
    response = _edit_page(request, "sections/post_edit.html", "post-edit", context, status)
    if request.htmx and request.method == "POST":
        # The form aims at its question, which a saved answer changes; a
        # refused one puts the form back where it is, not over the question.
        response = reswap(retarget(response, f"#answer-{answer.pk}"), "outerHTML")
    return response


@require_POST
def answer_delete(request, pk):
    answer = _get_answer(pk, request.user)
    question = answer.question
    try:
        services.answer_delete(answer_id=answer.pk, user=request.user)
    except DeskError as error:
        return refused(request, question.section.issue, error)
    return _changed(
        request,
        question.section.issue,
        f"question-{question.pk}",
        lambda: _question_fragment(request, question),
    )


@require_POST
def answer_accept(request, pk):
    answer = _get_answer(pk, request.user)
    question = answer.question
    try:
        services.answer_accept(
            answer_id=answer.pk, user=request.user, accepted=request.POST.get("accepted") == "1"
        )
    except DeskError as error:
        return refused(request, question.section.issue, error)
    return _changed(
        request,
        question.section.issue,
        f"question-{question.pk}",
        lambda: _question_fragment(request, question),
    )
