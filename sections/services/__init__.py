"""Business rules for sections: claims, items, questions, answers, votes.

Every function checks permission itself (views may not), runs in one
transaction, and raises a `DeskError` the view can show. Edits carry the
version the editor started from and save with a conditional UPDATE, so two
people saving the same row never silently overwrite each other.

One module per area: `claims`, `items` (and the theme), `questions` (and
answers, votes), `guests` (visitors' questions and votes), `chat` (聊天区);
`rules` holds what they share.
"""

from .chat import chat_line_hide, chat_line_restore, chat_paste, chat_say
from .claims import section_claim, section_release
from .guests import guest_vote_key, question_ask_as_guest, question_vote_as_guest
from .items import (
    item_delete,
    item_kinds,
    item_move,
    item_set_discussed,
    item_submit,
    item_update,
    section_set_theme,
)
from .questions import (
    VOTES_PER_MINUTE,
    answer_accept,
    answer_delete,
    answer_post,
    answer_update,
    question_ask,
    question_delete,
    question_set_answered,
    question_update,
    question_vote,
)

__all__ = [
    "VOTES_PER_MINUTE",
    "answer_accept",
    "answer_delete",
    "answer_post",
    "answer_update",
    "chat_line_hide",
    "chat_line_restore",
    "chat_paste",
    "chat_say",
    "guest_vote_key",
    "item_delete",
    "item_kinds",
    "item_move",
    "item_set_discussed",
    "item_submit",
    "item_update",
    "question_ask",
    "question_ask_as_guest",
    "question_delete",
    "question_set_answered",
    "question_update",
    "question_vote",
    "question_vote_as_guest",
    "section_claim",
    "section_release",
    "section_set_theme",
]
