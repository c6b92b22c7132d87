from django import forms
from django.utils.translation import gettext_lazy as _

from talk.services import CHANGE_NOTE_MAX

from .sections import LineField, ProseField


class FreezeForm(forms.Form):
    note = ProseField(
        label=_("What changed"),
        required=False,
        max_length=CHANGE_NOTE_MAX,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("Needed for a correction: it goes into the changelog."),
    )


class HighlightsForm(forms.Form):
    text = LineField(
        label=_("Highlights (本期提要)"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("Topics separated by ；, as in “A；B；C；”."),
    )
    version = forms.IntegerField(widget=forms.HiddenInput)

    def rebased(self, current) -> "HighlightsForm":
        """The same typed text, aimed at the newer version; the newer text
        is shown beside it (`newer`) so the host merges and saves again."""
        data = self.data.copy()
        data["version"] = str(current.version)
        form = HighlightsForm(data)
        form.is_valid()
        form.newer = current.highlights
        return form
