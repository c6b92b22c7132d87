"""Point the test suite at the real stack before Django reads its settings.

Loaded with `-p tests.stack` (pyproject.toml), so it runs before
pytest-django configures Django. When DATABASE_URL or REDIS_URL is unset and
PostgreSQL or Redis answers on its usual local port, the suite uses it: `make
test` on a machine that has them exercises the real stack. With `CI` set both
must answer, and the run stops at once with a clear message otherwise.
"""

import os
import socket

import pytest

SERVICES = {
    "DATABASE_URL": ("PostgreSQL", 5432, "postgres://postgres@127.0.0.1:5432/postgres"),
    # Database 15 keeps test keys away from a `make run` on the same Redis.
    "REDIS_URL": ("Redis", 6379, "redis://127.0.0.1:6379/15"),
}


def _answers(port: int) -> bool:
    try:
        with socket.create_connection(("127.0.0.1", port), timeout=0.5):
            return True
    except OSError:
        return False


for variable, (_service, port, url) in SERVICES.items():
    if not os.environ.get(variable) and _answers(port):
        os.environ[variable] = url

if os.environ.get("CI"):
    missing = [
        service for variable, (service, *_rest) in SERVICES.items() if not os.environ.get(variable)
    ]
    if missing:
        raise pytest.UsageError(f"CI is set but {' and '.join(missing)} did not answer.")

# Unit tests run tasks in-process; the tests that start a real worker say so.
os.environ.setdefault("CELERY_TASK_ALWAYS_EAGER", "1")
# ...and notifications' deliveries in place too, not on background threads.
os.environ.setdefault("NOTIFY_BACKGROUND", "0")
# Hashed static names need `collectstatic` first; tests serve from the finders.
os.environ.setdefault("STATIC_MANIFEST", "0")
