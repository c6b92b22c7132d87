"""The record format's module: the kind→list rule and the words' shapes.
tests/talk/test_import_words.py holds that the importer knows every label
the desk writes; the round trip itself is tested in test_import_corpus.py."""

import pytest

from sections import record
from sections.models import Item, Section


@pytest.mark.parametrize(
    ("kind", "listed"),
    [
        (Item.Kind.NOMINATION, "nomination"),
        (Item.Kind.SUGGESTION, "suggestion"),
        (Item.Kind.ENTRY, "body"),
        (Item.Kind.NOTE, "body"),
        (Item.Kind.SNIPPET, "body"),
        ("nomination", "nomination"),  # a snapshot's kinds are plain strings
    ],
)
def test_it_lists_each_kind(kind, listed):
    assert record.list_of(kind) == listed


def test_areas_are_item_kinds_and_section_fields():
    for area in record.AREAS:
        assert area.kind in Item.Kind.values
        assert isinstance(Section._meta.get_field(area.flag).default, bool)
    assert [area.heading for area in record.AREAS] == ["提名区", "建议区"]


def test_it_finds_an_area_by_its_heading():
    assert record.area_headed("提名区") is record.NOMINATIONS
    assert record.area_headed("建议区") is record.SUGGESTIONS
    assert record.area_headed("贡献者") is None


def test_it_words_labels_and_budgets():
    assert record.label("主持人") == "【主持人】："
    assert record.label("本期贡献者", f"- {record.UNRANKED}") == "【本期贡献者】- 排名不分先后："
    assert record.budget_words(10) == "~10 分钟"
    assert record.budget_words(None) == "时间不限"
    assert record.budget_words(0) == "时间不限"
