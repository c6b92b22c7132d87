"""What every channel sends: one message, composed once per recipient (in
their language, with only what they may read), then shaped by each transport
into its platform's format."""

from dataclasses import dataclass


@dataclass(frozen=True)
class Message:
    kind: str  # the event kind (notify.kinds), for receivers that sort by it
    title: str  # one line of plain text
    text: str  # the body in CommonMark: paragraphs, links, **bold**, "- " lists
    url: str  # absolute link to the place the message is about
    # Stable for one delivery, so a receiver can drop a copy it already has
    # (a worker killed after sending and before recording it sends again).
    key: str


class DeliveryError(Exception):
    """A send that did not reach its receiver; the message says why, in words
    an admin reads on /jobs/ (never a secret or a token)."""

    transient = False
    # Seconds the receiver asked us to wait (429 Retry-After), if it said.
    retry_after: float | None = None

    def __init__(self, message: str, *, retry_after: float | None = None) -> None:
        super().__init__(message)
        self.retry_after = retry_after


class TransientError(DeliveryError):
    """Worth trying again later: a timeout, a 5xx, a 429, a platform's "too
    many messages"."""

    transient = True


class PermanentError(DeliveryError):
    """Trying again changes nothing: a refused address, a 4xx, a wrong key or
    signature."""
