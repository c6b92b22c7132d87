"""The desk's own middleware: /healthz before the host checks, and each
viewer's language and time zone."""

import zoneinfo
from urllib.parse import unquote

from asgiref.sync import iscoroutinefunction, sync_to_async
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.decorators import sync_and_async_middleware

from accounts.models import known_time_zones

from .views.public import healthz


@sync_and_async_middleware
def healthz_first(get_response):
    """Answer /healthz before anything checks the Host header or redirects
    to HTTPS. A container's health check asks on 127.0.0.1 over plain HTTP,
    whatever ALLOWED_HOSTS and SECURE_SSL_REDIRECT say; the answer ("ok" or
    "database unavailable") names no host and links nowhere, so skipping
    those checks for it gives nothing away. First in MIDDLEWARE."""
    path = reverse("healthz")

    if iscoroutinefunction(get_response):

        async def middleware(request):
            if request.path_info == path:
                return await sync_to_async(healthz)(request)
            return await get_response(request)

    else:

        def middleware(request):
            if request.path_info == path:
                return healthz(request)
            return get_response(request)

    return middleware


def _zone(name: str) -> zoneinfo.ZoneInfo | None:
    # Only names from the list reach ZoneInfo: the cookie is whatever the
    # client sends, and some odd keys make ZoneInfo recurse until it fails.
    if name not in known_time_zones():
        return None
    return zoneinfo.ZoneInfo(name)


class PreferencesMiddleware:
    """Show the site in the member's language and time zone.

    A member's saved preferences win; visitors get the time zone their browser
    reported in the `tz` cookie (set by desk.js) and the language that
    LocaleMiddleware picked.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = request.user
        if user.is_authenticated and user.language:
            translation.activate(user.language)
            request.LANGUAGE_CODE = user.language
        # desk.js writes the cookie with encodeURIComponent ("Asia%2FShanghai").
        browser_zone = unquote(request.COOKIES.get("tz", ""))
        zone = _zone((user.is_authenticated and user.time_zone) or browser_zone)
        if zone:
            timezone.activate(zone)
        else:
            timezone.deactivate()
        return self.get_response(request)
