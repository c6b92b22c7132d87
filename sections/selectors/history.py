"""A post's edit history as its page lists it: newest first, each version
with who, when, and a line diff of every field it changed."""

import datetime
import difflib
from dataclasses import dataclass, field
from typing import Any

from django.db.models import Field
from django.utils.functional import Promise

from accounts.models import AuditEvent

from ..history import WORDS, edit_actions
from ..models import Attributed


@dataclass(frozen=True)
class Line:
    kind: str  # "removed", "added" or "kept"
    text: str


@dataclass
class Change:
    label: str | Promise  # the field's name, translated
    lines: list[Line]


@dataclass
class Version:
    who: str  # an alias, never more of the account
    at: datetime.datetime
    # A moderator's edit while approving the post.
    on_approval: bool
    changes: list[Change] = field(default_factory=list)


def post_history(post: Attributed) -> list[Version]:
    """One query. A moderator's approval that kept the words is no version."""
    model = type(post)
    events = (
        AuditEvent.objects.filter(
            target_type=model._meta.label_lower,
            target_id=str(post.pk),
            action__in=edit_actions(model),
        )
        .select_related("actor")
        .only("at", "action", "before", "after", "actor__alias")
        .order_by("-at", "-id")
    )
    concrete = {f.name: f for f in model._meta.concrete_fields}
    words = [concrete[name] for name in WORDS[model]]
    versions = []
    for event in events:
        changes = [
            Change(
                label=word.verbose_name,
                lines=_diff(_shown(word, event.before), _shown(word, event.after)),
            )
            for word in words
            if event.before.get(word.name, "") != event.after.get(word.name, "")
        ]
        if changes:
            who = event.actor.alias if event.actor is not None else ""
            on_approval = event.action.endswith("edit-approve")
            versions.append(Version(who=who, at=event.at, on_approval=on_approval, changes=changes))
    return versions


def _shown(word: Field, snapshot: dict[str, Any]) -> str:
    """The value as a member reads it: a kind by its name, not its key."""
    value = str(snapshot.get(word.name, ""))
    return str(dict(word.flatchoices).get(value, value))


def _diff(before: str, after: str) -> list[Line]:
    """Line by line: a long text edited in one place shows that place among
    the lines kept. ndiff's "?" lines point at characters; not shown."""
    kinds = {"- ": "removed", "+ ": "added", "  ": "kept"}
    return [
        Line(kind=kinds[line[:2]], text=line[2:])
        for line in difflib.ndiff(before.splitlines(), after.splitlines())
        if line[:2] in kinds
    ]
