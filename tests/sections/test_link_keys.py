"""Every item written has its link's key (submit, edit, import, the data
migration), and an item whose link is already in the issue is a follow-up."""

import importlib
from pathlib import Path

from django.apps import apps

import talk
from sections import services
from sections.links import normalize_url
from sections.models import Item
from talk.importing import issue_import
from talk.services import issue_create
from tests.conftest import section_of
from tests.factories import ItemFactory, UserFactory
from tests.sections.test_item_services import edit

LLAMA2 = "https://arxiv.org/abs/2307.09288"
# The same paper, as the PDF of another version.
LLAMA2_PDF = "https://arxiv.org/pdf/2307.09288v2.pdf"
FALCON = "https://huggingface.co/blog/falcon?utm_source=twitter"
CORPUS = Path(talk.__file__).parent / "corpus"


def submit(section, user, url, **fields):
    return services.item_submit(section=section, user=user, title="Llama 2", url=url, **fields)


# Submitting


def test_it_stores_the_key_of_a_submitted_link(news, member):
    item = submit(news, member, FALCON)

    item.refresh_from_db()
    assert item.url == FALCON
    assert item.url_key == "huggingface.co/blog/falcon"
    assert not item.follow_up


def test_it_makes_a_link_already_in_the_issue_a_follow_up(news, recommend, member, outsider):
    first = submit(news, member, LLAMA2)

    # Another spelling of the same paper, in another section of the issue.
    second = submit(recommend, outsider, LLAMA2_PDF, kind=Item.Kind.NOMINATION)

    first.refresh_from_db()
    second.refresh_from_db()
    assert not first.follow_up
    assert second.follow_up
    assert second.url_key == first.url_key == "arxiv.org/abs/2307.09288"


def test_it_does_not_make_a_link_of_an_earlier_issue_a_follow_up(series, news, member):
    earlier = issue_create(series=series, by=None, number=7)
    submit(section_of(earlier, "news"), member, LLAMA2)

    item = submit(news, member, LLAMA2_PDF)

    item.refresh_from_db()
    assert not item.follow_up


def test_it_makes_no_follow_ups_of_items_without_a_link(news, member):
    submit(news, member, "")

    item = submit(news, member, "")

    item.refresh_from_db()
    assert (item.url_key, item.follow_up) == ("", False)


# Editing


def test_it_stores_the_key_of_an_edited_link(news, member):
    item = submit(news, member, FALCON)
    item.refresh_from_db()

    saved = edit(item, member, url=LLAMA2_PDF)

    assert saved.url_key == "arxiv.org/abs/2307.09288"


def test_it_keeps_the_first_of_two_equal_links_the_original(news, member):
    first = submit(news, member, LLAMA2)
    submit(news, member, LLAMA2_PDF)
    first.refresh_from_db()

    saved = edit(first, member, title="Llama 2: Open Foundation and Fine-Tuned Chat Models")

    assert not saved.follow_up


def test_it_judges_an_edited_link_again(news, member):
    submit(news, member, LLAMA2)
    item = submit(news, member, FALCON)
    item.refresh_from_db()

    saved = edit(item, member, url=LLAMA2_PDF)
    assert saved.follow_up

    saved = edit(saved, member, url=FALCON)
    assert not saved.follow_up
    assert saved.url_key == "huggingface.co/blog/falcon"


# Other writers


def test_it_stores_the_keys_of_imported_links(series):
    text = (CORPUS / "openllm-talk-006.txt").read_text(encoding="utf-8")

    issue = issue_import(series=series, text=text)

    items = list(Item.objects.filter(section__issue=issue).exclude(url=""))
    assert len(items) > 10
    assert all(item.url_key == normalize_url(item.url) for item in items)
    assert "zhuanlan.zhihu.com/p/640522290" in {item.url_key for item in items}


def test_the_data_migration_fills_the_keys_of_earlier_items(news):
    author = UserFactory(alias="yuhan")
    old = ItemFactory(section=news, url=LLAMA2_PDF, author=author)
    bare = ItemFactory(section=news, url="")
    assert old.url_key == ""  # written before items had keys
    migration = importlib.import_module("sections.migrations.0006_item_url_keys")

    migration.fill_url_keys(apps, schema_editor=None)

    old.refresh_from_db()
    bare.refresh_from_db()
    assert old.url_key == "arxiv.org/abs/2307.09288"
    assert bare.url_key == ""
