"""Bidi and zero-width characters: refused where they would disguise a title,
a name or a link; shown, not applied, in what members write at length."""

import pytest
from django.urls import reverse

from sections.models import Answer, Item, Question
from tests.factories import QuestionFactory
from tests.responses import HTMX, by_id

pytestmark = pytest.mark.usefixtures("english")

RLO = "\u202e"  # RIGHT-TO-LEFT OVERRIDE: "exe.doc" reads as "cod.exe"
ISOLATE = "\u2066"
ZERO_WIDTH = "\u200b"


def add_item(client, news, **fields):
    data = {"kind": "entry", "subgroup": "学术", "title": "A title", **fields}
    return client.post(reverse("item-create", args=[news.pk]), data, headers=HTMX)


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("url", f"https://ok.example/{RLO}cod.exe"),
        ("title", f"Safe{RLO}txt.exe"),
        ("title", f"pay{ZERO_WIDTH}pal"),
        ("credit_to", f"羡{ISOLATE}鱼"),
    ],
)
def test_it_refuses_a_disguised_title_name_or_link_in_words(client, host, news, field, value):
    client.force_login(host)

    response = add_item(client, news, **{field: value})

    assert response.status_code == 422
    form = response.text
    assert "invisible characters that change how text reads" in form
    assert f"U+{ord(next(c for c in value if not c.isprintable())):04X}" in form
    assert "A title" in form or value in form  # what was typed stays in the box
    assert not Item.objects.filter(section=news).exists()


def test_it_shows_hidden_characters_in_a_body_instead_of_applying_them(client, member, news):
    client.force_login(member)

    response = add_item(client, news, body=f"see {RLO}gpj.exe here", points=f"one{ZERO_WIDTH}two")

    assert response.status_code == 200
    item = Item.objects.get(section=news)
    assert item.body == "see ⟨U+202E⟩gpj.exe here"
    assert item.points == "one⟨U+200B⟩two"
    assert RLO not in response.text
    assert "⟨U+202E⟩gpj.exe" in response.text


def test_it_shows_hidden_characters_in_questions_and_answers(client, member, free_talk):
    client.force_login(member)

    client.post(
        reverse("question-ask", args=[free_talk.pk]),
        {"body": f"Why {ISOLATE}this?", "subgroup": "线上讨论"},
        headers=HTMX,
    )
    question = Question.objects.get()
    client.post(
        reverse("answer-create", args=[question.pk]),
        {"body": f"Because{ZERO_WIDTH}."},
        headers=HTMX,
    )

    assert question.body == "Why ⟨U+2066⟩this?"
    assert Answer.objects.get().body == "Because⟨U+200B⟩."
    page = client.get(free_talk.issue.get_absolute_url()).text
    assert "Why ⟨U+2066⟩this?" in by_id(page, f"question-{question.pk}")


def test_it_keeps_joiners_that_emoji_and_scripts_need(client, member, news):
    client.force_login(member)
    family = "👨\u200d👩\u200d👧"

    response = add_item(client, news, title=f"Family {family}", body=f"For the {family}")

    assert response.status_code == 200
    item = Item.objects.get(section=news)
    assert (item.title, item.body) == (f"Family {family}", f"For the {family}")


def test_an_edit_is_held_to_the_same_rule(client, member, free_talk):
    question = QuestionFactory(section=free_talk, author=member, body="Plain")
    client.force_login(member)

    client.post(
        reverse("question-edit", args=[question.pk]),
        {"body": f"Now{RLO} hidden", "subgroup": "线上讨论", "version": question.version},
        headers=HTMX,
    )

    question.refresh_from_db()
    assert question.body == "Now⟨U+202E⟩ hidden"
