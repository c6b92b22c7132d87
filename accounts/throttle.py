"""Login throttling (django-axes): whose address a login comes from, and the
limits it meets.

The client's address is established once, by the server: uvicorn sets it from
the socket, or from X-Forwarded-For only on connections from the proxy named
in FORWARDED_ALLOW_IPS. Nothing here reads a forwarded header again.
"""

from axes.attempts import get_cool_off_threshold
from axes.handlers.database import AxesDatabaseHandler
from axes.helpers import get_client_username, get_failure_limit
from axes.models import AccessAttempt
from django.conf import settings
from django.db.models import Sum
from django.http import HttpRequest


def client_address(request: HttpRequest) -> str | None:
    """REMOTE_ADDR as the server set it. Axes would read X-Forwarded-For
    itself (through django-ipware) if that package were ever installed.
    None for a request made up in code (Client.force_login's)."""
    return request.META.get("REMOTE_ADDR")


class AliasAndAddressHandler(AxesDatabaseHandler):
    """Axes' database handler with a second, larger limit per alias.

    Axes counts failures per alias and address (AXES_FAILURE_LIMIT). A
    guesser with many addresses would get that many guesses from each, so
    failures for an alias from all addresses together meet
    AXES_ALIAS_FAILURE_LIMIT within the same cool-off.
    """

    def get_failures(self, request: HttpRequest, credentials: dict | None = None) -> int:
        failures = super().get_failures(request, credentials)
        limit = get_failure_limit(request, credentials)
        if failures < limit and self._alias_failures(request, credentials) >= (
            settings.AXES_ALIAS_FAILURE_LIMIT
        ):
            # Axes locks when this count reaches AXES_FAILURE_LIMIT.
            return limit
        return failures

    def _alias_failures(self, request: HttpRequest, credentials: dict | None) -> int:
        alias = get_client_username(request, credentials)
        if not alias:
            return 0
        recent = AccessAttempt.objects.filter(
            username=alias, attempt_time__gte=get_cool_off_threshold(request)
        )
        return recent.aggregate(total=Sum("failures_since_start"))["total"] or 0
