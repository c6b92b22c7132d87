import threading

import pytest
from django.db import connection

from sections.errors import NotAllowed, RoleTaken
from talk.models import Issue
from talk.services import issue_create, issue_role_claim, issue_role_release
from tests.factories import UserFactory


def test_it_gives_a_free_role_to_the_first_member(issue, member):
    issue = issue_role_claim(issue_id=issue.pk, user=member, role="editor")

    assert issue.editor == member


def test_it_names_the_holder_when_taken(issue, host, member):
    with pytest.raises(RoleTaken) as taken:
        issue_role_claim(issue_id=issue.pk, user=member, role="host")

    assert "羡鱼" in str(taken.value.message)


def test_it_treats_an_imported_plain_name_as_a_holder(issue, member):
    Issue.objects.filter(pk=issue.pk).update(host_name="suc16、初七")

    with pytest.raises(RoleTaken):
        issue_role_claim(issue_id=issue.pk, user=member, role="host")


def test_it_lets_only_the_holder_or_an_admin_give_it_up(issue, host, member, admin_user):
    with pytest.raises(NotAllowed):
        issue_role_release(issue_id=issue.pk, user=member, role="host")

    assert issue_role_release(issue_id=issue.pk, user=admin_user, role="host").host is None


@pytest.mark.postgres
def test_it_gives_a_role_to_exactly_one_of_many(transactional_db, series):
    issue = issue_create(series=series, by=None, number=40)
    members = [UserFactory(alias=f"hopeful{n}") for n in range(10)]
    barrier = threading.Barrier(len(members))
    winners, errors = [], []

    def claim(user):
        try:
            barrier.wait()
            issue_role_claim(issue_id=issue.pk, user=user, role="host")
            winners.append(user)
        except RoleTaken:
            pass
        except Exception as error:
            errors.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=claim, args=(m,)) for m in members]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert errors == []
    assert len(winners) == 1
    assert Issue.objects.get(pk=issue.pk).host == winners[0]
