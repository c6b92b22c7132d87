from django import forms
from django.utils.translation import gettext_lazy as _


class FreezeForm(forms.Form):
    note = forms.CharField(
        label=_("What changed"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("Needed for a correction: it goes into the changelog."),
    )
