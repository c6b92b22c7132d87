"""Business rules for series and issues, one module per area:

- issues: opening an issue, its host and editor roles;
- lifecycle: start, freeze, publish, correct (the moves of talk.lifecycle);
- meeting: the pointer, the spotlight, the highlights line;
- exports: a revision's files, their queue and the sweep;
- carry_over: what an issue left open, copied into the next;
- next_issue: opening the next issue, by a steward or the schedule's job;
- invitations: sign-up links handed out by admins and, where the series
  lets them, hosts;
- series: a series' settings, holidays and section templates (admins).

Callers import from here (`from talk import services`); the names below are
the whole interface. Patch a name where it is called: in its area's module.
"""

from .carry_over import CarriedOver, issue_carry_over
from .exports import (
    REQUEUE_AFTER,
    export_give_up,
    export_retry,
    export_run,
    exports_requeue,
    pdf_exports_rerender,
)
from .invitations import (
    INVITATION_MAX_USES,
    INVITATION_VALID_FOR,
    BadExpiry,
    invitation_create,
    invitation_revoke,
)
from .issues import (
    ROLES,
    IssueExists,
    issue_create,
    issue_role_claim,
    issue_role_release,
    require_new_code,
)
from .lifecycle import (
    CHANGE_NOTE_MAX,
    issue_correct,
    issue_freeze,
    issue_move,
    issue_publish,
    issue_start,
)
from .meeting import (
    NothingLeft,
    PointerMoved,
    issue_discuss_next_item,
    issue_guests_set,
    issue_highlights_save,
    issue_pointer_move,
    issue_spotlight,
    issue_spotlight_next,
)
from .next_issue import OPEN_NEXT_JOB, issue_open_next, issues_open_due
from .series import (
    SETTINGS,
    SettingInvalid,
    holiday_add,
    holiday_remove,
    section_template_move,
    section_template_save,
    series_settings_save,
)

__all__ = [
    "CHANGE_NOTE_MAX",
    "INVITATION_MAX_USES",
    "INVITATION_VALID_FOR",
    "OPEN_NEXT_JOB",
    "REQUEUE_AFTER",
    "ROLES",
    "SETTINGS",
    "BadExpiry",
    "CarriedOver",
    "IssueExists",
    "NothingLeft",
    "PointerMoved",
    "SettingInvalid",
    "export_give_up",
    "export_retry",
    "export_run",
    "exports_requeue",
    "holiday_add",
    "holiday_remove",
    "invitation_create",
    "invitation_revoke",
    "issue_carry_over",
    "issue_correct",
    "issue_create",
    "issue_discuss_next_item",
    "issue_freeze",
    "issue_guests_set",
    "issue_highlights_save",
    "issue_move",
    "issue_open_next",
    "issue_pointer_move",
    "issue_publish",
    "issue_role_claim",
    "issue_role_release",
    "issue_spotlight",
    "issue_spotlight_next",
    "issue_start",
    "issues_open_due",
    "pdf_exports_rerender",
    "require_new_code",
    "section_template_move",
    "section_template_save",
    "series_settings_save",
]
