"""The edit history of items, questions and answers: which fields are a
post's words, and how an edit of them is written down.

An edit is an AuditEvent ("item.edit", "question.edit", "answer.edit") with
the fields it changed, before and after, written by the service inside its
transaction. A moderator's edit on approval is already one ("question.
edit-approve", whose snapshot holds the body): the history reads it as it is
rather than writing it twice. `edited_at` on the post says it has a history.
"""

from typing import TYPE_CHECKING, Any

from accounts.models import User
from accounts.services import audit_record

from .models import Answer, Attributed, Item, Question

if TYPE_CHECKING:
    from talk.models import Issue

# What the history keeps of each kind of post: what it says, not how it is
# credited or placed (position, discussed, moderation have their own logs).
WORDS: dict[type[Attributed], tuple[str, ...]] = {
    Item: ("kind", "subgroup", "title", "url", "body", "points", "code", "language"),
    Question: ("subgroup", "body"),
    Answer: ("body",),
}
# The actions whose rows hold an edit of a post's words.
EDITS = ("edit", "edit-approve")

type Changes = dict[str, tuple[Any, Any]]


def edit_actions(model: type[Attributed]) -> list[str]:
    return [f"{model._meta.model_name}.{edit}" for edit in EDITS]


def words_changed(post: Attributed, fields: dict[str, Any]) -> Changes:
    """The post's words that writing `fields` would change: before, after."""
    return {
        name: (getattr(post, name), fields[name])
        for name in WORDS[type(post)]
        if name in fields and fields[name] != getattr(post, name)
    }


def edit_record(*, actor: User, post: Attributed, changes: Changes, issue: "Issue") -> None:
    audit_record(
        actor=actor,
        action=f"{post._meta.model_name}.edit",
        target=post,
        scope=f"{issue.series.slug}/{issue.code}",
        before={name: before for name, (before, _after) in changes.items()},
        after={name: after for name, (_before, after) in changes.items()},
    )
