"""The snapshot of an issue: everything its record holds, as plain data.

A revision stores it when the issue is frozen; every export renders from it
alone, never from the live tables, so a revision renders the same bytes today
and in a year. It is also the JSON export (docs/export-schema.md).
"""

import datetime
import re
import zoneinfo
from typing import Any

from sections import record as words
from sections.models import Item
from sections.selectors import AnswerView, QuestionView, SectionView, issue_content

from .models import Issue

SCHEMA = "issue-desk/issue@1"


def snapshot_build(
    issue: Issue,
    *,
    revision: int | None = None,
    note: str = "",
    frozen_at: datetime.datetime | None = None,
) -> dict[str, Any]:
    """The issue as everyone may read it (no pending or hidden posts)."""
    content = issue_content(issue, viewer=None)
    zone = zoneinfo.ZoneInfo(issue.series.meeting_time_zone)
    series = issue.series
    return {
        "schema": SCHEMA,
        "series": {
            "slug": series.slug,
            "name": series.name,
            "origin": series.origin,
            "structure": series.structure,
            "privacy_notice": series.privacy_notice,
            "notices": series.notices,
            "time_zone": series.meeting_time_zone,
        },
        "number": issue.number,
        "code": issue.code,
        "label": issue.label,
        "title": issue.title,
        "meeting_at": issue.meeting_at.astimezone(zone).isoformat() if issue.meeting_at else None,
        "revision": {
            "number": revision,
            "note": note,
            "frozen_at": frozen_at.astimezone(zone).isoformat() if frozen_at else None,
        },
        "highlights": split_highlights(issue.highlights),
        "host": issue.host_display,
        "editor": issue.editor_display,
        "video_url": issue.video_url,
        "contributors": content.contributors,
        "record": [{"label": label, "text": text} for label, text in issue.record_as_imported],
        "sections": [_section(section) for section in content.sections],
        # In the order they are read and numbered (sub-group by sub-group).
        "questions": [
            _question(question, section)
            for section in content.sections
            for question in sorted(section.numbered_questions, key=lambda q: q.number or 0)
        ],
        "chat": [
            {
                "section": section.row.key,
                "speaker": line.attribution,
                "time": line.said_at,
                "text": line.text,
            }
            for section in content.sections
            for line in section.row.chat_lines.all()
        ],
        "references": [{"title": ref.title, "url": ref.url} for ref in content.references],
    }


def split_highlights(text: str) -> list[str]:
    """本期提要 is written "A；B；C；": its parts, in order."""
    return [part.strip() for part in re.split(r"[；;]", text or "") if part.strip()]


def _section(view: SectionView) -> dict[str, Any]:
    section = view.row
    return {
        "key": section.key,
        "title": section.title,
        "kind": section.kind,
        "description": section.description,
        "time_budget_minutes": section.time_budget_minutes,
        "time_budget_wording": section.time_budget_wording,
        "optional": section.optional,
        "subgroups": list(section.subgroups),
        "has_nominations": section.has_nominations,
        "has_suggestions": section.has_suggestions,
        "owners": [member.alias for member in view.owners],
        "contributors": view.contributors,
        "contributors_written": _contributors_written(view),
        "theme_label": section.theme_label,
        "theme": section.theme,
        # Every section's: an import keeps what it could not classify as notes
        # in the section where it stood, whatever that section's kind.
        "items": [_item(item) for item in section.items.all()],
    }


def _contributors_written(view: SectionView) -> str:
    """The 【贡献者】 line as the imported text wrote it, then anyone the desk
    has added; "" once the names differ from those it wrote (edited since)."""
    section = view.row
    written = section.contributors_written
    rest = written
    for name in sorted(section.contributor_names, key=len, reverse=True):
        rest = rest.replace(name, "", 1)
    # What may stand between the names: separators and the editor's remark.
    if not written or rest.replace(f"（{words.EDITOR_LABEL}）", "").strip("、，,+；; "):
        return ""
    more = [name for name in view.contributors if name not in section.contributor_names]
    return words.NAME_SEPARATOR.join([written, *more])


def _item(item: Item) -> dict[str, Any]:
    return {
        "kind": item.kind,
        "subgroup": item.subgroup,
        "title": item.title,
        "url": item.url,
        "body": item.body,
        "points": item.point_list,
        "bulleted_points": item.bulleted_points,
        "listed": item.listed,
        "code": item.code,
        "language": item.language,
        "author": item.attribution,
        "separator": item.separator,
        "url_prefix": item.url_prefix,
    }


def _question(asked: QuestionView, section: SectionView) -> dict[str, Any]:
    question = asked.row
    origin = question.carried_from
    return {
        "number": asked.number,
        "section": section.row.key,
        "subgroup": question.subgroup,
        "body": question.body,
        "author": question.attribution,
        "answered": question.answered,
        "votes": asked.vote_count,
        "carried_over": question.carried_over or question.carried_from_id is not None,
        "carried_from": {"issue": origin.section.issue.code} if origin else None,
        "answer_line": question.answer_line,
        "answers": [_answer(answer) for answer in asked.threads],
    }


def _answer(view: AnswerView) -> dict[str, Any]:
    answer = view.row
    return {
        "body": answer.body,
        "author": answer.attribution,
        "accepted": answer.accepted,
        "replies": [_answer(reply) for reply in view.children],
    }
