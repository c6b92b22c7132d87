"""Pages outside any issue: home, a series, its archive and rules, the jobs
page (with the notifications that failed), /healthz, and the 404."""

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db import DatabaseError, connection
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST, require_safe
from django_htmx.http import reswap

from notify import selectors as notify_selectors
from notify import services as notify_services
from notify.models import Delivery
from sections.errors import Gone, NotAllowed
from sections.policy import is_admin
from talk import selectors
from talk.live.broker import broker
from talk.models import Series
from talk.policy import may_invite

from ..calendar import calendar_response
from .respond import refusal_fragment


def not_found(request, exception):
    """A missing page in the site's frame and language. For htmx (a row
    deleted meanwhile, say), words in the page's alert region: a whole page
    swapped into a fragment would break the page around it."""
    if request.headers.get("X-Desk-Live"):
        # A live refresh that lost a race with a delete: the delete's own
        # event refreshes the section; nobody did anything to be told of.
        return reswap(HttpResponse(status=404), "none")
    if getattr(request, "htmx", False):
        return refusal_fragment(request, Gone())
    return render(request, "404.html", status=404)


@require_safe
def home(request):
    return render(request, "talk/home.html", {"series_list": selectors.series_overview()})


@require_safe
def series_detail(request, series_slug):
    series = get_object_or_404(Series, slug=series_slug)
    context = {
        "series": series,
        "issues": selectors.series_issues(series),
        "is_admin": is_admin(request.user),
        "may_invite": may_invite(request.user),
    }
    return render(request, "talk/series.html", context)


@require_safe
def series_archive(request, series_slug):
    """The public archive: published issues with their files."""
    series = get_object_or_404(Series, slug=series_slug)
    return render(
        request,
        "talk/archive.html",
        {"series": series, "issues": selectors.published_issues(series)},
    )


@require_safe
def series_calendar(request: HttpRequest, series_slug: str) -> HttpResponse:
    """The series' coming meetings, for calendar apps to subscribe to."""
    series = get_object_or_404(Series, slug=series_slug)
    meetings = selectors.upcoming_meetings(series)
    return calendar_response(request, series, meetings, f"{series.slug}.ics")


@require_safe
def series_rules(request, series_slug):
    """The series' moderation rules, for anyone: linked from the Q&A."""
    series = get_object_or_404(Series, slug=series_slug)
    return render(request, "talk/rules.html", {"series": series})


@never_cache
@require_safe
def healthz(request):
    """200 while the database answers: without Redis the desk still serves
    and saves (live updates pause, exports wait), so Redis down is said in
    the body, not by a status that would take the process out of service."""
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
    except DatabaseError:
        return HttpResponse("database unavailable\n", status=503, content_type="text/plain")
    body = "ok\n" if broker().answers() else "ok\nredis: unavailable\n"
    return HttpResponse(body, content_type="text/plain")


@login_required
@require_safe
def jobs(request):
    """For admins: scheduled runs that failed or never finished, a schedule
    that has stopped running, and series whose next issue is overdue."""
    if not is_admin(request.user):
        raise PermissionDenied
    context = {
        "jobs": selectors.jobs_overview(),
        "deliveries": notify_selectors.failed_deliveries(),
        "series": Series.objects.order_by("name"),
        # Without Redis there is no beat (the embedded mode): nothing runs on
        # a schedule, and the page says so instead of calling it late.
        "scheduled": bool(settings.REDIS_URL),
        "after_minutes": settings.NEXT_ISSUE_AFTER_MINUTES,
        "check_minutes": settings.NEXT_ISSUE_CHECK_MINUTES,
        "within_days": settings.NEXT_ISSUE_WITHIN_DAYS,
    }
    return render(request, "talk/jobs.html", context)


@require_POST
@login_required
def delivery_retry(request, pk):
    """Send a failed notification again (from /jobs/)."""
    try:
        notify_services.delivery_retry(delivery_id=pk, user=request.user)
    except NotAllowed:
        raise PermissionDenied from None
    except Delivery.DoesNotExist:
        raise Http404 from None
    messages.success(request, _("Sent again; the list below shows it until it fails once more."))
    return redirect("jobs")
