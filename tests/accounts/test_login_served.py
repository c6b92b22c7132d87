"""Login throttling as `make run` serves it: a real uvicorn process started
with the Makefile's own command line, spoken to from loopback addresses of
the test's choosing. Whatever X-Forwarded-For says, the address axes counts
is the connection's."""

import pytest
from django.conf import settings

from tests.factories import UserFactory
from tests.served import MakeRunServer, Visitor, give_served_password

pytestmark = pytest.mark.postgres  # the server process reads the test database

WRONG = "not-the-password"
# Where anyone on the server's own host connects from: uvicorn's default
# would believe X-Forwarded-For from it.
LOCAL = "127.0.0.1"


@pytest.fixture(scope="module")
def server(django_db_setup, tmp_path_factory):
    log = tmp_path_factory.mktemp("served") / "uvicorn.log"
    # No REDIS_URL, as `make run` on a bare machine; the attempts are rows.
    started = MakeRunServer(redis_url="", log=log).start()
    yield started
    started.stop()


@pytest.fixture
def visitors(server):
    opened = []

    def visit(address: str) -> Visitor:
        opened.append(Visitor(server.url, address=address))
        return opened[-1]

    yield visit
    for visitor in opened:
        visitor.close()


@pytest.fixture
def yuhan(transactional_db):
    user = UserFactory(alias="yuhan")
    give_served_password(user)
    return user


def forged(number: int) -> dict:
    return {"X-Forwarded-For": f"203.0.113.{number}"}


def test_it_locks_out_a_guesser_who_forges_a_new_address_each_time(visitors, yuhan):
    guesser = visitors(LOCAL)

    answers = [guesser.log_in("yuhan", WRONG, **forged(number)) for number in range(20)]

    limit = settings.AXES_FAILURE_LIMIT
    assert answers[: limit - 1] == [422] * (limit - 1)
    assert set(answers[limit - 1 :]) == {429}


def test_it_refuses_the_right_password_with_a_forged_address_while_locked(visitors, yuhan):
    guesser = visitors(LOCAL)
    for number in range(settings.AXES_FAILURE_LIMIT):
        guesser.log_in("yuhan", WRONG, **forged(number))

    assert guesser.log_in("yuhan", **forged(99)) == 429
    assert guesser.log_in("yuhan", **{"X-Forwarded-For": "127.0.0.3"}) == 429


def test_it_lets_the_member_in_from_their_own_address(visitors, yuhan):
    guesser = visitors(LOCAL)
    for number in range(settings.AXES_FAILURE_LIMIT):
        guesser.log_in("yuhan", WRONG, **forged(number))

    assert visitors("127.0.0.3").log_in("yuhan") == 302


def test_it_stops_a_guesser_who_really_changes_address_at_the_alias_limit(visitors, yuhan):
    # One wrong guess from each of as many addresses as the alias allows.
    limit = settings.AXES_ALIAS_FAILURE_LIMIT
    answers = [visitors(f"127.0.1.{number}").log_in("yuhan", WRONG) for number in range(limit)]

    assert answers[:-1] == [422] * (limit - 1)
    assert answers[-1] == 429
    assert visitors("127.0.2.1").log_in("yuhan") == 429
