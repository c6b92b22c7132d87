"""Domain errors. Views turn them into a form error or a 4xx with words."""

from django.db.models import Model
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _


class DeskError(Exception):
    """Something the user asked for cannot be done; `message` says why."""

    status = 400
    default_message = _("That cannot be done.")

    def __init__(self, message: str | Promise | None = None) -> None:
        self.message = message or self.default_message
        super().__init__(str(self.message))


class NotAllowed(DeskError):
    status = 403
    default_message = _("You are not allowed to do that.")


class Gone(DeskError):
    """What a request names is not there (deleted or moved meanwhile)."""

    status = 404
    default_message = _(
        "That is no longer here: it was deleted or moved. Reload the page to see it now."
    )


class IssueClosed(DeskError):
    status = 409
    default_message = _("This issue is frozen: its content can no longer change.")


class SectionFull(DeskError):
    status = 409

    def __init__(self, holders: list[str]) -> None:
        self.holders = holders
        super().__init__(
            _("This section is already claimed by %(holders)s.") % {"holders": "、".join(holders)}
        )


class RoleTaken(DeskError):
    status = 409


class StaleWrite(DeskError):
    """Someone saved a newer version first; `current` is what they saved."""

    status = 409
    default_message = _(
        "Someone saved a newer version while you were editing. "
        "Theirs is shown with yours: merge what you need and save again."
    )

    def __init__(self, current: Model) -> None:
        self.current = current
        super().__init__()


class RateLimited(DeskError):
    status = 429
    default_message = _("You are posting too fast. Wait a minute and try again.")


class Invalid(DeskError):
    """Input a form could not catch, such as a sub-group the section lacks."""

    status = 400
