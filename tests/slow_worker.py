"""A Celery app for the worker-kill test: the real app, except that writing an
export pauses between the temporary file and the rename while the file named
by SLOW_EXPORT_MARKER exists, so the test can kill the worker right there."""

import os
import time
from pathlib import Path

from talk.exports import storage
from tests.worker_app import app

_write = storage.write_atomically


def _slow_write(relative: str, data: bytes) -> None:
    marker = Path(os.environ["SLOW_EXPORT_MARKER"])
    if not marker.exists():
        return _write(relative, data)
    final = storage.absolute(relative)
    final.parent.mkdir(parents=True, exist_ok=True)
    part = final.with_name(f".{final.name}.killed{storage.PART_SUFFIX}")
    part.write_bytes(data[: len(data) // 2])
    marker.write_text(str(part))  # tells the test where the half file is
    time.sleep(60)
    return _write(relative, data)


storage.write_atomically = _slow_write

__all__ = ["app"]
