from pathlib import Path

import pytest
from django.db import transaction

import talk
from search.indexing import rebuild
from talk.importing import issue_import
from talk.seed import ensure_openllm_talk
from tests.factories import UserFactory

CORPUS = Path(talk.__file__).parent / "corpus"


@pytest.fixture(scope="module")
def corpus(django_db_setup, django_db_blocker):
    """The eight published issues imported and indexed once for the module
    that asks (about 5 s), with a member to search as: `(series, member)`.
    Its tests must ask for `db` too: pytest-django sets the test database up
    only for the tests that use it.

    It all happens in a transaction rolled back when the module is done; each
    test runs in a savepoint of it (pytest-django's `db`), so nothing leaks
    to other modules. The index is rebuilt by hand: the import's after-commit
    indexing never runs inside a transaction that does not commit.
    """
    with django_db_blocker.unblock(), transaction.atomic():
        series = ensure_openllm_talk()
        for path in sorted(CORPUS.glob("openllm-talk-*.txt")):
            issue_import(series=series, text=path.read_text(encoding="utf-8"))
        rebuild()
        yield series, UserFactory(alias="读者")
        transaction.set_rollback(True)
