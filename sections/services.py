"""Business rules for sections: claims, items, questions, answers, votes.

Every function checks permission itself (views may not), runs in one
transaction, and raises a `DeskError` the view can show. Edits carry the
version the editor started from and save with a conditional UPDATE, so two
people saving the same row never silently overwrite each other.
"""

import unicodedata
from typing import Any

from django.db import IntegrityError, connection, transaction
from django.db.models import BooleanField, F, Model, Value
from django.db.models.expressions import RawSQL
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accounts.models import User, Viewer

from . import events
from .errors import Invalid, NotAllowed, SectionFull, StaleWrite
from .links import normalize_url
from .models import (
    Answer,
    Attributed,
    Claim,
    Item,
    PostStatus,
    Question,
    Section,
    SectionKind,
    Vote,
)
from .moderation import moderation_mode
from .policy import (
    can_curate_issue,
    can_curate_section,
    can_edit_post,
    require_member,
    require_open,
)
from .ratelimit import rate_limit
from .record import AREAS, list_of

VOTES_PER_MINUTE = 60


# Claims


@transaction.atomic
def section_claim(*, section_id: int, user: Viewer) -> Claim:
    """Make `user` an owner of the section, if a slot is free.

    The section row is locked before counting, so two members racing for the
    last slot are served one after the other; the (section, slot) constraint
    backs that up in the database.
    """
    user = require_member(user)
    section = Section.objects.select_for_update().select_related("issue").get(pk=section_id)
    require_open(section.issue, user)
    if section.owner_cap == 0:
        raise NotAllowed(_("Nobody claims this section; it is assembled from the others."))
    claims = list(section.claims.select_related("member"))
    for claim in claims:
        if claim.member_id == user.pk:
            return claim
    if len(claims) >= section.owner_cap:
        raise SectionFull([claim.member.alias for claim in claims])
    free_slots = sorted(set(range(1, section.owner_cap + 1)) - {claim.slot for claim in claims})
    claim = Claim.objects.create(section=section, member=user, slot=free_slots[0])
    _section_changed(section)
    return claim


@transaction.atomic
def section_release(*, section_id: int, user: Viewer) -> None:
    user = require_member(user)
    section = Section.objects.select_for_update().select_related("issue").get(pk=section_id)
    require_open(section.issue, user)
    if Claim.objects.filter(section=section, member=user).delete()[0]:
        _section_changed(section)


# Shared rules


def _section_changed(section: Section) -> None:
    events.announce(section.issue_id, events.SECTION, id=section.pk)


def _question_changed(question: Question, section: Section) -> None:
    events.announce(section.issue_id, events.QUESTION, id=question.pk, section=section.pk)


def _section(section_id: int) -> Section:
    return (
        Section.objects.select_related("issue__series")
        .prefetch_related("claims")
        .get(pk=section_id)
    )


def _require_poster(
    user: Viewer, section: Section, action: str = "post", per_minute: int | None = None
) -> User:
    user = require_member(user)
    require_open(section.issue, user)
    # The host adds a lot during the meeting; limits are for floods, not them.
    if not can_curate_issue(user, section.issue):
        rate_limit(user=user, action=action, per_minute=per_minute)
    return user


def _credit(user: User, section: Section, credit_to: str | None) -> dict[str, Any]:
    """Who a new or edited post is attributed to.

    Owners and the host may credit another member (by alias) or a plain name,
    for content brought from the group chat; everyone else posts as themselves.
    """
    # Names from the chat are often pasted as the corpus writes them, "--初七"
    # or "—初七": the dashes are the record's, not the name's.
    credit_to = (credit_to or "").strip().lstrip("-—–~ ").strip()
    # Judged as a browser may type it: NFKC turns a full-width "＠" into "@".
    if "@" in unicodedata.normalize("NFKC", credit_to):
        raise Invalid(_("Credit a name, not an email address: the issue and its files are public."))
    if not credit_to:
        return {"author": user, "author_name": ""}
    if credit_to.casefold() == user.alias.casefold():
        return {"author": user, "author_name": ""}
    if not can_curate_section(user, section):
        raise NotAllowed(_("Only the section's owners and the host can credit someone else."))
    member = User.objects.filter(alias__iexact=credit_to).first()
    if member is not None:
        return {"author": member, "author_name": ""}
    return {"author": None, "author_name": credit_to}


def _save_version[M: Model](model: type[M], pk: int, version: int, fields: dict[str, Any]) -> M:
    """Write `fields` only if the row is still at `version`; else StaleWrite."""
    saved = model._default_manager.filter(pk=pk, version=version).update(
        **fields, version=F("version") + 1, updated_at=timezone.now()
    )
    current = model._default_manager.get(pk=pk)
    if not saved:
        raise StaleWrite(current)
    return current


def _create_last[M: Model](model: type[M], section: Section, **fields: Any) -> M:
    """Create a row after the section's last one, its position computed by the
    INSERT itself (one statement instead of a read and a write), which also
    returns it. Every post passes here: the subquery is written out because
    the ORM's Subquery costs more to compile than the INSERT takes to run."""
    # The table's name comes from the model; the section is a parameter.
    table = connection.ops.quote_name(model._meta.db_table)
    last = RawSQL(
        f"SELECT COALESCE(MAX(position), 0) + 1 FROM {table} WHERE section_id = %s", [section.pk]
    )
    return model._default_manager.create(position=last, section=section, **fields)


def _require_visible(question: Question) -> None:
    # Moderation (pending, rejected, hidden) keeps a question out of the
    # conversation: nobody answers or votes on what the room cannot see.
    if question.status != PostStatus.VISIBLE:
        raise NotAllowed(_("This question is not open for answers or votes."))


def _require_editor(user: Viewer, post: Attributed, section: Section) -> User:
    user = require_member(user)
    require_open(section.issue, user)
    if not can_edit_post(user, post, section):
        raise NotAllowed(_("Only its author, the section's owners and the host can change this."))
    return user


# Items


def item_kinds(section: Section) -> list[str]:
    """The kinds of item a section takes, in the order a form offers them."""
    areas = [Item.Kind(area.kind) for area in AREAS if getattr(section, area.flag)]
    return [Item.Kind.ENTRY, *areas, Item.Kind.NOTE, Item.Kind.SNIPPET]


def _check_item_shape(
    section: Section, kind: str, subgroup: str, current_subgroup: str | None = None
) -> None:
    if section.kind != SectionKind.ITEMS:
        raise Invalid(_("This section does not take items."))
    if kind not in item_kinds(section):
        raise Invalid(_("This section does not take that kind of item."))
    # An imported item may sit in a sub-group the template no longer has.
    if subgroup and subgroup not in section.subgroups and subgroup != current_subgroup:
        raise Invalid(_("This section has no sub-group “%(name)s”.") % {"name": subgroup})


@transaction.atomic
def item_submit(
    *,
    section: Section,
    user: Viewer,
    kind: str = Item.Kind.ENTRY,
    subgroup: str = "",
    title: str = "",
    url: str = "",
    body: str = "",
    points: str = "",
    code: str = "",
    language: str = "",
    credit_to: str = "",
) -> Item:
    """Add an item to `section` (loaded with its issue; claims prefetched
    saves a query). A link already in the issue makes it a follow-up."""
    user = _require_poster(user, section)
    _check_item_shape(section, kind, subgroup)
    _section_changed(section)
    url_key = normalize_url(url)
    return _create_last(
        Item,
        section,
        kind=kind,
        subgroup=subgroup,
        title=title,
        url=url,
        url_key=url_key,
        follow_up=_link_in_issue(section.issue_id, url_key),
        body=body,
        points=points,
        code=code,
        language=language,
        submitted_by=user,
        **_credit(user, section, credit_to),
    )


@transaction.atomic
def item_update(
    *,
    item_id: int,
    user: Viewer,
    version: int,
    kind: str,
    subgroup: str,
    title: str,
    url: str,
    body: str,
    points: str,
    code: str,
    language: str,
    credit_to: str | None = None,
) -> Item:
    """Save an edit. `credit_to` None keeps the attribution as it is."""
    item = Item.objects.get(pk=item_id)
    section = _section(item.section_id)
    user = _require_editor(user, item, section)
    _check_item_shape(section, kind, subgroup, current_subgroup=item.subgroup)
    fields: dict[str, Any] = {
        "kind": kind,
        "subgroup": subgroup,
        "title": title,
        "url": url,
        "url_key": normalize_url(url),
        "body": body,
        "points": points,
        "code": code,
        "language": language,
    }
    if fields["url_key"] != item.url_key:
        # Only a new link is judged again: the first of two equal links
        # stays the original when it is edited.
        fields["follow_up"] = _link_in_issue(section.issue_id, fields["url_key"], exclude=item.pk)
    if credit_to is not None:
        fields.update(_credit(user, section, credit_to))
    saved = _save_version(Item, item.pk, version, fields)
    _section_changed(section)
    return saved


def _link_in_issue(issue_id: int, url_key: str, *, exclude: int = 0) -> Value | RawSQL:
    """Whether the issue already has the link, as an expression: the INSERT
    or UPDATE that writes the item works it out, one round trip fewer. Written
    out for the reason `_create_last` gives."""
    if not url_key:
        return Value(False)
    return RawSQL(
        "EXISTS (SELECT 1 FROM sections_item i JOIN sections_section s ON s.id = i.section_id"
        " WHERE s.issue_id = %s AND i.url_key = %s AND i.id <> %s)",
        [issue_id, url_key, exclude],
        output_field=BooleanField(),
    )


@transaction.atomic
def item_delete(*, item_id: int, user: Viewer) -> None:
    item = Item.objects.get(pk=item_id)
    section = _section(item.section_id)
    _require_editor(user, item, section)
    Section.objects.filter(pk=section.pk, theme_item=item).update(theme_item=None)
    item.delete()
    _section_changed(section)


@transaction.atomic
def item_set_discussed(*, item_id: int, user: Viewer, discussed: bool) -> Item:
    """Mark an item discussed in the meeting (owners and the host)."""
    item = Item.objects.get(pk=item_id)
    section = _section(item.section_id)
    require_member(user)
    require_open(section.issue, user)
    if not can_curate_section(user, section):
        raise NotAllowed(_("Only the section's owners and the host can mark items discussed."))
    Item.objects.filter(pk=item.pk).update(discussed=discussed)
    item.discussed = discussed
    _section_changed(section)
    return item


@transaction.atomic
def item_move(
    *, item_id: int, user: Viewer, direction: str = "", before_id: int | None = None
) -> None:
    """Move an item one place up or down among its neighbours (same area and
    sub-group), or (dragged) to just before another of them, or to the end
    of them with `before_id` 0; owners and the host only."""
    item = Item.objects.get(pk=item_id)
    section = Section.objects.select_for_update().select_related("issue").get(pk=item.section_id)
    require_member(user)
    require_open(section.issue, user)
    if not can_curate_section(user, section):
        raise NotAllowed(_("Only the section's owners and the host can reorder items."))
    items = list(section.items.order_by("position", "id"))
    group = [
        i for i in items if list_of(i.kind) == list_of(item.kind) and i.subgroup == item.subgroup
    ]
    index = next(n for n, i in enumerate(group) if i.pk == item.pk)
    if before_id is not None:
        _place(items, group, group[index], before_id)
    else:
        other = index - 1 if direction == "up" else index + 1
        if not 0 <= other < len(group):
            return
        a, b = items.index(group[index]), items.index(group[other])
        items[a], items[b] = items[b], items[a]
    for position, row in enumerate(items, start=1):
        row.position = position
    Item.objects.bulk_update(items, ["position"])
    _section_changed(section)


def _place(items: list[Item], group: list[Item], moving: Item, before_id: int) -> None:
    """Put `moving` before the group's item `before_id` (0: after the group's
    last), keeping every other row where it was."""
    if before_id == moving.pk:
        return
    rest = [i for i in group if i.pk != moving.pk]
    if before_id == 0:
        anchor = items.index(rest[-1]) + 1 if rest else items.index(moving)
    else:
        target = next((i for i in rest if i.pk == before_id), None)
        if target is None:
            raise Invalid(_("Items can only be moved among their neighbours of the same group."))
        anchor = items.index(target)
    if items.index(moving) < anchor:
        anchor -= 1
    items.remove(moving)
    items.insert(anchor, moving)


@transaction.atomic
def section_set_theme(
    *, section_id: int, user: Viewer, version: int, item_id: int | None = None, text: str = ""
) -> Section:
    """Pick the theme (本期主题) from the nominations, or write it."""
    section = _section(section_id)
    require_member(user)
    require_open(section.issue, user)
    if not can_curate_section(user, section):
        raise NotAllowed(_("Only the section's owners and the host can pick the theme."))
    if not section.theme_label:
        raise Invalid(_("This section has no theme."))
    if item_id is not None:
        nomination = section.items.filter(pk=item_id, kind=Item.Kind.NOMINATION).first()
        if nomination is None:
            raise Invalid(_("Pick one of this section's nominations."))
        # A nomination may be a bare link: the link is then its name.
        fields = {"theme": nomination.title or nomination.url, "theme_item": nomination}
    else:
        fields = {"theme": text.strip(), "theme_item": None}
    saved = Section.objects.filter(pk=section.pk, version=version).update(
        **fields, version=F("version") + 1
    )
    current = Section.objects.get(pk=section.pk)
    if not saved:
        raise StaleWrite(current)
    _section_changed(section)
    return current


# Questions and answers


def _check_question_shape(
    section: Section, subgroup: str, current_subgroup: str | None = None
) -> None:
    if section.kind != SectionKind.QUESTIONS:
        raise Invalid(_("This section does not take questions."))
    if subgroup and subgroup not in section.subgroups and subgroup != current_subgroup:
        raise Invalid(_("This section has no sub-group “%(name)s”.") % {"name": subgroup})


def _first_status(user: Viewer, section: Section) -> str:
    """Under pre-moderation a member's post waits for approval; the
    moderators' own posts (admins, the issue's host) do not."""
    if moderation_mode(section.issue) == "pre" and not can_curate_issue(user, section.issue):
        return PostStatus.PENDING
    return PostStatus.VISIBLE


@transaction.atomic
def question_ask(
    *, section: Section, user: Viewer, body: str, subgroup: str = "", credit_to: str = ""
) -> Question:
    limit = section.issue.series.questions_per_minute
    user = _require_poster(user, section, action="question", per_minute=limit)
    _check_question_shape(section, subgroup)
    _section_changed(section)
    return _create_last(
        Question,
        section,
        subgroup=subgroup,
        body=body,
        status=_first_status(user, section),
        submitted_by=user,
        **_credit(user, section, credit_to),
    )


@transaction.atomic
def question_update(
    *,
    question_id: int,
    user: Viewer,
    version: int,
    body: str,
    subgroup: str,
    credit_to: str | None = None,
) -> Question:
    question = Question.objects.get(pk=question_id)
    section = _section(question.section_id)
    user = _require_editor(user, question, section)
    _check_question_shape(section, subgroup, current_subgroup=question.subgroup)
    fields = {"body": body, "subgroup": subgroup}
    if credit_to is not None:
        fields.update(_credit(user, section, credit_to))
    saved = _save_version(Question, question.pk, version, fields)
    _question_changed(question, section)
    return saved


@transaction.atomic
def question_delete(*, question_id: int, user: Viewer) -> None:
    question = Question.objects.get(pk=question_id)
    section = _section(question.section_id)
    user = _require_editor(user, question, section)
    answered_by_others = question.answers.exclude(submitted_by=user).exists()
    if answered_by_others and not can_curate_section(user, section):
        raise NotAllowed(_("Others have answered this question; it can no longer be deleted."))
    question.delete()
    _section_changed(section)


def _require_asker_or_curator(user: Viewer, question: Question, section: Section) -> None:
    require_member(user)
    require_open(section.issue, user)
    asker = user.pk in (question.author_id, question.submitted_by_id)
    if not (asker or can_curate_section(user, section)):
        raise NotAllowed(_("Only the asker and the host can do that."))


@transaction.atomic
def question_set_answered(*, question_id: int, user: Viewer, answered: bool) -> Question:
    question = Question.objects.get(pk=question_id)
    section = _section(question.section_id)
    _require_asker_or_curator(user, question, section)
    Question.objects.filter(pk=question.pk).update(answered=answered)
    _question_changed(question, section)
    question.answered = answered
    return question


@transaction.atomic
def question_vote(*, question_id: int, user: Viewer) -> bool:
    """Toggle the member's vote; returns whether they now vote for it."""
    question = Question.objects.get(pk=question_id)
    section = _section(question.section_id)
    user = _require_poster(user, section, action="vote", per_minute=VOTES_PER_MINUTE)
    _require_visible(question)
    if user.pk in (question.author_id, question.submitted_by_id):
        raise NotAllowed(_("You cannot vote for your own question."))
    _question_changed(question, section)
    removed, _deleted = Vote.objects.filter(question=question, member=user).delete()
    if removed:
        return False
    try:
        with transaction.atomic():
            Vote.objects.create(question=question, member=user)
    except IntegrityError:
        pass  # the same member's second click raced the first; one vote stands
    return True


@transaction.atomic
def answer_post(
    *, question_id: int, user: Viewer, body: str, parent_id: int | None = None, credit_to: str = ""
) -> Answer:
    question = Question.objects.get(pk=question_id)
    section = _section(question.section_id)
    limit = section.issue.series.answers_per_minute
    user = _require_poster(user, section, action="answer", per_minute=limit)
    _require_visible(question)
    if question.locked:
        raise NotAllowed(_("This thread is locked: it takes no more answers."))
    if parent_id is not None and not question.answers.filter(pk=parent_id).exists():
        raise Invalid(_("You can only reply to an answer of this question."))
    _question_changed(question, section)
    return Answer.objects.create(
        question=question,
        parent_id=parent_id,
        body=body,
        status=_first_status(user, section),
        submitted_by=user,
        **_credit(user, section, credit_to),
    )


@transaction.atomic
def answer_update(
    *, answer_id: int, user: Viewer, version: int, body: str, credit_to: str | None = None
) -> Answer:
    answer = Answer.objects.select_related("question").get(pk=answer_id)
    section = _section(answer.question.section_id)
    user = _require_editor(user, answer, section)
    fields = {"body": body}
    if credit_to is not None:
        fields.update(_credit(user, section, credit_to))
    saved = _save_version(Answer, answer.pk, version, fields)
    _question_changed(answer.question, section)
    return saved


@transaction.atomic
def answer_delete(*, answer_id: int, user: Viewer) -> None:
    answer = Answer.objects.select_related("question").get(pk=answer_id)
    section = _section(answer.question.section_id)
    _require_editor(user, answer, section)
    if answer.replies.exists() and not can_curate_section(user, section):
        raise NotAllowed(_("This answer has replies; edit it instead of deleting it."))
    answer.delete()
    _question_changed(answer.question, section)


@transaction.atomic
def answer_accept(*, answer_id: int, user: Viewer, accepted: bool) -> Answer:
    """Accept one answer of a question (the asker or the host); accepting it
    marks the question answered and withdraws any earlier acceptance."""
    answer = Answer.objects.select_related("question").get(pk=answer_id)
    question = answer.question
    section = _section(question.section_id)
    _require_asker_or_curator(user, question, section)
    _question_changed(question, section)
    if accepted:
        question.answers.exclude(pk=answer.pk).update(accepted=False)
        Question.objects.filter(pk=question.pk).update(answered=True)
    Answer.objects.filter(pk=answer.pk).update(accepted=accepted)
    answer.accepted = accepted
    return answer
