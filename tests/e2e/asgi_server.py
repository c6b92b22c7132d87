"""A real uvicorn process serving the desk to the browser tests that need the
live stream (pytest-django's live_server is a threaded WSGI server: it cannot
hold Server-Sent Events open).

The process reads the pytest test database, so the tests that use it need
`transactional_db`: it sees committed rows only. It is stopped by its PID,
before pytest-django drops the database (which refuses while it is connected).
"""

import os
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

from django.conf import settings
from django.db import connection
from django.test import Client

from tests.processes import stop

ROOT = Path(__file__).resolve().parents[2]
# Importing Django and the apps takes a second or two on a busy 2-core machine.
START_TIMEOUT = 30.0
STOP_TIMEOUT = 10.0


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def database_url() -> str:
    db = connection.settings_dict
    password = f":{db['PASSWORD']}" if db["PASSWORD"] else ""
    return f"postgres://{db['USER']}{password}@{db['HOST']}:{db['PORT']}/{db['NAME']}"


class AsgiServer:
    """`redis_url` empty: events travel through the process's own broker.
    `env`: more of the server's environment (a test's own settings)."""

    def __init__(
        self, *, redis_url: str, log: Path, port: int | None = None, env: dict | None = None
    ) -> None:
        self.redis_url = redis_url
        self.log = log
        self.extra_env = env or {}
        self.port = port or free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.process: subprocess.Popen | None = None

    def _env(self) -> dict:
        env = {
            **os.environ,
            "DJANGO_SETTINGS_MODULE": "talk.settings",
            "DATABASE_URL": database_url(),
            "REDIS_URL": self.redis_url,
            "DATABASE_CONN_MAX_AGE": "0",
            # The tests post more than a member would in a minute, and the
            # counters of a Redis-backed cache outlive one test run.
            "POSTS_PER_MINUTE": "1000",
            "LOG_LEVEL": "WARNING",
            "PYTHONUNBUFFERED": "1",
            **self.extra_env,
        }
        # Set for the test process's own Playwright loop only: the server
        # must refuse the ORM in async code, as in production.
        env.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)
        return env

    def command(self) -> list[str]:
        return [
            sys.executable,
            "-m",
            "uvicorn",
            "talk.asgi:application",
            "--host",
            "127.0.0.1",
            "--port",
            str(self.port),
            "--no-access-log",
            "--lifespan",
            "off",
        ]

    def start(self) -> "AsgiServer":
        assert self.process is None, "already running"
        with self.log.open("ab") as log:
            self.process = subprocess.Popen(
                self.command(), cwd=ROOT, env=self._env(), stdout=log, stderr=subprocess.STDOUT
            )
        self._wait_until_healthy()
        return self

    def _wait_until_healthy(self) -> None:
        deadline = time.monotonic() + START_TIMEOUT
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"uvicorn exited ({self.process.returncode}):\n{self.tail()}")
            try:
                with urllib.request.urlopen(self.url + "/healthz", timeout=1) as response:
                    if response.status == 200:
                        return
            except (urllib.error.URLError, OSError):
                pass
            time.sleep(0.05)
        self.stop()
        raise RuntimeError(f"uvicorn did not answer /healthz in {START_TIMEOUT} s:\n{self.tail()}")

    def stop(self) -> None:
        """SIGTERM, as a deployment stops it (open streams say "bye"); a kill
        if it does not end in time."""
        process, self.process = self.process, None
        if process is None or process.poll() is not None:
            return
        stop(process, timeout=STOP_TIMEOUT)
        if "Traceback" in self.tail():
            # Shown by pytest with the test's output when the test fails.
            print(f"uvicorn on port {self.port} logged an error:\n{self.tail()}")

    def tail(self, size: int = 4000) -> str:
        return self.log.read_text(errors="replace")[-size:] if self.log.exists() else ""


def log_in_cookie(context, server: AsgiServer, user) -> None:
    """Give a browser context `user`'s session, without the login form (the
    login has tests of its own): one page load fewer per person."""
    client = Client()
    client.force_login(user)
    cookie = client.cookies[settings.SESSION_COOKIE_NAME]
    context.add_cookies(
        [{"name": settings.SESSION_COOKIE_NAME, "value": cookie.value, "url": server.url}]
    )
