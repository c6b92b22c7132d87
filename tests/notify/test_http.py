import re
import socket
import ssl
import time
from datetime import UTC, datetime, timedelta
from email.utils import format_datetime
from pathlib import Path

import pytest

from notify.http import (
    URLRefused,
    check_url,
    is_public_address,
    post_json,
    raise_for_status,
    retry_after_seconds,
)
from notify.message import PermanentError, TransientError

from .receivers import Answer, Receiver

REFUSED = [
    "127.0.0.1",
    "127.255.0.9",
    "::1",
    "10.0.0.1",
    "172.16.0.1",
    "172.31.255.254",
    "192.168.1.1",
    "fc00::1",
    "fd12:3456::1",
    "169.254.0.1",
    "169.254.169.254",  # cloud metadata
    "fd00:ec2::254",  # AWS metadata over IPv6
    "100.100.100.200",  # Alibaba Cloud metadata
    "fe80::1",
    "100.64.0.1",  # carrier-grade NAT
    "0.0.0.0",
    "::",
    "224.0.0.1",
    "239.255.255.250",
    "ff02::1",
    "240.0.0.1",
    "255.255.255.255",
    "198.18.0.1",  # benchmarking
    "192.0.2.1",  # documentation
    "198.51.100.7",
    "203.0.113.9",
    "2001:db8::1",
    "::ffff:127.0.0.1",  # IPv4-mapped
    "::ffff:10.0.0.1",
    "::ffff:169.254.169.254",
    "::127.0.0.1",  # IPv4-compatible, long deprecated
    "2002:7f00:1::1",  # 6to4 of 127.0.0.1
    "2002:a00:1::1",  # 6to4 of 10.0.0.1
    "64:ff9b::7f00:1",  # NAT64 of 127.0.0.1
    "64:ff9b::a9fe:a9fe",  # NAT64 of 169.254.169.254
    "2001::1",  # Teredo
]
ALLOWED = [
    "1.1.1.1",
    "8.8.8.8",
    "203.0.114.1",
    "2606:4700:4700::1111",
    "2001:4860:4860::8888",
    "::ffff:1.1.1.1",
    "64:ff9b::101:101",  # NAT64 of 1.1.1.1
]


@pytest.fixture
def no_dns(monkeypatch):
    """IP literals must be judged without asking DNS."""

    def refuse(*args, **kwargs):
        raise AssertionError("DNS was asked")

    monkeypatch.setattr(socket, "getaddrinfo", refuse)


def url_for(address: str, scheme: str = "https") -> str:
    host = f"[{address}]" if ":" in address else address
    return f"{scheme}://{host}/hook?key=sekrit"


@pytest.mark.parametrize("address", REFUSED)
def test_it_refuses_addresses_off_the_public_internet(address, no_dns):
    assert not is_public_address(address)
    with pytest.raises(URLRefused) as refused:
        check_url(url_for(address))
    assert "sekrit" not in str(refused.value)


@pytest.mark.parametrize("address", ALLOWED)
def test_it_allows_public_addresses(address, no_dns):
    assert is_public_address(address)
    check_url(url_for(address))


def test_it_lets_a_lan_desk_reach_private_addresses_but_never_metadata(settings, no_dns):
    settings.NOTIFY_WEBHOOK_ALLOW_PRIVATE = True
    check_url(url_for("192.168.1.20"))
    check_url(url_for("127.0.0.1"))
    for metadata in (
        "169.254.169.254",
        "fd00:ec2::254",
        "100.100.100.200",
        "::ffff:169.254.169.254",
    ):
        with pytest.raises(URLRefused):
            check_url(url_for(metadata))


def test_it_wants_https_when_the_setting_says_so(settings, no_dns):
    settings.NOTIFY_WEBHOOK_HTTPS_ONLY = True
    with pytest.raises(URLRefused, match="https://"):
        check_url(url_for("1.1.1.1", scheme="http"))
    settings.NOTIFY_WEBHOOK_HTTPS_ONLY = False
    check_url(url_for("1.1.1.1", scheme="http"))


@pytest.mark.parametrize(
    "url",
    [
        "ftp://1.1.1.1/",
        "file:///etc/passwd",
        "https:///no-host",
        "https://user:pw@1.1.1.1/",
        "https://1.1.1.1:notaport/",
        "not a url",
    ],
)
def test_it_refuses_what_is_not_a_web_address(url, settings, no_dns):
    settings.NOTIFY_WEBHOOK_HTTPS_ONLY = False
    with pytest.raises(URLRefused):
        check_url(url)


def fake_dns(monkeypatch, name: str, *answers: str) -> list[str]:
    """Resolve `name` to each answer in turn (the last one for ever after),
    leaving every other name (and IP literals) to the real resolver. Returns
    the list of names asked, in order."""
    real = socket.getaddrinfo
    remaining = list(answers)
    asked: list[str] = []

    def getaddrinfo(host, port, *args, **kwargs):
        if host != name:
            return real(host, port, *args, **kwargs)
        asked.append(host)
        address = remaining.pop(0) if len(remaining) > 1 else remaining[0]
        family = socket.AF_INET6 if ":" in address else socket.AF_INET
        sockaddr = (address, port, 0, 0) if family == socket.AF_INET6 else (address, port)
        return [(family, socket.SOCK_STREAM, 6, "", sockaddr)]

    monkeypatch.setattr(socket, "getaddrinfo", getaddrinfo)
    return asked


def test_it_resolves_names_when_the_form_saves_them(monkeypatch):
    fake_dns(monkeypatch, "hooks.example.test", "10.1.2.3")
    with pytest.raises(URLRefused, match=re.escape("hooks.example.test")):
        check_url("https://hooks.example.test/x")


def test_it_says_so_when_a_name_does_not_resolve(monkeypatch):
    def unknown(*args, **kwargs):
        raise socket.gaierror(socket.EAI_NONAME, "Name or service not known")

    monkeypatch.setattr(socket, "getaddrinfo", unknown)
    with pytest.raises(URLRefused, match="could not be found"):
        check_url("https://nowhere.example.test/x")


def test_it_resolves_again_at_send_time_against_dns_rebinding(receiver, settings, monkeypatch):
    settings.NOTIFY_WEBHOOK_ALLOW_PRIVATE = False
    fake_dns(monkeypatch, "rebind.example.test", "93.184.216.34", "127.0.0.1")
    url = f"http://rebind.example.test:{receiver.port}/hook?key=sekrit"
    check_url(url)
    with pytest.raises(PermanentError) as refused:
        post_json(url, b"{}", headers={})
    assert "127.0.0.1" in str(refused.value)
    assert "sekrit" not in str(refused.value)
    assert receiver.requests == []


def test_it_connects_to_the_address_it_vetted_and_names_the_host(receiver, monkeypatch):
    # Any later lookup of the name would answer an address nobody listens
    # on: the request arrives only if the vetted address is the one used.
    asked = fake_dns(monkeypatch, "made-up-name.test", "127.0.0.1", "127.0.0.2")
    receiver.answer(Answer(status=200, body=b"ok"))
    response = post_json(
        f"http://made-up-name.test:{receiver.port}/hook?a=1", b'{"x":1}', headers={"X-Test": "y"}
    )
    assert response.status == 200
    assert response.body == b"ok"
    assert asked == ["made-up-name.test"]
    [request] = receiver.requests
    assert request.headers["host"] == f"made-up-name.test:{receiver.port}"
    assert request.path == "/hook"
    assert request.raw_query == "a=1"
    assert request.headers["content-type"] == "application/json"
    assert request.headers["x-test"] == "y"
    assert request.body == b'{"x":1}'


def test_it_refuses_a_name_when_any_of_its_addresses_is_private(receiver, settings, monkeypatch):
    settings.NOTIFY_WEBHOOK_ALLOW_PRIVATE = False
    real = socket.getaddrinfo

    def two_answers(host, port, *args, **kwargs):
        if host != "mixed.example.test":
            return real(host, port, *args, **kwargs)
        return [
            (socket.AF_INET, socket.SOCK_STREAM, 6, "", ("93.184.216.34", port)),
            (socket.AF_INET, socket.SOCK_STREAM, 6, "", ("127.0.0.1", port)),
        ]

    monkeypatch.setattr(socket, "getaddrinfo", two_answers)
    with pytest.raises(PermanentError):
        post_json(f"http://mixed.example.test:{receiver.port}/", b"{}", headers={})
    assert receiver.requests == []


def test_it_gives_up_on_a_receiver_that_does_not_answer_in_time(receiver):
    receiver.answer(Answer(delay=5))
    started = time.monotonic()
    with pytest.raises(TransientError, match=re.escape("did not answer within 0.5 seconds")):
        post_json(f"{receiver.url}/slow", b"{}", headers={}, timeout=0.5)
    assert time.monotonic() - started < 2


def test_it_gives_up_on_a_receiver_that_trickles_its_answer(receiver):
    # Each wait is shorter than the timeout; all of them together are not.
    receiver.answer(Answer(body=b"x" * 20, chunk=1, drip=0.1))
    started = time.monotonic()
    with pytest.raises(TransientError):
        post_json(f"{receiver.url}/drip", b"{}", headers={}, timeout=0.5)
    assert time.monotonic() - started < 1.5


def test_it_reads_the_default_timeout_from_the_settings(receiver, settings):
    settings.NOTIFY_WEBHOOK_TIMEOUT = 0.3
    receiver.answer(Answer(delay=5))
    with pytest.raises(TransientError, match=re.escape("0.3 seconds")):
        post_json(f"{receiver.url}/slow", b"{}", headers={})


def test_it_calls_a_refused_connection_transient(settings):
    settings.NOTIFY_WEBHOOK_ALLOW_PRIVATE = True
    settings.NOTIFY_WEBHOOK_HTTPS_ONLY = False
    with socket.socket() as closed:
        closed.bind(("127.0.0.1", 0))
        port = closed.getsockname()[1]
    with pytest.raises(TransientError, match=re.escape("Could not reach 127.0.0.1")):
        post_json(f"http://127.0.0.1:{port}/", b"{}", headers={})


@pytest.mark.parametrize(
    ("status", "error"),
    [
        (500, TransientError),
        (502, TransientError),
        (503, TransientError),
        (408, TransientError),
        (400, PermanentError),
        (401, PermanentError),
        (404, PermanentError),
        (410, PermanentError),
    ],
)
def test_it_tells_transient_from_permanent_answers(receiver, status, error):
    receiver.answer(Answer(status=status, body=b"no"))
    response = post_json(f"{receiver.url}/hook?token=sekrit", b"{}", headers={})
    assert response.status == status
    with pytest.raises(error) as raised:
        raise_for_status(response)
    assert f"127.0.0.1 answered {status}" in str(raised.value)
    assert "sekrit" not in str(raised.value)
    assert "/hook" not in str(raised.value)


def test_it_passes_on_how_long_a_429_asks_to_wait(receiver):
    receiver.answer(Answer(status=429, headers={"Retry-After": "7"}))
    response = post_json(f"{receiver.url}/hook", b"{}", headers={})
    assert response.headers["retry-after"] == "7"
    with pytest.raises(TransientError) as raised:
        raise_for_status(response)
    assert raised.value.retry_after == 7


def test_it_reads_retry_after_as_seconds_or_a_date():
    assert retry_after_seconds("7") == 7
    assert retry_after_seconds("0.5") == 0.5
    assert retry_after_seconds(None) is None
    assert retry_after_seconds("soon") is None
    later = format_datetime(datetime.now(UTC) + timedelta(seconds=120), usegmt=True)
    assert 110 < retry_after_seconds(later) <= 120
    earlier = format_datetime(datetime.now(UTC) - timedelta(seconds=120), usegmt=True)
    assert retry_after_seconds(earlier) == 0


def test_it_does_not_follow_a_redirect(receiver):
    receiver.answer(Answer(status=302, headers={"Location": "http://127.0.0.1/admin?token=x"}))
    with pytest.raises(PermanentError) as raised:
        post_json(f"{receiver.url}/hook?key=sekrit", b"{}", headers={})
    assert "redirect (to 127.0.0.1)" in str(raised.value)
    assert "token" not in str(raised.value)
    assert "sekrit" not in str(raised.value)
    assert len(receiver.wait_for(1)) == 1


def test_it_reads_no_more_of_an_answer_than_the_limit(receiver, settings):
    settings.NOTIFY_WEBHOOK_MAX_BODY = 1000
    huge = 10 * 1024 * 1024
    receiver.answer(Answer(body=b"x" * huge))
    started = time.monotonic()
    response = post_json(f"{receiver.url}/hook", b"{}", headers={})
    assert response.body == b"x" * 1000
    assert time.monotonic() - started < 2
    # The receiver could not get its answer out: nobody read the rest.
    [request] = receiver.requests
    assert request.answered.wait(5)
    assert not request.finished
    assert request.bytes_sent < huge


def test_it_refuses_at_send_time_what_the_form_would_refuse(settings):
    settings.NOTIFY_WEBHOOK_HTTPS_ONLY = True
    with pytest.raises(PermanentError, match="https://"):
        post_json("http://1.1.1.1/hook?key=sekrit", b"{}", headers={})
    with pytest.raises(PermanentError, match=re.escape("169.254.169.254")):
        post_json("https://169.254.169.254/latest/meta-data/", b"{}", headers={})


# A self-signed certificate for bot.example.test and its key, made once
# (openssl req -x509 -days 36500 -subj /CN=bot.example.test
# -addext subjectAltName=DNS:bot.example.test): test data, trusted by nothing
# but these tests.
TLS = Path(__file__).parent / "tls"


@pytest.fixture
def certificate():
    return str(TLS / "cert.pem"), str(TLS / "key.pem")


@pytest.fixture
def tls_receiver(certificate, settings, monkeypatch):
    settings.NOTIFY_WEBHOOK_ALLOW_PRIVATE = True
    real = ssl.create_default_context
    # Trust the test's certificate, and nothing else, as a real one would be.
    monkeypatch.setattr(ssl, "create_default_context", lambda: real(cafile=certificate[0]))
    with Receiver(certificate=certificate) as running:
        yield running


def test_it_checks_the_certificate_against_the_name_not_the_address(tls_receiver, monkeypatch):
    fake_dns(monkeypatch, "bot.example.test", "127.0.0.1")
    tls_receiver.answer(Answer(body=b"ok"))
    response = post_json(f"https://bot.example.test:{tls_receiver.port}/hook", b"{}", headers={})
    assert response.body == b"ok"
    assert tls_receiver.requests[0].headers["host"] == f"bot.example.test:{tls_receiver.port}"


def test_it_refuses_a_certificate_for_another_name(tls_receiver, monkeypatch):
    fake_dns(monkeypatch, "other.example.test", "127.0.0.1")
    with pytest.raises(PermanentError, match=re.escape("certificate of other.example.test")):
        post_json(f"https://other.example.test:{tls_receiver.port}/hook", b"{}", headers={})
    assert tls_receiver.requests == []
