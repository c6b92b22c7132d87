"""What the services of sections share: loading and locking a section, who
may post there, crediting a post, and saving a version."""

import unicodedata
from typing import Any

from django.db import connection
from django.db.models import F, Model
from django.db.models.expressions import RawSQL
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accounts.models import User, Viewer

from .. import events, history
from ..errors import Invalid, NotAllowed, StaleWrite
from ..models import (
    Answer,
    Attributed,
    Item,
    PostStatus,
    Question,
    Section,
)
from ..policy import (
    can_curate_issue,
    can_curate_section,
    can_edit_post,
    is_own,
    owns_section,
    require_member,
    require_open,
)
from ..ratelimit import rate_limit


def _section_changed(section: Section) -> None:
    events.announce(section.issue_id, events.SECTION, id=section.pk)


def _question_changed(question: Question, section: Section) -> None:
    events.announce(section.issue_id, events.QUESTION, id=question.pk, section=section.pk)


def _tell_posted(post: Question | Answer, section: Section, user: User | None) -> None:
    """A new post: an answer tells whom it answers; one that waits for
    approval tells its author so, and the stewards that it waits."""
    kind = "answer" if isinstance(post, Answer) else "question"
    issue_id = section.issue_id
    if post.status == PostStatus.PENDING:
        events.tell(
            "post_moderated", issue_id=issue_id, actor=None, status=post.status, **{kind: post.pk}
        )
        events.tell("review_needed", issue_id=issue_id, actor=user, **{kind: post.pk})
    elif isinstance(post, Answer):
        events.tell(
            "answered",
            issue_id=issue_id,
            actor=user,
            answer=post.pk,
            reply=post.parent_id is not None,
        )


def _tell_curated(section: Section, user: Viewer, item: Item | None = None) -> None:
    """Someone else than its owners changed what a section holds (an item
    they did not write, its order, its theme): the owners hear of it."""
    if owns_section(user, section) or (item is not None and is_own(user, item)):
        return
    if section.claims.all():
        events.tell("section_curated", issue_id=section.issue_id, actor=user, section=section.pk)


def _tell_credited(item: Item, user: User, before: int | None = None) -> None:
    """An item credited to another member (newly): they hear of it."""
    if item.author_id not in (None, user.pk, before):
        issue_id = item.section.issue_id
        events.tell("credited", issue_id=issue_id, actor=user, item=item.pk)


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


def _names_an_email(name: str) -> bool:
    """A name shown publicly that may be an email address, judged as a
    browser may type it: NFKC turns a full-width "＠" into "@"."""
    return "@" in unicodedata.normalize("NFKC", name)


def _credit(user: User, section: Section, credit_to: str | None) -> dict[str, Any]:
    """Who a new or edited post is attributed to.

    Owners and the host may credit another member (by alias) or a plain name,
    for content brought from the group chat; everyone else posts as themselves.
    """
    # Names from the chat are often pasted as the corpus writes them, "--初七"
    # or "—初七": the dashes are the record's, not the name's.
    credit_to = (credit_to or "").strip().lstrip("-—–~ ").strip()
    if _names_an_email(credit_to):
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


def _save_edit[P: Attributed](
    post: P, version: int, fields: dict[str, Any], *, user: User, section: Section
) -> P:
    """`_save_version` for an edit of a post read just before: what it
    changes of the post's words goes into its history in the same
    transaction, so a stale or refused edit records nothing. `post` is the
    row at `version` whenever the conditional UPDATE succeeds."""
    changes = history.words_changed(post, fields)
    if changes:
        fields = {**fields, "edited_at": timezone.now()}
    saved = _save_version(type(post), post.pk, version, fields)
    if changes:
        history.edit_record(actor=user, post=saved, changes=changes, issue=section.issue)
    return saved


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
