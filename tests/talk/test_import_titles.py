"""The title line of an imported text: the numbered series and its special
editions, in the shapes docs/importing.md lists, and a special edition
imported, shown and exported under its identifier."""

import pytest
from django.core.management import call_command
from hypothesis import given
from hypothesis import strategies as st

from talk.importing import issue_import, parse_issue
from talk.services import issue_freeze

BODY = "\n本周新闻\n\n学术\n一篇论文 --羡鱼\n"


def title_of(text: str) -> tuple[int | None, str, str]:
    parsed = parse_issue(text)
    return parsed.number, parsed.special_label, parsed.code


@pytest.mark.parametrize(
    ("first_lines", "expected"),
    [
        ("OpenLLM Talk 003", (3, "", "3")),
        ("OpenLLM Talk 003：SuperCLUE-Open", (3, "", "3")),
        ("【OpenLLM Talk】003", (3, "", "3")),
        ("OpenLLM Talk 番外 01", (None, "番外 01", "extra-01")),
        ("OpenLLM Talk 番外02", (None, "番外02", "extra-02")),
        ("【OpenLLM Talk】番外 01：大模型的数据工程", (None, "番外 01", "extra-01")),
        # Wrapped by the PDF: the name ends a line, the edition opens the next.
        ("【OpenLLM Talk】\n番外 01：大模型的数据工程", (None, "番外 01", "extra-01")),
        ("OpenLLM Talk\n番外 03", (None, "番外 03", "extra-03")),
        ("【OpenLLM Talk】特别篇 2：年终回顾", (None, "特别篇 2", "special-2")),
    ],
)
def test_it_reads_the_title_shapes(first_lines, expected):
    assert title_of(first_lines + BODY) == expected


def test_a_record_line_naming_the_issue_is_not_its_title():
    assert not parse_issue("【编号】：OpenLLM Talk 003" + BODY).identified


def test_a_special_edition_s_title_is_kept_in_the_preface():
    parsed = parse_issue("【OpenLLM Talk】番外 01：大模型的数据工程" + BODY)

    preface = next(section for section in parsed.sections if section.key == "preface")
    assert "大模型的数据工程" in " ".join(item.title + item.body for item in preface.items)


@given(
    number=st.integers(min_value=0, max_value=999),
    special=st.booleans(),
    bracketed=st.booleans(),
    wrapped=st.booleans(),
    title=st.text(
        alphabet=st.characters(categories=["Lo", "Lu", "Ll", "Nd"], max_codepoint=0x9FFF),
        max_size=20,
    ),
)
def test_any_title_line_in_these_shapes_names_its_issue(number, special, bracketed, wrapped, title):
    name = "【OpenLLM Talk】" if bracketed else "OpenLLM Talk"
    label = f"番外 {number:02d}" if special else f"{number:03d}"
    line = f"{name}{chr(10) if wrapped else ' '}{label}" + (f"：{title}" if title else "")

    found = title_of(line + BODY)

    if special:
        assert found == (None, label, f"extra-{number:02d}")
    else:
        assert found == (number, "", str(number))


def test_a_special_edition_imports_shows_and_exports_under_its_identifier(
    series, admin_client, tmp_path
):
    text = "【OpenLLM Talk】番外 01：大模型的数据工程" + BODY

    issue = issue_import(series=series, text=text)

    assert (issue.code, issue.title) == ("extra-01", "OpenLLM Talk 番外 01")
    assert issue.get_absolute_url() == "/s/openllm-talk/extra-01/"
    page = admin_client.get(issue.get_absolute_url())
    assert page.status_code == 200
    assert "一篇论文" in page.content.decode()
    issue_freeze(issue_id=issue.pk, user=None)
    target = tmp_path / "extra-01.md"
    call_command("export_issue", "openllm-talk", "extra-01", "--format", "md", "--output", target)
    exported = target.read_text(encoding="utf-8")
    assert exported.startswith("# OpenLLM Talk 番外 01\n")
    assert "大模型的数据工程" in exported
