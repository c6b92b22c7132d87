import zoneinfo

from django import forms
from django.contrib.auth import password_validation
from django.contrib.auth.forms import AuthenticationForm
from django.utils.translation import gettext_lazy as _

from .models import ALIAS_MAX_LENGTH, User, validate_alias


def time_zone_choices():
    return [("", _("Automatic (from your browser)"))] + [
        (name, name) for name in sorted(zoneinfo.available_timezones()) if "/" in name
    ]


class LoginForm(AuthenticationForm):
    username = forms.CharField(
        label=_("Alias"),
        max_length=ALIAS_MAX_LENGTH,
        widget=forms.TextInput(attrs={"autofocus": True}),
    )


class SignUpForm(forms.Form):
    alias = forms.CharField(
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
        fields = ["language", "time_zone", "email"]
