"""The JSON export: the snapshot, valid JSON that follows docs/export-schema.md,
and what a frozen revision stores renders the same bytes as what was built."""

import datetime
import json
import re
from pathlib import Path

import jsonschema
import pytest

from talk.exports import html, jsonfmt, markdown
from talk.models import Revision
from talk.services import issue_create, issue_freeze
from talk.snapshot import snapshot_build
from tests.talk.test_export_markdown import rich_issue

DOC = Path(__file__).resolve().parents[2] / "docs" / "export-schema.md"


def doc_blocks() -> tuple[dict, dict]:
    """The documented example and the JSON Schema, read from the document
    itself so the two cannot drift apart."""
    example, schema = re.findall(r"^```json\n(.*?)^```$", DOC.read_text(), re.M | re.S)
    return json.loads(example), json.loads(schema)


@pytest.fixture
def schema():
    _example, found = doc_blocks()
    jsonschema.Draft202012Validator.check_schema(found)
    return found


@pytest.fixture
def snapshot(issue):
    rich_issue(issue)
    return snapshot_build(
        issue, revision=1, frozen_at=datetime.datetime(2023, 6, 11, 2, 30, tzinfo=datetime.UTC)
    )


def test_it_is_the_snapshot_as_utf8_json(snapshot):
    data = jsonfmt.render(snapshot)

    assert json.loads(data.decode("utf-8")) == snapshot
    assert b"OpenLLM Talk 008" in data
    assert "本周新闻".encode() in data  # Chinese as itself, not \\u escapes
    assert data.endswith(b"}\n")


def test_it_follows_the_documented_schema(snapshot, schema):
    exported = json.loads(jsonfmt.render(snapshot))

    jsonschema.validate(exported, schema, cls=jsonschema.Draft202012Validator)
    assert isinstance(exported["number"], int)
    assert exported["meeting_at"] == "2023-06-10T22:00:00+08:00"
    assert exported["revision"]["frozen_at"] == "2023-06-11T10:30:00+08:00"
    assert exported["highlights"] == ["SuperCLUE-Open", "文心盘古", "chatlaw"]
    assert exported["host"] == "羡鱼"
    news = exported["sections"][0]
    assert (news["key"], news["title"], news["owners"]) == ("news", "本周新闻", ["羡鱼", "yuhan"])
    assert news["items"][0]["points"] == ["线性复杂度", "可以并行训练"]
    carried = exported["questions"][2]
    assert (carried["carried_over"], carried["carried_from"]) == (True, {"issue": "7"})
    assert exported["questions"][0]["answers"][1]["replies"][0]["replies"][0]["author"] == "初七"
    assert exported["chat"][0] == {
        "section": "chat",
        "speaker": "羡鱼",
        "time": "21:05",
        "text": "大家好",
    }
    assert {"title": "苏神的新博客", "url": "https://spaces.ac.cn/archives/9675"} in exported[
        "references"
    ]


def test_a_special_edition_has_no_number(series, schema):
    special = issue_create(series=series, by=None, special_label="番外 02", code="extra-02")

    exported = json.loads(jsonfmt.render(snapshot_build(special)))

    jsonschema.validate(exported, schema, cls=jsonschema.Draft202012Validator)
    assert exported["number"] is None
    assert exported["meeting_at"] is None
    assert exported["title"] == "OpenLLM Talk 番外 02"
    assert markdown.render(exported).startswith("# OpenLLM Talk 番外 02\n".encode())


def test_the_documented_example_follows_the_schema(schema):
    example, _schema = doc_blocks()

    jsonschema.validate(example, schema, cls=jsonschema.Draft202012Validator)


def test_the_schema_refuses_a_wrong_type(snapshot, schema):
    for field, value in (("number", "8"), ("highlights", "A；B；"), ("meeting_at", "20230610")):
        with pytest.raises(jsonschema.ValidationError):
            jsonschema.validate({**snapshot, field: value}, schema)
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.validate({**snapshot, "undocumented": 1}, schema)


def test_it_renders_the_same_bytes_every_time(snapshot):
    assert jsonfmt.render(snapshot) == jsonfmt.render(json.loads(json.dumps(snapshot)))


def test_a_frozen_revision_renders_what_the_issue_showed(issue):
    """The revision keeps the snapshot in a JSON column (PostgreSQL reorders
    its keys): rendered from there, Markdown and HTML are the same bytes as
    from the snapshot built at the freeze."""
    rich_issue(issue)

    revision = issue_freeze(issue_id=issue.pk, user=None)

    stored = Revision.objects.get(pk=revision.pk).snapshot
    frozen_at = datetime.datetime.fromisoformat(stored["revision"]["frozen_at"])
    built = snapshot_build(issue, revision=1, frozen_at=frozen_at)
    assert stored == built
    for renderer in (markdown.render, html.render):
        assert renderer(stored) == renderer(built)
