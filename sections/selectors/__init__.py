"""Reads of sections, claims, items and Q&A, by what they select:

- `views`: the typed view objects the page reads (SectionView, ItemView…);
- `page`: the issue page and its fragments, built as those objects;
- `numbering`: sub-groups, question numbers, answer threads;
- `filters`: which questions the viewer asked to see (`?show=`);
- `contributors`, `references`, `carried`: what the record derives;
- `moderation`: the review queue;
- `history`: a post's edits, as its history lists them;
- `visibility`: which posts a viewer sees.
"""

from .carried import carried_links
from .contributors import new_contributor, section_contributors, split_names
from .filters import SHOWS
from .history import Version, post_history
from .moderation import ModerationQueue, QueuedReport, moderation_queue, question_numbered
from .page import (
    SORTS,
    fresh_item,
    fresh_question,
    issue_content,
    item_content,
    question_content,
    section_content,
    section_lines,
)
from .views import (
    AnswerView,
    CarriedAnswers,
    Group,
    IssueContent,
    ItemView,
    QuestionView,
    QueuedPost,
    Reference,
    SectionView,
    group_key,
)
from .visibility import SHOWN, WALKED, visible_posts

__all__ = [
    "SHOWN",
    "SHOWS",
    "SORTS",
    "WALKED",
    "AnswerView",
    "CarriedAnswers",
    "Group",
    "IssueContent",
    "ItemView",
    "ModerationQueue",
    "QuestionView",
    "QueuedPost",
    "QueuedReport",
    "Reference",
    "SectionView",
    "Version",
    "carried_links",
    "fresh_item",
    "fresh_question",
    "group_key",
    "issue_content",
    "item_content",
    "moderation_queue",
    "new_contributor",
    "post_history",
    "question_content",
    "question_numbered",
    "section_content",
    "section_contributors",
    "section_lines",
    "split_names",
    "visible_posts",
]
