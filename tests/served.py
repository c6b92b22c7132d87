"""Speaking HTTP to the servers the tests start, as different people would.

Every visitor connects from a loopback address of its own (127.0.0.0/8 is
all this machine's), so a server sees distinct clients exactly as it would on
a network, and a test can tell which address the server believed.
"""

import os
import shlex
import subprocess
import sys

import httpx
from django.contrib.auth.hashers import PBKDF2SHA1PasswordHasher
from django.urls import reverse

from tests.e2e.asgi_server import ROOT, AsgiServer
from tests.factories import PASSWORD

TIMEOUT = 10.0


class Visitor:
    """One person's HTTP client: its own source address and cookies."""

    def __init__(self, url: str, *, address: str, host: str | None = None) -> None:
        self.http = httpx.Client(
            base_url=url,
            transport=httpx.HTTPTransport(local_address=address),
            headers={"Host": host} if host else {},
            timeout=TIMEOUT,
        )

    def csrf_token(self) -> str:
        if "csrftoken" not in self.http.cookies:
            self.http.get(reverse("accounts:login")).raise_for_status()
        return self.http.cookies["csrftoken"]

    def log_in(self, alias: str, password: str = PASSWORD, **headers: str) -> int:
        """The login form's answer: 302 logged in, 422 refused, 429 locked out."""
        response = self.http.post(
            reverse("accounts:login"),
            data={
                "username": alias,
                "password": password,
                "csrfmiddlewaretoken": self.csrf_token(),
            },
            headers=headers,
        )
        return response.status_code

    def cookie_header(self) -> str:
        """The cookies as a header, for another client of the same person
        talking to another server (the jar keeps them per host)."""
        return "; ".join(f"{name}={value}" for name, value in self.http.cookies.items())

    def close(self) -> None:
        self.http.close()


def make_run_command(port: int) -> list[str]:
    """uvicorn's command line as `make run` runs it (`make -n` prints it)."""
    env = {
        name: value
        for name, value in os.environ.items()
        # The Makefile's own defaults, not those of a make that runs pytest.
        if name not in {"FORWARDED_ALLOW_IPS", "MAKEFLAGS", "MAKELEVEL", "MFLAGS"}
    }
    printed = subprocess.run(
        ["make", "-n", "-s", "--no-print-directory", "run", f"PORT={port}"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        check=True,
        timeout=30,
    ).stdout
    line = next(line for line in printed.splitlines() if "talk.asgi:application" in line)
    program, *args = shlex.split(line)
    assert program.endswith("/uvicorn"), line
    return [sys.executable, "-m", "uvicorn", *args]


class MakeRunServer(AsgiServer):
    """The desk served as `make run` serves it, on the test database."""

    def command(self) -> list[str]:
        return make_run_command(self.port)


def give_served_password(user, password: str = PASSWORD) -> None:
    """A password the server process can check, quickly. The tests hash with
    MD5, which a server with the production hashers refuses. It accepts
    PBKDF2-SHA1 (one of them, not the preferred one) of few iterations, and
    refuses a wrong password for it in a millisecond: Django pads a wrong
    guess to the preferred hasher's full time only for that hasher's hashes."""
    hasher = PBKDF2SHA1PasswordHasher()
    user.password = hasher.encode(password, hasher.salt(), iterations=1000)
    user.save(update_fields=["password"])
