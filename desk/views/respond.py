"""How the desk's write views answer (see the package's docstring): the
change for htmx or a redirect for a plain post, a refusal in words, a form
with its errors, and an editor told of a newer version."""

from collections.abc import Callable
from dataclasses import dataclass
from functools import wraps
from typing import Any, Concatenate, cast
from urllib.parse import urlencode, urlsplit

from django.conf import settings
from django.contrib.auth.views import redirect_to_login
from django.db.models import Model
from django.forms import BaseForm
from django.http import Http404, HttpRequest, HttpResponse, QueryDict
from django.shortcuts import redirect, render, resolve_url
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _
from django_htmx.http import HttpResponseClientRedirect, reswap, retarget, trigger_client_event
from django_htmx.middleware import HtmxDetails

from sections.errors import DeskError, IssueClosed, NotAllowed, StaleWrite
from sections.models import Attributed, Section
from sections.policy import can_edit_post
from talk.models import Issue

from ..forms.sections import ItemForm, QuestionForm
from .getters import show_in, sort_in
from .page import PanelForms, qa_query, render_issue_page, section_fragment

CHANGED = "desk:changed"


class HtmxHttpRequest(HttpRequest):
    """A request through django-htmx's middleware (django-htmx's own recipe)."""

    htmx: HtmxDetails


type Fragment = Callable[[], HttpResponse]


def member_required[**P](
    view: Callable[Concatenate[HtmxHttpRequest, P], HttpResponse],
) -> Callable[Concatenate[HtmxHttpRequest, P], HttpResponse]:
    """Like login_required, but an htmx request is sent to the login page as
    a whole page (HX-Redirect) instead of having it swapped into a fragment."""

    @wraps(view)
    def wrapped(request: HtmxHttpRequest, *args: P.args, **kwargs: P.kwargs) -> HttpResponse:
        if request.user.is_authenticated:
            return view(request, *args, **kwargs)
        if request.htmx:
            here = request.htmx.current_url_abs_path or "/"
            return HttpResponseClientRedirect(
                f"{resolve_url(settings.LOGIN_URL)}?{urlencode({'next': here})}"
            )
        return redirect_to_login(request.get_full_path())

    return wrapped


def fragment_or_page(
    request: HtmxHttpRequest,
    issue: Issue,
    anchor: str,
    render_fragment: Fragment,
    exists: Callable[[], bool] | None = None,
) -> HttpResponse:
    """`exists` tells whether the row the anchor names is there for this viewer:
    a link to a missing one is a 404 with or without htmx."""
    if request.htmx and not request.htmx.history_restore_request:
        return render_fragment()
    if exists is not None and not exists():
        raise Http404
    return redirect(f"{issue.get_absolute_url()}#{anchor}")


def changed(
    request: HtmxHttpRequest, issue: Issue, anchor: str, fragment: Fragment
) -> HttpResponse:
    if request.htmx:
        return trigger_client_event(fragment(), CHANGED)
    return redirect(f"{issue.get_absolute_url()}{_shown_as_before(request)}#{anchor}")


def _shown_as_before(request: HttpRequest) -> str:
    """The page's order and filter of its Q&A, when the form was posted from
    a page with them ("?sort=votes", "?show=mine"): a plain post (no script)
    comes back to the questions it left."""
    asked = QueryDict(urlsplit(request.headers.get("Referer", "")).query)
    sort, show = sort_in(asked), show_in(asked)
    return "" if (sort, show) == ("time", "all") else qa_query(sort, show)


def refused(
    request: HtmxHttpRequest,
    issue: Issue,
    error: DeskError,
    *,
    kept: str = "",
) -> HttpResponse:
    """A refusal in words: in the page's alert region for htmx (the form and
    its text stay as they are in the browser), or on the whole page again
    (forms still filled, or the text `kept`) for a plain post."""
    if request.htmx:
        return refusal_fragment(request, error)
    return render_issue_page(request, issue, status=error.status, flash=error.message, kept=kept)


def refusal_fragment(request: HttpRequest, error: DeskError) -> HttpResponse:
    """The refusal's words, for htmx to put in the page's #flash region."""
    response = render(
        request, "sections/refusal.html", {"message": error.message}, status=error.status
    )
    return retarget(reswap(response, "innerHTML"), "#flash")


def form_invalid(
    request: HtmxHttpRequest,
    section: Section,
    form: ItemForm | QuestionForm,
    status: int = 422,
    flash: str | Promise = "",
) -> HttpResponse:
    if request.htmx:
        # The form goes back into its own box: an item posted to a section
        # of another kind (a crafted post, or the kind changed) is refused
        # with its item form, never put in the ask box.
        if isinstance(form, ItemForm):
            return section_fragment(
                request, section, status=status, name="add-item", item_form=form
            )
        return section_fragment(request, section, status=status, name="ask", ask_form=form)
    # A refusal is also said at the top of the page: the page opens there, and
    # the form may not be on it (visitors, frozen issues, the wrong section).
    # Field errors are said there too, and the browser takes the keyboard (and
    # the view) down to the first field to mend: on a long issue the form is
    # thousands of pixels below.
    _focus_first_error(form)
    flash = flash or _("Not saved: see what the form in “%(section)s” says.") % {
        "section": section.title
    }
    forms: PanelForms = {"item_form": form} if isinstance(form, ItemForm) else {"ask_form": form}
    return render_issue_page(
        request, section.issue, status=status, flash=flash, section_forms={section.pk: forms}
    )


def _focus_first_error(form: BaseForm) -> None:
    name = next((name for name in form.errors if name in form.fields), None)
    name = name or next(iter(form.fields))
    form.fields[name].widget.attrs["autofocus"] = True


def refuse_editor(
    request: HtmxHttpRequest, post: Attributed, section: Section
) -> HttpResponse | None:
    """Whoever could not save an edit is told so before they type one (the
    service checks again on save)."""
    error: DeskError
    if not section.issue.accepts_content_from(request.user):
        error = IssueClosed()
    elif not can_edit_post(request.user, post, section):
        error = NotAllowed(_("Only its author, the section's owners and the host can change this."))
    else:
        return None
    return refused(request, section.issue, error)


@dataclass
class Edit[F: BaseForm]:
    """How saving an edit went (see `save_edit`)."""

    form: F
    status: int = 200
    # The row as someone else saved it first: shown beside the typed text.
    newer: Model | None = None
    # Why it was not saved: a stale write, or a refusal in words.
    error: DeskError | None = None
    saved: bool = False


def save_edit[F: BaseForm](
    request: HttpRequest,
    form: F,
    save: Callable[[F], object],
    *,
    rebase: Callable[[F, Model], F] | None = None,
) -> Edit[F]:
    """The stale-write flow of every edit form, in one place. A GET gives the
    form as it is. A POST is checked, then saved with `save(form)`;
    when someone saved a newer version first (StaleWrite, 409), the same
    typed text comes back aimed at that version (`rebase(form, current)`), so
    the editor merges what they see beside it and saves again; any other
    refusal is said on the form. Nothing typed is lost either way."""
    if request.method != "POST":
        return Edit(form)
    if not form.is_valid():
        return Edit(form, status=422)
    try:
        save(form)
    except StaleWrite as error:
        rebased = (rebase or _aimed_at)(form, error.current)
        return Edit(rebased, status=error.status, newer=error.current, error=error)
    except DeskError as error:
        form.add_error(None, str(error.message))
        return Edit(form, status=error.status, error=error)
    return Edit(form, saved=True)


def _aimed_at[F: BaseForm](form: F, current: Model) -> F:
    # A bound form's data is the request's QueryDict (the stubs say Mapping).
    data = cast(QueryDict, form.data).copy()
    # StaleWrite.current is typed Model; every row it carries is versioned.
    data["version"] = str(current.version)  # type: ignore[attr-defined]
    form.data = data
    form.full_clean()
    return form


def edit_page(
    request: HtmxHttpRequest, template: str, partial: str, context: dict[str, Any], status: int
) -> HttpResponse:
    if request.htmx and not request.htmx.history_restore_request:
        return render(request, f"{template}#{partial}", context, status=status)
    return render(request, template, context, status=status)
