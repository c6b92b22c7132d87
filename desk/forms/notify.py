from django import forms
from django.utils.translation import gettext_lazy as _

from notify.bots import Platform, needs_chat_id, needs_secret, spec
from notify.kinds import FOR_BOTS, Email
from notify.selectors import Choice


class PreferencesForm(forms.Form):
    """One row per kind: in the inbox (a checkbox), by email (a choice)."""

    def __init__(self, *args, choices: list[Choice], **kwargs):
        super().__init__(*args, **kwargs)
        self.rows = []
        for choice in choices:
            inbox = forms.BooleanField(
                label=_("In the inbox"), required=False, initial=choice.inbox
            )
            email = forms.ChoiceField(label=_("By email"), choices=Email, initial=choice.email)
            self.fields[f"{choice.kind}-inbox"] = inbox
            self.fields[f"{choice.kind}-email"] = email
            self.rows.append((choice, self[f"{choice.kind}-inbox"], self[f"{choice.kind}-email"]))

    def chosen(self) -> dict[str, tuple[bool, str]]:
        data = self.cleaned_data
        return {
            choice.kind: (data[f"{choice.kind}-inbox"], data[f"{choice.kind}-email"])
            for choice, _inbox, _email in self.rows
        }


class BotForm(forms.Form):
    platform = forms.ChoiceField(label=_("Platform"), choices=Platform)
    name = forms.CharField(
        label=_("Name"), max_length=80, help_text=_("Which chat it posts to; seen by admins only.")
    )
    # Neither is ever shown again once saved: left empty on a change, the
    # saved one stays.
    url = forms.URLField(
        label=_("Webhook URL"),
        max_length=500,
        required=False,
        assume_scheme="https",
        help_text=_("For Telegram: https://api.telegram.org. Never shown again once saved."),
        widget=forms.PasswordInput(render_value=False),
    )
    secret = forms.CharField(
        label=_("Secret"),
        max_length=200,
        required=False,
        help_text=_(
            "Feishu and DingTalk: the signing secret. Telegram: the bot's token. Generic: the "
            "HMAC key. Never shown again once saved."
        ),
        widget=forms.PasswordInput(render_value=False),
    )
    chat_id = forms.CharField(
        label=_("Chat id"), max_length=100, required=False, help_text=_("Telegram only.")
    )
    kinds = forms.MultipleChoiceField(
        label=_("What it is told"),
        choices=[(kind.value, kind.label) for kind in FOR_BOTS],
        widget=forms.CheckboxSelectMultiple,
        initial=[kind.value for kind in FOR_BOTS],
        error_messages={"required": _("Choose at least one thing to tell this chat.")},
    )
    active = forms.BooleanField(label=_("Active"), required=False, initial=True)

    def __init__(self, *args, saved_platform: str = "", **kwargs):
        """`saved_platform`: the platform of the bot being changed (empty for
        a new one)."""
        super().__init__(*args, **kwargs)
        self.saved_platform = saved_platform
        if saved_platform:
            self.fields["url"].help_text = _("Saved. Leave empty to keep it.")
            self.fields["secret"].help_text = _("Leave empty to keep the saved one, if any.")
        else:
            # Nothing is saved yet: a form sent back with an error keeps what
            # the admin typed, to their own screen only.
            for name in ("url", "secret"):
                self.fields[name].widget.render_value = True

    def clean(self):
        data = super().clean()
        platform = data.get("platform", "")
        # A new bot, or one moved to another platform: the saved address and
        # secret were the old platform's.
        fresh = platform != self.saved_platform
        if platform and fresh and not data.get("url"):
            data["url"] = spec(platform).default_url
        if fresh and not data.get("url"):
            self.add_error("url", _("This platform needs its webhook URL."))
        if fresh and needs_secret(platform) and not data.get("secret"):
            self.add_error("secret", _("This platform needs its secret."))
        if needs_chat_id(platform) and not data.get("chat_id"):
            self.add_error("chat_id", _("This platform needs the chat's id."))
        return data
