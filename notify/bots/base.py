"""What every platform module offers, and the helpers they share."""

import json
from dataclasses import dataclass
from typing import Any, Protocol

from django.utils.translation import gettext as _

from notify.http import Response
from notify.message import Message, PermanentError

# A platform's own words in an error are cut to this many characters.
PLATFORM_WORDS = 200


@dataclass(frozen=True)
class Spec:
    """What the form that saves a bot asks for."""

    takes_secret: bool  # a signing key or a token
    needs_secret: bool  # ...without which nothing can be sent
    needs_chat_id: bool
    default_url: str = ""  # filled in for the admin
    example_url: str = ""  # shown as the field's placeholder


class Transport(Protocol):
    SPEC: Spec

    def request(
        self, url: str, secret: str, chat_id: str, message: Message, now: float
    ) -> tuple[str, bytes, dict[str, str]]:
        """The URL to post to, the body and the headers for `message`, signed
        at `now` (Unix seconds) where the platform signs."""

    def interpret(self, response: Response) -> str:
        """A short description of a delivered answer ("200 OK"); raise
        TransientError or PermanentError for any other."""


def dumps(data: object) -> bytes:
    return json.dumps(data, ensure_ascii=False, separators=(",", ":")).encode()


def answer_json(response: Response) -> Any:
    """The answer's JSON, or None when it is not JSON (a proxy's error page)."""
    try:
        return json.loads(response.body)
    except ValueError:
        return None


def answer_object(response: Response) -> dict[str, Any]:
    """The answer's JSON object, for a platform that always sends one."""
    data = answer_json(response)
    if not isinstance(data, dict):
        raise PermanentError(
            _("%(host)s answered %(status)s, but not in the platform's format.")
            % {"host": response.host, "status": response.summary}
        )
    return data


def platform_words(value: object) -> str:
    return str(value)[:PLATFORM_WORDS]
