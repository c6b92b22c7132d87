from django.db import DatabaseError, connection
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, render
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from sections.selectors import issue_content

from . import selectors
from .models import Issue, Series


def get_issue(series_slug: str, code: str) -> Issue:
    """Issues are public: anyone may read one, so outsiders get it too."""
    return get_object_or_404(
        Issue.objects.select_related("series", "host", "editor"),
        series__slug=series_slug,
        code=code,
    )


@require_GET
def home(request):
    return render(request, "talk/home.html", {"series_list": selectors.series_overview()})


@require_GET
def series_detail(request, series_slug):
    series = get_object_or_404(Series, slug=series_slug)
    return render(
        request,
        "talk/series.html",
        {"series": series, "issues": selectors.series_issues(series)},
    )


@require_GET
def issue_detail(request, series_slug, code):
    issue = get_issue(series_slug, code)
    content = issue_content(issue, viewer=request.user)
    return render(request, "talk/issue.html", {"issue": issue, "content": content})


@never_cache
@require_GET
def healthz(request):
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
    except DatabaseError:
        return HttpResponse("database unavailable\n", status=503, content_type="text/plain")
    return HttpResponse("ok\n", content_type="text/plain")
