"""The member's inbox and how they hear of things; the one-click unsubscribe."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.contrib.auth.views import redirect_to_login
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from notify import selectors, services
from notify.kinds import Kind
from notify.models import Notice

from ..forms.notify import PreferencesForm


@require_safe
@login_required
def inbox(request):
    entries = selectors.inbox(request.user)
    return render(request, "notify/inbox.html", {"entries": entries})


@require_safe
def inbox_link(request):
    """The header's link with its count: fetched again when the count
    changes (a live event on an open issue page)."""
    if not request.user.is_authenticated:
        # A page whose member logged out in another tab: the refresh runs
        # in the background, so it leaves the link be (htmx swaps nothing
        # for a 204) rather than swap the login page into the header or
        # carry the page, and what is typed in it, away to log in.
        if request.htmx:
            return HttpResponse(status=204)
        return redirect_to_login(request.get_full_path())
    return render(request, "base.html#inbox-link")


@require_POST
@login_required
def notice_open(request, pk):
    """Mark the entry read and go to the place it is about."""
    try:
        notice = services.notice_read(notice_id=pk, user=request.user)
    except Notice.DoesNotExist:
        raise Http404 from None
    url = notice.event.summary.get("url", "/")
    if not url_has_allowed_host_and_scheme(url, allowed_hosts=None):
        url = "/"
    return redirect(url)


@require_POST
@login_required
def notices_read_all(request):
    services.notices_read_all(user=request.user)
    return redirect("notify-inbox")


@require_http_methods(["GET", "POST"])
@login_required
def preferences(request):
    form = PreferencesForm(request.POST or None, choices=selectors.preferences_of(request.user))
    if request.method == "POST":
        if form.is_valid():
            services.preferences_save(user=request.user, choices=form.chosen())
            messages.success(request, _("Saved. This is how the desk will tell you from now on."))
            return redirect("notify-preferences")
        return render(request, "notify/preferences.html", {"form": form}, status=422)
    return render(request, "notify/preferences.html", {"form": form})


# A mail client posts the one-click unsubscribe (RFC 8058) with no session
# and no CSRF token: the signed token in the address is the authority, and
# it can only turn mail off.
@csrf_exempt
@require_http_methods(["GET", "POST"])
def unsubscribe(request, token):
    if request.method == "GET":
        # A mail scanner follows links: a GET only asks.
        return render(request, "notify/unsubscribe.html", {"token": token})
    try:
        _user, kinds = services.unsubscribe(token=token)
    except services.BadToken:
        return render(request, "notify/unsubscribe.html", {"bad": True}, status=400)
    # A digest's link stops every kind: said so, not listed (the list would
    # name kinds the member never hears of).
    labels = [Kind(kind).label for kind in kinds] if len(kinds) == 1 else []
    return render(request, "notify/unsubscribe.html", {"done": True, "kinds": labels})
