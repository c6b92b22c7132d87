"""Pages across a series' archive: a link's (every time it was shared, and
what was asked of it) and a contributor's (what one name brought to each
issue). Public to read, as the issue pages they gather."""

from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_safe

from talk import archive
from talk.models import Series


@require_safe
def link_page(request: HttpRequest, series_slug: str, digest: str) -> HttpResponse:
    series = get_object_or_404(Series, slug=series_slug)
    link = archive.link_page(series=series, digest=digest, viewer=request.user)
    if link is None:
        return _missing(request, _("No item of this series links there."))
    return render(request, "talk/link.html", {"series": series, "link": link})


@require_safe
def contributor_page(request: HttpRequest, series_slug: str, name: str) -> HttpResponse:
    series = get_object_or_404(Series, slug=series_slug)
    page = archive.contributor_page(series=series, name=name, viewer=request.user)
    if page is None:
        # The same words for a page switched off as for a name never seen:
        # they must not tell that a member is there.
        return _missing(request, _("Nobody of that name has a contributor page in this series."))
    return render(request, "talk/contributor.html", {"series": series, "page": page})


def _missing(request: HttpRequest, message: str) -> HttpResponse:
    return render(request, "404.html", {"message": message}, status=404)
