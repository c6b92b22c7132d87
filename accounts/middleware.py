import zoneinfo
from urllib.parse import unquote

from django.utils import timezone, translation

from .models import known_time_zones


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
