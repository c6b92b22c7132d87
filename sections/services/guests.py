"""Guests' questions (Slido's join link): where a steward allows it, a visitor
without an account asks and votes under a nickname. Their questions always
wait for a moderator; nothing about them is kept but the nickname (and, for
a vote, a digest that only tells one browser's vote apart)."""

import hashlib

from django.contrib.auth.models import AnonymousUser
from django.db import IntegrityError, transaction
from django.utils.translation import gettext_lazy as _

from accounts.models import User

from ..errors import Invalid, NotAllowed
from ..models import PostStatus, Question, Section, Vote
from ..policy import guests_may_ask, require_open
from ..ratelimit import rate_limit_guest
from .questions import _check_question_shape
from .rules import (
    _create_last,
    _names_an_email,
    _question_changed,
    _require_visible,
    _section,
    _tell_posted,
)

NICKNAME_MAX = 40
GUEST_QUESTIONS_PER_MINUTE = 2
GUEST_VOTES_PER_MINUTE = 30


def _require_guests(section: Section) -> None:
    if not guests_may_ask(section.issue):
        raise NotAllowed(_("Log in to ask: this issue takes no guests' questions."))


def _nickname(raw: str) -> str:
    nickname = " ".join(raw.split())
    if not nickname:
        raise Invalid(_("Give a nickname: it is shown with your question."))
    if len(nickname) > NICKNAME_MAX:
        raise Invalid(_("A nickname has at most %(max)s characters.") % {"max": NICKNAME_MAX})
    if _names_an_email(nickname):
        raise Invalid(_("A nickname, not an email address: it is shown to everyone."))
    # Nobody asks in a member's name without their password.
    if User.objects.filter(alias__iexact=nickname).exists():
        raise Invalid(_("That name is a member's alias: log in, or pick another nickname."))
    return nickname


@transaction.atomic
def question_ask_as_guest(*, section_id: int, nickname: str, body: str, client: str) -> Question:
    """`client` is a digest of the visitor's address, for the posting limit."""
    section = _section(section_id)
    require_open(section.issue, AnonymousUser())
    _require_guests(section)
    _check_question_shape(section, "")
    name = _nickname(nickname)
    if not body.strip():
        raise Invalid(_("Write your question."))
    rate_limit_guest(client=client, action="question", per_minute=GUEST_QUESTIONS_PER_MINUTE)
    question = _create_last(
        Question,
        section,
        subgroup=section.subgroups[0] if section.subgroups else "",
        body=body,
        status=PostStatus.PENDING,
        author_name=name,
        by_guest=True,
    )
    _tell_posted(question, section, None)
    return question


def guest_vote_key(question_id: int, browser: str) -> str:
    """One vote per browser and question, kept without anything to tell the
    browser's votes on other questions apart."""
    return hashlib.sha256(f"{question_id}:{browser}".encode()).hexdigest()


@transaction.atomic
def question_vote_as_guest(*, question_id: int, browser: str, client: str) -> bool:
    """Toggle a guest's vote; `browser` is the random number the browser keeps
    in a cookie. Returns whether it now votes for the question."""
    question = Question.objects.get(pk=question_id)
    section = _section(question.section_id)
    require_open(section.issue, AnonymousUser())
    _require_guests(section)
    _require_visible(question)
    rate_limit_guest(client=client, action="vote", per_minute=GUEST_VOTES_PER_MINUTE)
    key = guest_vote_key(question.pk, browser)
    _question_changed(question, section)
    removed, _deleted = Vote.objects.filter(question=question, member=None, guest=key).delete()
    if removed:
        return False
    try:
        with transaction.atomic():
            Vote.objects.create(question=question, guest=key)
    except IntegrityError:
        pass  # the same browser's second click raced the first
    return True
