"""A real server for a benchmark: uvicorn on a free port of 127.0.0.1, on the
benchmark's throwaway test database, started as production starts it."""

import contextlib
import logging
import os
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import quote

import httpx
from django.db import connection

ROOT = Path(__file__).resolve().parent.parent
# The settings log at INFO; httpx would narrate every /healthz poll.
logging.getLogger("httpx").setLevel(logging.WARNING)
# Every wait is bounded: a server that does not start or stop fails the run.
START_TIMEOUT = 30.0
STOP_TIMEOUT = 10.0


def database_url() -> str:
    """The benchmark's database (its test database, once made) as a URL."""
    db = connection.settings_dict
    auth = quote(db["USER"], safe="") + (
        ":" + quote(db["PASSWORD"], safe="") if db["PASSWORD"] else ""
    )
    port = f":{db['PORT']}" if db["PORT"] else ""
    return f"postgres://{auth}@{quote(db['HOST'], safe='')}{port}/{quote(db['NAME'], safe='')}"


def log_lines(log) -> list[str]:
    log.flush()
    log.seek(0)
    return log.read().decode(errors="replace").splitlines()


def log_tail(log, lines: int = 30) -> str:
    return "\n".join(log_lines(log)[-lines:])


@contextlib.contextmanager
def serving(log, *, env: dict | None = None, workers: int = 1) -> Iterator[tuple[int, int]]:
    """A server on a free port; (pid, port). `env` adds to the benchmark's
    environment (its settings module, Redis)."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    env = {
        **os.environ,
        "DATABASE_URL": database_url(),
        "STATIC_MANIFEST": "0",
        "DEBUG": "0",
        "LOG_LEVEL": "WARNING",
        **(env or {}),
    }
    env.pop("TEST_DATABASE_NAME", None)
    command = [sys.executable, "-m", "uvicorn", "talk.asgi:application", "--host", "127.0.0.1"]
    command += ["--port", str(port), "--no-access-log", "--log-level", "warning"]
    if workers > 1:
        command += ["--workers", str(workers)]
    # A session of its own: Ctrl-C reaches the benchmark, which stops the server.
    server = subprocess.Popen(
        command, cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True
    )
    try:
        deadline = time.monotonic() + START_TIMEOUT
        while True:
            if server.poll() is not None:
                raise RuntimeError(f"the server exited ({server.returncode}):\n{log_tail(log)}")
            with contextlib.suppress(httpx.HTTPError):
                if httpx.get(f"http://127.0.0.1:{port}/healthz", timeout=1).status_code == 200:
                    break
            if time.monotonic() > deadline:
                raise RuntimeError(f"the server did not answer /healthz:\n{log_tail(log)}")
            time.sleep(0.1)
        yield server.pid, port
    finally:
        server.terminate()
        try:
            server.wait(STOP_TIMEOUT)
        except subprocess.TimeoutExpired:
            server.kill()
            server.wait()
