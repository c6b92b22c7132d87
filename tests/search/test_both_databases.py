"""The same search on PostgreSQL and SQLite: the relevance table passes on the
other database too, and every case's hits are the same, in the same order.

The suite runs on one database; this runs tests/search/test_relevance.py on
the other in a subprocess (on SQLite whenever the suite is on PostgreSQL;
on PostgreSQL, when it answers, when the suite is on SQLite), which writes
its hits to a JSON file, and compares them with this database's own.
"""

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.db import connection

from search.selectors import search
from tests.stack import SERVICES, _answers

from .test_relevance import CASES, comparable, hits, name

ROOT = Path(__file__).resolve().parents[2]
RELEVANCE = Path(__file__).with_name("test_relevance.py")


def _other_database(tmp_path: Path) -> dict[str, str]:
    """The environment that points the relevance module at the other database."""
    env = dict(os.environ)
    if connection.vendor == "postgresql":
        env["DATABASE_URL"] = f"sqlite:///{tmp_path / 'search.sqlite3'}"
        # SQLite's test database is in memory unless it is given a file name.
        env.pop("TEST_DATABASE_NAME", None)
        return env
    _service, port, url = SERVICES["DATABASE_URL"]
    if not _answers(port):
        if os.environ.get("CI"):
            pytest.fail("PostgreSQL did not answer, and CI needs it.")
        pytest.skip("PostgreSQL did not answer")
    env["DATABASE_URL"] = url
    env["TEST_DATABASE_NAME"] = f"test_search_other_{os.getpid()}"
    return env


def test_it_finds_the_same_on_the_other_database(db, corpus, tmp_path):
    env = _other_database(tmp_path)
    env["SEARCH_RESULTS_JSON"] = str(tmp_path / "results.json")
    command = [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", str(RELEVANCE)]

    run = subprocess.run(command, cwd=ROOT, env=env, capture_output=True, text=True, timeout=600)

    assert run.returncode == 0, run.stdout[-20_000:] + run.stderr[-5_000:]
    theirs = json.loads((tmp_path / "results.json").read_text(encoding="utf-8"))
    series, member = corpus
    ours = {}
    for param in CASES:
        query, order, filters, _first = param.values
        results = search(series=series, viewer=member, text=query, order=order, filters=filters)
        ours[name(query, order, filters)] = comparable(hits(results))
    assert set(theirs) == set(ours)
    different = [name for name in ours if ours[name] != theirs[name]]
    assert different == [], {name: (ours[name], theirs[name]) for name in different[:3]}
