"""Claiming and releasing a section."""

from django.views.decorators.http import require_POST

from .. import services
from ..errors import DeskError
from .page import (
    changed,
    get_section,
    refused,
    section_fragment,
)


@require_POST
def section_claim(request, pk):
    section = get_section(pk)
    try:
        services.section_claim(section_id=section.pk, user=request.user)
    except DeskError as error:
        if (
            request.htmx
            and request.user.is_authenticated
            and section.issue.accepts_content_from(request.user)
        ):
            # A full section says who holds it, right where the button was.
            return section_fragment(
                request, section, status=error.status, name="claim-box", claim_error=error.message
            )
        return refused(request, section.issue, error)
    return changed(
        request,
        section.issue,
        f"section-{pk}",
        lambda: section_fragment(request, section, name="claim-box"),
    )


@require_POST
def section_release(request, pk):
    section = get_section(pk)
    try:
        services.section_release(section_id=section.pk, user=request.user)
    except DeskError as error:
        return refused(request, section.issue, error)
    return changed(
        request,
        section.issue,
        f"section-{pk}",
        lambda: section_fragment(request, section, name="claim-box"),
    )
