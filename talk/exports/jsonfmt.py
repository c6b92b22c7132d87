"""The JSON export: the snapshot itself (docs/export-schema.md)."""

import json


def render(snapshot: dict) -> bytes:
    return (json.dumps(snapshot, ensure_ascii=False, indent=2) + "\n").encode()
