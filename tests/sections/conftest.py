import pytest

from tests.conftest import section_of


@pytest.fixture
def news(issue):
    return section_of(issue, "news")


@pytest.fixture
def recommend(issue):
    return section_of(issue, "recommend")


@pytest.fixture
def free_talk(issue):
    return section_of(issue, "free-talk")
