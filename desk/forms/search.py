from django import forms
from django.utils.translation import gettext_lazy as _

from search.selectors import Filters
from sections.models import SectionKind


class SearchForm(forms.Form):
    q = forms.CharField(label=_("Search"), max_length=200, required=False)
    series = forms.SlugField(required=False, widget=forms.HiddenInput)
    order = forms.ChoiceField(
        label=_("Order"),
        choices=[("newest", _("Newest issue first")), ("relevance", _("Best match first"))],
        required=False,
    )
    kind = forms.ChoiceField(
        label=_("Section kind"),
        choices=[("", _("Any section")), *SectionKind.choices],
        required=False,
    )
    number_from = forms.IntegerField(label=_("From issue"), min_value=0, required=False)
    number_to = forms.IntegerField(label=_("To issue"), min_value=0, required=False)
    alias = forms.CharField(label=_("By"), max_length=80, required=False)
    unanswered = forms.BooleanField(label=_("Questions without an answer"), required=False)

    def clean(self):
        data = super().clean()
        low, high = data.get("number_from"), data.get("number_to")
        if low is not None and high is not None and low > high:
            self.add_error("number_to", _("The last issue comes after the first."))
        return data

    def filters(self) -> Filters:
        data = self.cleaned_data
        return Filters(
            section_kind=data.get("kind") or "",
            number_from=data.get("number_from"),
            number_to=data.get("number_to"),
            alias=(data.get("alias") or "").strip(),
            unanswered=bool(data.get("unanswered")),
        )
