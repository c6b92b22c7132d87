"""A real HTTP receiver on 127.0.0.1, for tests of anything the desk posts
(chat bots, webhooks) or any other outbound HTTP.

    with Receiver() as receiver:
        receiver.answer(Answer(status=500), Answer(status=200, body=b"ok"))
        ...post to f"{receiver.url}/some/path?key=k"...
        assert receiver.requests[0].json() == {...}

It records every request (method, path, query, headers, body) in
`receiver.requests` and answers them with the scripted answers in turn, then
with `receiver.default` (200, empty) once they run out. An answer may wait
before it starts (`delay`, for timeouts), trickle its body (`drip`), redirect
(status 3xx with a Location header) or be huge (a large `body`: how much of it
went out before the client hung up is in `Received.bytes_sent`). Given a
certificate, it speaks https.

The `receiver` fixture (tests/notify/conftest.py) starts one per test and
lets the desk send to loopback (NOTIFY_WEBHOOK_ALLOW_PRIVATE) over plain http.
"""

import json
import ssl
import threading
import time
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlsplit


@dataclass(frozen=True)
class Answer:
    status: int = 200
    body: bytes = b""
    headers: dict[str, str] = field(default_factory=dict)
    delay: float = 0.0  # seconds before the status line
    drip: float = 0.0  # seconds between chunks of the body
    chunk: int = 64 * 1024  # bytes written at a time

    @classmethod
    def json(cls, data: Any, status: int = 200, **options: Any) -> "Answer":
        headers = {"Content-Type": "application/json", **options.pop("headers", {})}
        return cls(status=status, body=json.dumps(data).encode(), headers=headers, **options)


@dataclass
class Received:
    method: str
    path: str  # without the query
    query: dict[str, list[str]]
    raw_query: str
    headers: dict[str, str]  # names lower-cased
    body: bytes
    bytes_sent: int = 0  # of the answer's body, before the client hung up or it ended
    finished: bool = False  # the whole answer went out
    # Set once the receiver is done with the request, whole or cut short.
    answered: threading.Event = field(default_factory=threading.Event, repr=False)

    def json(self) -> Any:
        return json.loads(self.body)


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server: "_Server"

    def _serve(self) -> None:
        receiver = self.server.receiver
        length = int(self.headers.get("Content-Length") or 0)
        parts = urlsplit(self.path)
        received = Received(
            method=self.command,
            path=parts.path,
            query=parse_qs(parts.query, keep_blank_values=True),
            raw_query=parts.query,
            headers={name.lower(): value for name, value in self.headers.items()},
            body=self.rfile.read(length),
        )
        answer = receiver.next_answer(received)
        try:
            self._answer(answer, received)
        finally:
            received.answered.set()
        self.close_connection = True

    def _answer(self, answer: Answer, received: Received) -> None:
        if answer.delay and self.server.receiver.stopping.wait(answer.delay):
            return
        try:
            self.send_response(answer.status)
            for name, value in answer.headers.items():
                self.send_header(name, value)
            self.send_header("Content-Length", str(len(answer.body)))
            self.send_header("Connection", "close")
            self.end_headers()
            for start in range(0, len(answer.body), answer.chunk):
                if answer.drip and start and self.server.receiver.stopping.wait(answer.drip):
                    return
                piece = answer.body[start : start + answer.chunk]
                self.wfile.write(piece)
                self.wfile.flush()
                received.bytes_sent += len(piece)
            received.finished = True
        except OSError:
            # The client hung up: what it cut short is the point of some tests.
            pass

    do_POST = do_GET = do_PUT = do_DELETE = _serve

    def log_message(self, format: str, *args: Any) -> None:
        pass


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    receiver: "Receiver"

    def handle_error(self, request: Any, client_address: Any) -> None:
        # A client that hangs up mid-request is what several tests do.
        pass


class Receiver:
    def __init__(self, host: str = "127.0.0.1", *, certificate: tuple[str, str] | None = None):
        """`certificate`: (certificate file, key file) in PEM, to speak https."""
        self.server = _Server((host, 0), _Handler)
        self.server.receiver = self
        self.host, self.port = self.server.server_address[:2]
        scheme = "http"
        if certificate:
            context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
            context.load_cert_chain(*certificate)
            self.server.socket = context.wrap_socket(self.server.socket, server_side=True)
            scheme = "https"
        self.url = f"{scheme}://{self.host}:{self.port}"
        self.requests: list[Received] = []
        self.default = Answer()
        self.stopping = threading.Event()
        self._answers: list[Answer] = []
        self._lock = threading.Lock()
        # A short poll, so that stopping (at each test's end) is quick.
        self._thread = threading.Thread(
            target=self.server.serve_forever, kwargs={"poll_interval": 0.02}, daemon=True
        )

    def answer(self, *answers: Answer) -> None:
        """Answer the next requests with these, in turn."""
        with self._lock:
            self._answers.extend(answers)

    def next_answer(self, received: Received) -> Answer:
        with self._lock:
            self.requests.append(received)
            return self._answers.pop(0) if self._answers else self.default

    def wait_for(self, count: int, timeout: float = 5.0) -> list[Received]:
        """The requests once there are `count` of them (a sender in another
        thread or process may not be done yet)."""
        deadline = time.monotonic() + timeout
        while len(self.requests) < count and time.monotonic() < deadline:
            time.sleep(0.01)
        return self.requests

    def start(self) -> "Receiver":
        self._thread.start()
        return self

    def stop(self) -> None:
        self.stopping.set()
        self.server.shutdown()
        self.server.server_close()
        self._thread.join()

    def __enter__(self) -> "Receiver":
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()
