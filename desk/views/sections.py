"""A section: read again as on its page, claimed and released."""

from django.http import Http404
from django.shortcuts import get_object_or_404, render
from django.views.decorators.http import require_POST, require_safe

from sections import services
from sections.errors import DeskError
from sections.models import Section, SectionKind
from sections.selectors import issue_content, section_content

from .getters import ISSUE_ROWS, get_section, show_of, sort_of
from .page import panel_for, section_fragment
from .respond import changed, fragment_or_page, refused


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


@require_safe
def section_detail(request, pk):
    """The section as on its issue page, fetched again when it changed."""
    issue = get_object_or_404(ISSUE_ROWS, sections=pk)

    def fragment():
        try:
            view = section_content(
                pk, issue=issue, viewer=request.user, sort=sort_of(request), show=show_of(request)
            )
        except Section.DoesNotExist:
            raise Http404 from None
        context = {"issue": issue, **panel_for(view, request.user).context()}
        if view.row.kind == SectionKind.REFERENCES:
            # Its list is every link of the issue, not rows of its own.
            context["content"] = issue_content(issue, viewer=request.user)
        return render(request, "sections/section.html", context)

    return fragment_or_page(request, issue, f"section-{pk}", fragment)
