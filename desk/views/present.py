"""Present mode: the meeting on the room's shared screen. Public like the
issue page; the host's keys work here too, so the meeting can be run from
this screen alone."""

from django.shortcuts import render
from django.views.decorators.http import require_safe

from sections.policy import can_curate_issue
from talk import selectors

from .getters import get_issue


def _stage_context(request, issue) -> dict:
    return {
        "issue": issue,
        "stage": selectors.meeting_stage(issue),
        "can_steward": can_curate_issue(request.user, issue),
    }


@require_safe
def present(request, series_slug, code):
    """The whole screen, or (for its script, at each live event) the stage."""
    issue = get_issue(series_slug, code)
    context = _stage_context(request, issue)
    if request.htmx and not request.htmx.history_restore_request:
        return render(request, "talk/present.html#present-stage", context)
    return render(request, "talk/present.html", context)
