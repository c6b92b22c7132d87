"""A post's edit history, under the post's own address (/items/<pk>/history/
and so on): the list htmx opens under an edited post, or a page of its own.

A post hidden from the viewer by moderation is a 404, as everywhere; one they
see but whose history is not theirs to read is a 403 in words.
"""

from django.http import HttpResponse
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_safe

from sections.errors import NotAllowed
from sections.models import Attributed, Section
from sections.policy import can_see_history
from sections.selectors import post_history

from .getters import get_answer, get_item, get_question
from .respond import HtmxHttpRequest, edit_page, refused

NOT_YOURS = _("Only its author, the section's owners, the host and admins can see its history.")


@require_safe
def item_history(request: HtmxHttpRequest, pk: int) -> HttpResponse:
    item = get_item(pk)
    return _history(request, item, item.section, "item")


@require_safe
def question_history(request: HtmxHttpRequest, pk: int) -> HttpResponse:
    question = get_question(pk, request.user)
    return _history(request, question, question.section, "question")


@require_safe
def answer_history(request: HtmxHttpRequest, pk: int) -> HttpResponse:
    answer = get_answer(pk, request.user)
    return _history(request, answer, answer.question.section, "answer")


def _history(
    request: HtmxHttpRequest, post: Attributed, section: Section, kind: str
) -> HttpResponse:
    if not can_see_history(request.user, post, section):
        return refused(request, section.issue, NotAllowed(NOT_YOURS))
    context = {
        "issue": section.issue,
        "post": post,
        # The id of the post's element on the issue page: "item-12".
        "anchor": f"{kind}-{post.pk}",
        "versions": post_history(post),
    }
    return edit_page(request, "sections/history.html", "post-history", context, 200)
