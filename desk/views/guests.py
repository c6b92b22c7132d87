"""Guests' questions: a visitor without an account asks under a nickname
(always approved first) and votes, where a steward allows it."""

import hashlib
import secrets

from django.conf import settings
from django.contrib import messages
from django.shortcuts import redirect
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from accounts.throttle import client_address
from sections import services
from sections.errors import DeskError, Invalid

from ..forms.sections import GuestQuestionForm
from .getters import get_question, get_section
from .page import question_fragment, render_issue_page, section_fragment
from .respond import changed, refused

# A random number the browser keeps so its vote on a question counts once;
# it names nobody, and the desk stores only a digest of it with the vote.
GUEST_COOKIE = "desk_guest"
GUEST_COOKIE_AGE = 180 * 24 * 3600


def _client(request) -> str:
    """The visitor's address as a digest, for their posting limit only."""
    address = client_address(request) or ""
    return hashlib.sha256(f"{settings.SECRET_KEY}:{address}".encode()).hexdigest()[:32]


@require_POST
def guest_ask(request, pk):
    section = get_section(pk)
    form = GuestQuestionForm(request.POST, section=section)
    if form.is_valid():
        try:
            services.question_ask_as_guest(
                section_id=section.pk,
                nickname=form.cleaned_data["nickname"],
                body=form.cleaned_data["body"],
                client=_client(request),
            )
        except Invalid as error:
            form.add_error(None, error.message)
        except DeskError as error:
            return refused(request, section.issue, error, kept=form.cleaned_data["body"])
        else:
            if request.htmx:
                return section_fragment(request, section, name="guest-ask", guest_asked=True)
            messages.success(request, _("Thank you: your question waits for a moderator."))
            return redirect(f"{section.issue.get_absolute_url()}#section-{section.pk}")
    if request.htmx:
        return section_fragment(request, section, status=422, name="guest-ask", guest_form=form)
    return render_issue_page(
        request, section.issue, status=422, section_forms={section.pk: {"guest_form": form}}
    )


@require_POST
def guest_vote(request, pk):
    question = get_question(pk, request.user)
    browser = request.COOKIES.get(GUEST_COOKIE) or secrets.token_urlsafe(18)
    try:
        voted = services.question_vote_as_guest(
            question_id=question.pk, browser=browser, client=_client(request)
        )
    except DeskError as error:
        return refused(request, question.section.issue, error)
    response = changed(
        request,
        question.section.issue,
        f"question-{pk}",
        lambda: question_fragment(request, question, guest_voted=voted),
    )
    response.set_cookie(
        GUEST_COOKIE,
        browser,
        max_age=GUEST_COOKIE_AGE,
        httponly=True,
        samesite="Lax",
        secure=settings.SESSION_COOKIE_SECURE,
    )
    return response
