import zoneinfo

from django.utils import timezone, translation


def _zone(name: str) -> zoneinfo.ZoneInfo | None:
    if not name:
        return None
    try:
        return zoneinfo.ZoneInfo(name)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError):
        return None


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
        zone = _zone((user.is_authenticated and user.time_zone) or request.COOKIES.get("tz", ""))
        if zone:
            timezone.activate(zone)
        else:
            timezone.deactivate()
        return self.get_response(request)
