"""POST to an address an admin typed in, without letting it reach the desk's
own network.

A webhook URL is a request the desk makes on someone's say-so, from inside
its network. So the host must resolve to public addresses only, both when the
form saves it and again at each send (a DNS answer may change in between: DNS
rebinding); the connection goes to the very address that was vetted; a
redirect is never followed (it could point anywhere); the whole exchange has
one deadline; and only a small part of the answer is read.

The URL's path and query carry the platforms' tokens (WeCom's key, Slack's and
Discord's webhook paths, Telegram's bot token), so no message here names more
than the host, and nothing here logs.
"""

import contextlib
import http.client
import ipaddress
import socket
import ssl
import threading
import time
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime
from urllib.parse import urlsplit

from django.conf import settings
from django.utils.translation import gettext as _

from notify.message import PermanentError, TransientError

Address = ipaddress.IPv4Address | ipaddress.IPv6Address
USER_AGENT = "issue-desk-notify/1"

# Written out rather than left to `is_global` alone: Python's own tables miss
# some (multicast, ::a.b.c.d and NAT64 count as global) and changed in 3.12.4.
REFUSED_NETWORKS = [
    ipaddress.ip_network(network)
    for network in (
        "0.0.0.0/8",  # "this network", 0.0.0.0 reaches the local host
        "10.0.0.0/8",
        "100.64.0.0/10",  # carrier-grade NAT; Alibaba Cloud's metadata too
        "127.0.0.0/8",
        "169.254.0.0/16",  # link-local: cloud metadata lives here
        "172.16.0.0/12",
        "192.0.0.0/24",
        "192.0.2.0/24",  # documentation
        "192.88.99.0/24",  # 6to4 relays
        "192.168.0.0/16",
        "198.18.0.0/15",  # benchmarking
        "198.51.100.0/24",  # documentation
        "203.0.113.0/24",  # documentation
        "224.0.0.0/4",  # multicast
        "240.0.0.0/4",  # reserved, and broadcast
        "::/8",  # unspecified, loopback, IPv4-compatible, other reserved
        "100::/64",  # discard
        "2001::/23",  # protocol assignments, Teredo
        "2001:db8::/32",  # documentation
        "3fff::/20",  # documentation
        "fc00::/7",  # unique local
        "fe80::/10",  # link-local
        "fec0::/10",  # old site-local
        "ff00::/8",  # multicast
    )
]
# Refused even when NOTIFY_WEBHOOK_ALLOW_PRIVATE lets bots live on the LAN:
# no bot lives at a cloud's metadata service, and a request there may answer
# with the machine's credentials.
METADATA_NETWORKS = [
    ipaddress.ip_network(network)
    for network in ("169.254.0.0/16", "100.100.100.200/32", "fd00:ec2::254/128", "fe80::/10")
]
_NAT64 = ipaddress.ip_network("64:ff9b::/96")


class URLRefused(ValueError):
    """A webhook URL the desk will not send to; the message says why, for the
    form, naming at most the host."""


def _unwrap(address: Address) -> Address:
    """The IPv4 address an IPv6 one stands for (mapped, 6to4, NAT64), since
    that is where the packets end up."""
    if isinstance(address, ipaddress.IPv6Address):
        if address.ipv4_mapped:
            return address.ipv4_mapped
        if address.sixtofour:
            return address.sixtofour
        if address in _NAT64:
            return ipaddress.IPv4Address(int(address) & 0xFFFFFFFF)
    return address


def is_public_address(text: str) -> bool:
    """Whether `text` (an IP address) is on the public internet: not
    loopback, private, link-local, shared, reserved, multicast or for
    documentation, also when written as IPv4 inside IPv6."""
    address = _unwrap(ipaddress.ip_address(text))
    if any(address in network for network in REFUSED_NETWORKS):
        return False
    return address.is_global and not address.is_multicast


def is_metadata_address(text: str) -> bool:
    address = _unwrap(ipaddress.ip_address(text))
    return any(address in network for network in METADATA_NETWORKS)


def _allowed(text: str) -> bool:
    if is_metadata_address(text):
        return False
    return settings.NOTIFY_WEBHOOK_ALLOW_PRIVATE or is_public_address(text)


@dataclass(frozen=True)
class _Target:
    scheme: str
    host: str
    port: int
    path: str  # with the query: never put into a message


def _parse(url: str) -> _Target:
    try:
        parts = urlsplit(url.strip())
        port = parts.port
    except ValueError:
        raise URLRefused(_("This is not a web address.")) from None
    scheme = parts.scheme.lower()
    https_only = settings.NOTIFY_WEBHOOK_HTTPS_ONLY
    if scheme != "https" and (https_only or scheme != "http"):
        if https_only:
            raise URLRefused(_("The address must start with https://."))
        raise URLRefused(_("The address must start with https:// or http://."))
    host = parts.hostname
    if not host:
        raise URLRefused(_("The address has no host name."))
    if parts.username is not None or parts.password is not None:
        raise URLRefused(_("Put no user name or password in the address."))
    path = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
    return _Target(scheme, host, port or (443 if scheme == "https" else 80), path)


def _literal(host: str) -> str | None:
    try:
        return str(ipaddress.ip_address(host))
    except ValueError:
        return None


def _check(host: str, addresses: Iterable[str]) -> None:
    for address in addresses:
        if not _allowed(address):
            raise URLRefused(
                _(
                    "%(host)s points to %(address)s, an address on a private or "
                    "reserved network; the desk sends only to public addresses."
                )
                % {"host": host, "address": address}
            )


def _resolve(target: _Target) -> list[tuple[socket.AddressFamily, tuple]]:
    """Every address the host has now, as (family, socket address); an IP
    literal answers for itself without asking DNS."""
    infos = socket.getaddrinfo(target.host, target.port, type=socket.SOCK_STREAM)
    unique = {info[4]: info[0] for info in infos}
    return [(family, sockaddr) for sockaddr, family in unique.items()]


def check_url(url: str) -> None:
    """Raise URLRefused if the desk would not send to `url`: for the form
    that saves a bot, so the admin hears it at once, not at the first send."""
    target = _parse(url)
    literal = _literal(target.host)
    if literal is not None:
        _check(target.host, [literal])
        return
    try:
        resolved = _resolve(target)
    except (OSError, UnicodeError):
        raise URLRefused(
            _("%(host)s could not be found: no DNS answer.") % {"host": target.host}
        ) from None
    _check(target.host, [sockaddr[0] for _family, sockaddr in resolved])


class Headers(Mapping[str, str]):
    """Response headers, looked up without regard to case."""

    def __init__(self, pairs: Iterable[tuple[str, str]] = ()) -> None:
        self._values = {name.lower(): value for name, value in pairs}

    def __getitem__(self, name: str) -> str:
        return self._values[name.lower()]

    def __iter__(self) -> Iterator[str]:
        return iter(self._values)

    def __len__(self) -> int:
        return len(self._values)


@dataclass(frozen=True)
class Response:
    status: int
    reason: str
    headers: Headers
    body: bytes  # at most NOTIFY_WEBHOOK_MAX_BODY bytes of it
    host: str  # who answered, for messages: the URL's only part that is not secret

    @property
    def summary(self) -> str:
        """The status as an admin reads it on /jobs/: "200 OK", "204"."""
        return f"{self.status} {self.reason}".strip()


class _PinnedHTTPConnection(http.client.HTTPConnection):
    """Connects to the addresses vetted a moment ago, not to whatever the
    host name resolves to by now; the name still goes in the Host header."""

    def __init__(
        self, target: _Target, addresses: list[tuple[socket.AddressFamily, tuple]], deadline: float
    ) -> None:
        super().__init__(target.host, target.port, timeout=deadline - time.monotonic())
        self._addresses = addresses
        self._deadline = deadline
        # Kept after http.client lets go of self.sock (it does once an answer
        # says Connection: close), so the deadline can still shut it.
        self.opened: socket.socket | None = None

    def _open_socket(self) -> socket.socket:
        failure: OSError = ConnectionRefusedError()
        for family, sockaddr in self._addresses:
            sock = socket.socket(family, socket.SOCK_STREAM)
            try:
                sock.settimeout(max(self._deadline - time.monotonic(), 0.001))
                sock.connect(sockaddr)
            except OSError as error:
                sock.close()
                failure = error
                continue
            sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
            return sock
        raise failure

    def connect(self) -> None:
        self.sock = self.opened = self._open_socket()


class _PinnedHTTPSConnection(_PinnedHTTPConnection):
    default_port = http.client.HTTPS_PORT

    def connect(self) -> None:
        # The certificate is checked against the host name, as the admin typed it.
        context = ssl.create_default_context()
        self.sock = self.opened = context.wrap_socket(
            self._open_socket(), server_hostname=self.host
        )


def retry_after_seconds(value: str | None) -> float | None:
    """Retry-After as seconds from now: it is either seconds or an HTTP date."""
    if not value:
        return None
    value = value.strip()
    try:
        return max(float(value), 0.0)
    except ValueError:
        pass
    try:
        when = parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    return max((when - datetime.now(UTC)).total_seconds(), 0.0)


def raise_for_status(response: Response) -> None:
    """The usual meaning of an HTTP status, for answers a platform did not
    explain in its own words: 2xx is delivered, 429 and 5xx are worth
    another try, the rest is not."""
    if 200 <= response.status < 300:
        return
    words = {"host": response.host, "status": response.summary}
    if response.status == 429:
        raise TransientError(
            _("%(host)s answered %(status)s: too many messages for now.") % words,
            retry_after=retry_after_seconds(response.headers.get("Retry-After")),
        )
    if response.status >= 500 or response.status == 408:
        raise TransientError(_("%(host)s answered %(status)s.") % words)
    raise PermanentError(_("%(host)s answered %(status)s.") % words)


def post_json(
    url: str, body: bytes, *, headers: dict[str, str], timeout: float | None = None
) -> Response:
    """POST `body` to `url` and return the answer, whatever its status (a
    platform explains its errors in the body; `raise_for_status` gives the
    plain meaning). Raises PermanentError for an address the desk does not
    send to and for a redirect, TransientError when the receiver could not be
    reached or did not answer within `timeout` seconds (connect, send and
    read together; NOTIFY_WEBHOOK_TIMEOUT by default)."""
    seconds = settings.NOTIFY_WEBHOOK_TIMEOUT if timeout is None else timeout
    deadline = time.monotonic() + seconds
    try:
        target = _parse(url)
    except URLRefused as error:
        raise PermanentError(str(error)) from None
    host = target.host
    try:
        addresses = _resolve(target)
    except (OSError, UnicodeError):
        raise TransientError(
            _("%(host)s could not be found: no DNS answer.") % {"host": host}
        ) from None
    try:
        _check(host, [sockaddr[0] for _family, sockaddr in addresses])
    except URLRefused as error:
        raise PermanentError(str(error)) from None

    kind = _PinnedHTTPSConnection if target.scheme == "https" else _PinnedHTTPConnection
    connection = kind(target, addresses, deadline)
    # A socket timeout bounds each wait, not their sum: a receiver dripping a
    # byte at a time could hold the worker for ever. At the deadline the
    # socket is shut, which ends whatever read is waiting.
    cut = threading.Event()

    def cut_off() -> None:
        cut.set()
        if connection.opened is not None:
            with contextlib.suppress(OSError):
                connection.opened.shutdown(socket.SHUT_RDWR)

    timer = threading.Timer(seconds, cut_off)
    timer.daemon = True
    timer.start()
    try:
        connection.request(
            "POST",
            target.path,
            body=body,
            headers={"Content-Type": "application/json", "User-Agent": USER_AGENT, **headers},
        )
        answer = connection.getresponse()
        content = (
            b"" if 300 <= answer.status < 400 else answer.read(settings.NOTIFY_WEBHOOK_MAX_BODY)
        )
        if cut.is_set():
            # The shut socket reads as the end of the answer; it was not.
            raise TimeoutError
        response = Response(
            status=answer.status,
            reason=answer.reason,
            headers=Headers(answer.getheaders()),
            body=content,
            host=host,
        )
    except ssl.SSLCertVerificationError as error:
        raise PermanentError(
            _("The certificate of %(host)s was not accepted: %(reason)s.")
            % {"host": host, "reason": error.verify_message}
        ) from None
    except (OSError, http.client.HTTPException) as error:
        if cut.is_set() or isinstance(error, TimeoutError):
            raise TransientError(
                _("%(host)s did not answer within %(seconds)s seconds.")
                % {"host": host, "seconds": f"{seconds:g}"}
            ) from None
        raise TransientError(
            _("Could not reach %(host)s: %(reason)s.")
            % {"host": host, "reason": getattr(error, "strerror", None) or type(error).__name__}
        ) from None
    finally:
        timer.cancel()
        connection.close()

    if 300 <= response.status < 400:
        location = response.headers.get("Location", "")
        try:
            elsewhere = urlsplit(location).hostname or host
        except ValueError:
            elsewhere = "?"
        raise PermanentError(
            _("%(host)s answered with a redirect (to %(elsewhere)s); redirects are not followed.")
            % {"host": host, "elsewhere": elsewhere}
        )
    return response
