from django import forms
from django.conf import settings
from django.contrib.auth import password_validation
from django.contrib.auth.forms import AuthenticationForm, UsernameField
from django.utils import timezone
from django.utils.translation import get_language_info
from django.utils.translation import gettext_lazy as _

from accounts.models import ALIAS_MAX_LENGTH, User, known_time_zones, validate_alias
from accounts.selectors import canonical_alias
from talk.services import INVITATION_MAX_USES, INVITATION_VALID_FOR

from .sections import LineField


def time_zone_choices():
    return [("", _("Automatic (from your browser)"))] + [
        (name, name) for name in sorted(known_time_zones()) if "/" in name
    ]


class LoginForm(AuthenticationForm):
    username = UsernameField(
        label=_("Alias"),
        max_length=ALIAS_MAX_LENGTH,
        widget=forms.TextInput(attrs={"autofocus": True}),
    )
    # Django's own words say both fields may be case-sensitive; an alias is not.
    error_messages = {
        **AuthenticationForm.error_messages,
        "invalid_login": _(
            "Please enter a correct alias and password. The password is case-sensitive; "
            "the alias is not."
        ),
    }

    def clean_username(self):
        return canonical_alias(self.cleaned_data["username"])


class SignUpForm(forms.Form):
    # UsernameField applies NFKC, as the model does, so the uniqueness check
    # below sees the alias that will be stored.
    alias = UsernameField(
        label=_("Alias"),
        max_length=ALIAS_MAX_LENGTH,
        validators=[validate_alias],
        help_text=_("Shown next to everything you contribute. Do not use your real name."),
    )
    email = forms.EmailField(
        label=_("Email (optional)"),
        required=False,
        help_text=_("Private; only used to reset your password."),
    )
    password1 = forms.CharField(
        label=_("Password"),
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
        help_text=password_validation.password_validators_help_text_html(),
    )
    password2 = forms.CharField(
        label=_("Password again"),
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
    )

    def clean_alias(self):
        alias = self.cleaned_data["alias"]
        if User.objects.filter(alias__iexact=alias).exists():
            raise forms.ValidationError(_("That alias is taken. Choose another."))
        return alias

    def clean(self):
        cleaned = super().clean()
        first, second = cleaned.get("password1"), cleaned.get("password2")
        if first and second and first != second:
            self.add_error("password2", _("The two passwords differ."))
        elif first:
            candidate = User(alias=cleaned.get("alias", ""), email=cleaned.get("email", ""))
            try:
                password_validation.validate_password(first, candidate)
            except forms.ValidationError as error:
                self.add_error("password1", error)
        return cleaned


class PreferencesForm(forms.ModelForm):
    time_zone = forms.ChoiceField(label=_("Time zone"), choices=time_zone_choices, required=False)

    class Meta:
        model = User
        fields = ["language", "time_zone", "email", "public_profile"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # An empty language, like an empty zone, follows the browser; say so
        # rather than Django's "Select an option". Each language is named in
        # itself, as the header's switch does: whoever reads the page in the
        # wrong one still finds their own.
        self.fields["language"].choices = [
            ("", _("Automatic (from your browser)")),
            *((code, get_language_info(code)["name_local"]) for code, _name in settings.LANGUAGES),
        ]


class SuspendForm(forms.Form):
    until = forms.DateField(
        label=_("Until"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}),
        help_text=_("The suspension ends at the start of this day. Empty: for good."),
    )
    reason = forms.CharField(
        label=_("Reason"),
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("The member sees it when they try to post."),
    )


def _default_expiry():
    # To the minute: the field shows no seconds, and would send none back.
    return (timezone.now() + INVITATION_VALID_FOR).replace(second=0, microsecond=0)


class InvitationForm(forms.Form):
    note = LineField(
        label=_("Note"),
        max_length=200,
        required=False,
        help_text=_("Who it is for. Only admins and you see it."),
    )
    max_uses = forms.IntegerField(
        label=_("Uses allowed"),
        min_value=1,
        max_value=INVITATION_MAX_USES,
        initial=1,
        help_text=_("How many people can sign up with this link."),
    )
    # Filled in with the default, which the admin may change; left empty, the
    # default still holds rather than an error asking for a date.
    expires_at = forms.DateTimeField(
        label=_("Expires at"),
        required=False,
        initial=_default_expiry,
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
        help_text=_("A week from now unless you choose another time (in your time zone)."),
    )

    def clean_expires_at(self):
        return self.cleaned_data["expires_at"] or _default_expiry()
