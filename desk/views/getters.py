"""Getters: each returns one row for a view, or a 404.

Everything on an issue page is public to read, so a missing row is the only
reason for a 404, except for questions and answers that moderation keeps from
this viewer: acting on one would write to a post they cannot see and then
fail to render it. Who may write is the services' business.
"""

from django.http import HttpRequest, QueryDict
from django.shortcuts import get_object_or_404

from accounts.models import Viewer
from sections.models import Answer, Item, Question, Section
from sections.selectors import SHOWS, SORTS, visible_posts
from talk.models import Issue

# What every view of an issue reads with it: the meeting's pointer included.
ISSUE_ROWS = Issue.objects.select_related(
    "series", "host", "editor", "current_section", "spotlight"
)


def get_issue(series_slug: str, code: str) -> Issue:
    """Issues are public: anyone may read one, so outsiders get it too."""
    return get_object_or_404(ISSUE_ROWS, series__slug=series_slug, code=code)


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


def get_question(pk: int, viewer: Viewer) -> Question:
    return get_object_or_404(
        Question.objects.filter(visible_posts(viewer)).select_related("section__issue__series"),
        pk=pk,
    )


def get_answer(pk: int, viewer: Viewer) -> Answer:
    questions = Question.objects.filter(visible_posts(viewer))
    return get_object_or_404(
        Answer.objects.filter(visible_posts(viewer), question__in=questions).select_related(
            "question__section__issue__series"
        ),
        pk=pk,
    )


def sort_of(request: HttpRequest) -> str:
    return sort_in(request.GET)


def show_of(request: HttpRequest) -> str:
    return show_in(request.GET)


def sort_in(query: QueryDict) -> str:
    """The Q&A's order asked for in a query; anything else is the order asked."""
    sort = query.get("sort", "")
    return sort if sort in SORTS else "time"


def show_in(query: QueryDict) -> str:
    """The Q&A filter asked for in a query; anything else shows every question."""
    show = query.get("show", "")
    return show if show in SHOWS else "all"
