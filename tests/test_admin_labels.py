"""What the admin site shows of the desk's models is said in the catalog's
words: every label of a model, a field, a choice, an inline or a column is
a gettext string with an English msgid (its zh-hans msgstr lives in
locale/), never a hard-coded label in either language."""

import re

import pytest
from django.contrib import admin
from django.db import models
from django.utils import translation
from django.utils.functional import Promise, lazystr

DESK_APPS = {"accounts", "sections", "talk", "search", "notify", "desk"}
CJK = re.compile(r"[\u3000-\u9fff\uff00-\uffef]")
# The community's own words, given as an example of what to type, are data.
EXAMPLE = re.compile(r"^For example |“~N 分钟”")
NAMES = {"HTML", "JSON", "Markdown", "PDF", "ID"}


def _fields(model):
    return [f for f in model._meta.get_fields() if f.concrete and not f.auto_created]


def shown_labels():
    """(where, text) of each label the admin site shows for the desk."""
    for model, model_admin in admin.site._registry.items():
        meta = model._meta
        if meta.app_label not in DESK_APPS:
            continue
        yield f"{meta.label} name", meta.verbose_name
        yield f"{meta.label} plural", meta.verbose_name_plural
        for shown in [model, *(inline.model for inline in model_admin.inlines)]:
            for field in _fields(shown):
                where = f"{shown._meta.label}.{field.name}"
                yield where, field.verbose_name
                if field.help_text:
                    yield f"{where} help", field.help_text
                for value, label in getattr(field, "flatchoices", None) or []:
                    if isinstance(field, models.CharField) and label not in NAMES:
                        yield f"{where} = {value}", label
        for name in [*model_admin.list_display, *model_admin.readonly_fields]:
            column = getattr(model_admin, name, None) if isinstance(name, str) else name
            if hasattr(column, "short_description"):
                yield f"{meta.label} column {name}", column.short_description
        for title, _options in model_admin.fieldsets or []:
            if title:
                yield f"{meta.label} fieldset", title


def problem(where: str, label) -> str | None:
    if not isinstance(label, Promise):
        return f"{where}: {label!r} is not a gettext string"
    with translation.override("en"):
        msgid = str(label)
    if CJK.search(msgid) and not EXAMPLE.search(msgid):
        return f"{where}: the msgid {msgid!r} is not English"
    return None


def test_it_shows_every_label_in_the_catalogs_words():
    labels = list(shown_labels())
    found = [p for where, label in labels if (p := problem(where, label))]

    # A walk that found nothing would pass without checking anything.
    assert {where.split(".")[0] for where, _label in labels} >= {"accounts", "sections", "talk"}
    if found:
        pytest.fail("Labels the admin site shows:\n" + "\n".join(found), pytrace=False)


@pytest.mark.parametrize(
    ("label", "reported"),
    [
        ("origin", "talk.Series.origin: 'origin' is not a gettext string"),
        # lazystr: a lazy string as gettext_lazy makes, kept out of the catalog.
        (lazystr("origin (缘起)"), "talk.Series.origin: the msgid 'origin (缘起)' is not English"),
        (lazystr("For example 本期主题; empty: no theme."), None),
        (lazystr("origin"), None),
    ],
)
def test_it_reports_a_label_not_in_the_catalogs_words(label, reported):
    assert problem("talk.Series.origin", label) == reported
