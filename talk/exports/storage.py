"""Export files on disk, written so that no reader ever sees half of one.

A file is written under a temporary name in its final directory, flushed to
disk, then renamed over the final name (atomic on POSIX). A worker killed
mid-write leaves only a `.part` file, which the next run of the same export
removes; the final name holds a whole file or nothing.
"""

import os
import uuid
from pathlib import Path

from django.conf import settings

PART_SUFFIX = ".part"


def export_path(export) -> str:
    """The file's path below MEDIA_ROOT."""
    issue = export.revision.issue
    return f"exports/{issue.series.slug}/{issue.code}/r{export.revision.number}/{export.filename}"


def absolute(relative: str) -> Path:
    return Path(settings.MEDIA_ROOT) / relative


def write_atomically(relative: str, data: bytes) -> None:
    final = absolute(relative)
    final.parent.mkdir(parents=True, exist_ok=True)
    for stale in final.parent.glob(f".{final.name}.*{PART_SUFFIX}"):
        stale.unlink(missing_ok=True)
    part = final.with_name(f".{final.name}.{uuid.uuid4().hex}{PART_SUFFIX}")
    with open(part, "wb") as file:
        file.write(data)
        file.flush()
        os.fsync(file.fileno())
    os.replace(part, final)
    directory = os.open(final.parent, os.O_RDONLY)
    try:
        os.fsync(directory)  # the rename itself survives a crash
    finally:
        os.close(directory)
