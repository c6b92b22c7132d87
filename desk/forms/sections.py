from django import forms
from django.core.validators import URLValidator
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from sections.invisible import made_visible, refuse_hidden
from sections.models import Item
from sections.services import item_kinds

BODY_MAX = 20_000
POST_MAX = 5_000


class LinkField(forms.URLField):
    """An http(s) link; anything else (javascript:, data:, ftp:) is refused,
    and so is one with characters that would make it read as another."""

    default_validators = [URLValidator(schemes=["http", "https"]), refuse_hidden]

    def __init__(self, **kwargs):
        super().__init__(assume_scheme="https", max_length=2000, **kwargs)


class LineField(forms.CharField):
    """A title or a name: refused if it holds invisible characters."""

    default_validators = [refuse_hidden]


class ProseField(forms.CharField):
    """What a member writes at length: invisible characters are kept, written
    out where they stood, so they show instead of acting."""

    def to_python(self, value):
        return made_visible(super().to_python(value))


def _subgroup_choices(subgroups: list[str], current: str = ""):
    names = list(subgroups)
    if current and current not in names:
        names.append(current)  # an imported sub-group the template lacks
    return [("", _("(none)")), *((name, name) for name in names)]


class CreditMixin:
    """Owners and the host may credit someone else; the field is theirs only."""

    def _offer_credit(self, may_credit: bool) -> None:
        if not may_credit:
            del self.fields["credit_to"]

    @property
    def credit(self) -> str | None:
        return self.cleaned_data.get("credit_to") if "credit_to" in self.fields else None


CREDIT_HELP = _("A member's alias, or the name of someone without an account (e.g. 群友).")


class ItemForm(CreditMixin, forms.Form):
    kind = forms.ChoiceField(label=_("Kind"))
    subgroup = forms.ChoiceField(label=_("Sub-group"), required=False)
    title = LineField(label=_("Title"), max_length=300, required=False)
    url = LinkField(label=_("Link"), required=False)
    body = ProseField(
        label=_("Summary"),
        max_length=BODY_MAX,
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Markdown: **bold**, lists, links, ```code``` blocks."),
    )
    points = ProseField(
        label=_("Points"),
        max_length=BODY_MAX,
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Sub-points or an outline, one per line: they are numbered for you."),
    )
    code = ProseField(
        label=_("Code"),
        max_length=BODY_MAX,
        required=False,
        strip=False,
        widget=forms.Textarea(attrs={"rows": 4}),
    )
    language = LineField(
        label=_("Code language"), max_length=30, required=False, help_text=_("For example python.")
    )
    credit_to = LineField(
        label=_("Credit to"), max_length=80, required=False, help_text=CREDIT_HELP
    )
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)
    link_check_id = ""

    def __init__(self, *args, section, may_credit: bool, item: Item | None = None, **kwargs):
        key = f"item-{item.pk}" if item else f"section-{section.pk}-new"
        kwargs.setdefault("auto_id", f"{key}-%s")
        super().__init__(*args, **kwargs)
        self.fields["kind"].choices = [(k, Item.Kind(k).label) for k in item_kinds(section)]
        self.fields["subgroup"].choices = _subgroup_choices(
            section.subgroups, item.subgroup if item else ""
        )
        if not section.subgroups and not (item and item.subgroup):
            del self.fields["subgroup"]
        self._offer_credit(may_credit)
        if item is None:
            del self.fields["version"]
            self._check_link(section)

    def _check_link(self, section) -> None:
        """While a member types or pastes a link into the add form, the desk
        says where it was shared before (views.link_check). `input` covers a
        paste too: a `paste` trigger would fire before the text is in."""
        self.link_check_id = f"link-check-{section.pk}"
        self.fields["url"].widget.attrs.update(
            {
                "hx-get": reverse("link-check", args=[section.pk]),
                "hx-trigger": "input changed delay:400ms",
                "hx-sync": "this:replace",
                "hx-target": f"#{self.link_check_id}",
                "hx-swap": "outerHTML",
                "aria-describedby": self.link_check_id,
            }
        )

    @classmethod
    def initial_for(cls, item: Item) -> dict:
        return {
            "kind": item.kind,
            "subgroup": item.subgroup,
            "title": item.title,
            "url": item.url,
            "body": item.body,
            "points": item.points,
            "code": item.code,
            "language": item.language,
            "credit_to": item.attribution,
            "version": item.version,
        }

    def clean(self):
        cleaned = super().clean()
        # Code keeps its spaces (strip=False), but spaces alone are no code.
        if cleaned.get("code") and not cleaned["code"].strip():
            cleaned["code"] = ""
        if not any(cleaned.get(name) for name in ("title", "url", "body", "code")):
            raise forms.ValidationError(_("Give at least a title, a link, a summary or some code."))
        return cleaned

    @property
    def fields_for_service(self) -> dict:
        data = self.cleaned_data
        return {
            "kind": data["kind"],
            "subgroup": data.get("subgroup", ""),
            "title": data["title"],
            "url": data["url"],
            "body": data["body"],
            "points": data["points"],
            "code": data["code"],
            "language": data["language"],
        }


class QuestionForm(CreditMixin, forms.Form):
    body = ProseField(
        label=_("Question"),
        max_length=POST_MAX,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Markdown works here."),
    )
    subgroup = forms.ChoiceField(label=_("Where"), required=False)
    credit_to = LineField(label=_("Asked by"), max_length=80, required=False, help_text=CREDIT_HELP)
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)

    def __init__(self, *args, section, may_credit: bool, question=None, **kwargs):
        key = f"question-{question.pk}" if question else f"section-{section.pk}-ask"
        kwargs.setdefault("auto_id", f"{key}-%s")
        super().__init__(*args, **kwargs)
        self.fields["subgroup"].choices = _subgroup_choices(
            section.subgroups, question.subgroup if question else ""
        )
        if not section.subgroups:
            del self.fields["subgroup"]
        elif question is None:
            # A new question goes under the first sub-group (线上讨论) unless
            # the asker picks another: one left without goes above them all,
            # and would move every number below it.
            self.fields["subgroup"].initial = section.subgroups[0]
        self._offer_credit(may_credit)
        if question is None:
            del self.fields["version"]


class AnswerForm(CreditMixin, forms.Form):
    body = ProseField(
        label=_("Answer"), max_length=POST_MAX, widget=forms.Textarea(attrs={"rows": 3})
    )
    parent = forms.IntegerField(widget=forms.HiddenInput, required=False)
    credit_to = LineField(
        label=_("Answered by"), max_length=80, required=False, help_text=CREDIT_HELP
    )
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)

    def __init__(self, *args, may_credit: bool, answer=None, key: str = "", **kwargs):
        # Several answer and reply forms can be open on one page at once.
        kwargs.setdefault("auto_id", f"answer-{answer.pk}-%s" if answer else f"answer-new-{key}-%s")
        super().__init__(*args, **kwargs)
        self._offer_credit(may_credit)
        if answer is None:
            del self.fields["version"]


class ThemeForm(forms.Form):
    nomination = forms.IntegerField(required=False)
    text = LineField(label=_("Theme"), max_length=300, required=False)
    version = forms.IntegerField(widget=forms.HiddenInput)


class ReportForm(forms.Form):
    reason = ProseField(
        label=_("What is wrong with it?"),
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("Only the moderators see your report."),
    )

    def __init__(self, *args, key: str, **kwargs):
        # One report form per post can be open on a page.
        kwargs.setdefault("auto_id", f"report-{key}-%s")
        super().__init__(*args, **kwargs)


class ChatLineForm(forms.Form):
    text = ProseField(label=_("Say in the chat"), max_length=1_000)

    def __init__(self, *args, section, **kwargs):
        kwargs.setdefault("auto_id", f"section-{section.pk}-chat-%s")
        super().__init__(*args, **kwargs)


class ChatPasteForm(forms.Form):
    text = ProseField(
        label=_("Paste from the group chat"),
        max_length=100_000,
        widget=forms.Textarea(attrs={"rows": 6}),
        help_text=_(
            "Messages copied from WeChat, WeCom or Feishu: “name time” with the message "
            "below, or “name: message”. Names that are members' aliases become those members."
        ),
    )

    def __init__(self, *args, section, **kwargs):
        kwargs.setdefault("auto_id", f"section-{section.pk}-paste-%s")
        super().__init__(*args, **kwargs)


class ChatHideForm(forms.Form):
    reason = LineField(label=_("Why hide it?"), max_length=500)

    def __init__(self, *args, line, **kwargs):
        kwargs.setdefault("auto_id", f"chat-{line.pk}-hide-%s")
        super().__init__(*args, **kwargs)


class GuestQuestionForm(forms.Form):
    nickname = LineField(
        label=_("Your nickname"),
        max_length=40,
        help_text=_("Shown with your question; not a member's alias, not an email address."),
    )
    body = ProseField(
        label=_("Your question"), max_length=POST_MAX, widget=forms.Textarea(attrs={"rows": 3})
    )

    def __init__(self, *args, section, **kwargs):
        kwargs.setdefault("auto_id", f"section-{section.pk}-guest-%s")
        super().__init__(*args, **kwargs)
