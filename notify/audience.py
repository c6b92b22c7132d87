"""Who hears of an event, and how each of them chose to.

A fixed number of queries whatever the audience: the people, then their
preferences for the kind, then the series' bots.
"""

from dataclasses import dataclass

from django.db.models import Q, QuerySet

from accounts.models import User
from sections.models import Answer, Claim, Item, Question

from .kinds import AUDIENCE, DEFAULTS, FOR_BOTS, Audience, Email, Kind
from .models import Bot, Event, Preference


@dataclass(frozen=True)
class Recipient:
    user: User
    inbox: bool
    email: str  # kinds.Email; NEVER for a member without an address


def recipients(event: Event) -> list[Recipient]:
    people = _people(event).filter(is_active=True)
    if event.actor_id is not None:
        people = people.exclude(pk=event.actor_id)
    users = list(people.only("pk", "alias", "email", "language"))
    chosen = {
        p.user_id: p
        for p in Preference.objects.filter(kind=event.kind, user__in=[u.pk for u in users])
    }
    default = DEFAULTS[Kind(event.kind)]
    found = []
    for user in users:
        preference = chosen.get(user.pk)
        inbox = preference.inbox if preference else default.inbox
        email = preference.email if preference else default.email
        if not user.email:
            email = Email.NEVER
        if inbox or email != Email.NEVER:
            found.append(Recipient(user=user, inbox=inbox, email=email))
    return found


def bots(event: Event) -> list[Bot]:
    if event.kind not in FOR_BOTS:
        return []
    return [
        bot
        for bot in Bot.objects.filter(series_id=event.series_id, active=True)
        if event.kind in bot.kinds
    ]


def _people(event: Event) -> QuerySet[User]:
    kind = event.kind
    audience = AUDIENCE[Kind(kind)]
    if audience == Audience.SERIES:
        # Only who opted in: the chats carry the series' news to everyone.
        opted = Preference.objects.filter(kind=kind).filter(Q(inbox=True) | ~Q(email=Email.NEVER))
        return User.objects.filter(pk__in=opted.values("user_id"))
    if audience == Audience.STEWARDS:
        issue = event.issue
        hosts = [pk for pk in (issue.host_id, issue.editor_id) if pk] if issue else []
        return User.objects.filter(Q(is_staff=True) | Q(pk__in=hosts))
    return User.objects.filter(pk__in=_concerned(event))


def _author(post: Question | Answer | Item) -> int | None:
    """Whom a post is credited to; who typed it when it names no member."""
    return post.author_id or post.submitted_by_id


def _concerned(event: Event) -> set[int]:
    """The members a personal event is about."""
    subject = event.subject
    kind = event.kind
    found: set[int | None] = set()
    if kind == Kind.ANSWERED:
        answer = Answer.objects.select_related("question", "parent").get(pk=subject["answer"])
        found.add(_author(answer.question))
        if answer.parent is not None:
            found.add(_author(answer.parent))
    elif kind == Kind.ANSWER_ACCEPTED:
        found.add(_author(Answer.objects.get(pk=subject["answer"])))
    elif kind == Kind.POST_MODERATED:
        # Who typed it: the one who sees it while it waits (visible_posts).
        model = Answer if "answer" in subject else Question
        found.add(model.objects.values_list("submitted_by_id", flat=True).get(pk=_post_id(subject)))
    elif kind == Kind.SECTION_CURATED:
        found.update(
            Claim.objects.filter(section_id=subject["section"]).values_list("member_id", flat=True)
        )
    elif kind == Kind.CREDITED:
        found.add(Item.objects.values_list("author_id", flat=True).get(pk=subject["item"]))
    found.discard(None)
    return found  # type: ignore[return-value]


def _post_id(subject: dict) -> int:
    return subject["answer"] if "answer" in subject else subject["question"]
