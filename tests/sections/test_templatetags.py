import pytest
from django.urls import reverse
from django.utils import translation

from desk.templatetags.desk import budget, route


@pytest.mark.parametrize(
    "name",
    ["item-edit", "question-vote", "answer-accept", "section-claim"],
)
def test_it_builds_the_same_url_as_reverse(name):
    assert route(42, name) == reverse(name, args=[42])
    assert route("7", name) == reverse(name, args=[7])


def test_it_shows_a_time_budget():
    with translation.override("en"):
        assert budget(None) == "no time limit"
        assert budget(10) == "~10 min"
    with translation.override("zh-hans"):
        assert budget(10) == "~10 分钟"
