from django import forms
from django.core.validators import MaxValueValidator, MinValueValidator
from django.utils.dates import WEEKDAYS
from django.utils.text import capfirst

from accounts.models import known_time_zones
from sections.models import OWNER_CAP_MAX
from talk.models import Holiday, SectionTemplate, Series
from talk.services import SETTINGS

from .sections import LineField


def meeting_zone_choices():
    return [(name, name) for name in sorted(known_time_zones()) if "/" in name or name == "UTC"]


class SeriesSettingsForm(forms.ModelForm):
    """The series' settings. Each field carries the value the page was shown
    with (a hidden initial), so `changes()` is what this admin changed, not
    what differs from the database: two admins changing different settings
    at once keep both changes."""

    class Meta:
        model = Series
        fields = list(SETTINGS)
        widgets = {
            "meeting_weekday": forms.Select(choices=sorted(WEEKDAYS.items())),
            "meeting_time": forms.TimeInput(attrs={"type": "time"}, format="%H:%M"),
            "meeting_time_zone": forms.Select(choices=meeting_zone_choices),
        }
        # The weekday is chosen by its name here, not typed as a number.
        help_texts = {"meeting_weekday": ""}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for field in self.fields.values():
            field.show_hidden_initial = True

    def changes(self) -> dict:
        return {name: self.cleaned_data[name] for name in self.changed_data}


class HolidayForm(forms.ModelForm):
    note = LineField(
        label=capfirst(Holiday._meta.get_field("note").verbose_name), max_length=100, required=False
    )

    class Meta:
        model = Holiday
        fields = ["date", "note"]
        widgets = {"date": forms.DateInput(attrs={"type": "date"})}


class SectionTemplateForm(forms.ModelForm):
    """One template's row on the settings page (prefixed with its id, as a
    page holds one per template)."""

    class Meta:
        model = SectionTemplate
        fields = ["time_budget_minutes", "owner_cap"]
        widgets = {
            "owner_cap": forms.Select(choices=[(n, str(n)) for n in range(OWNER_CAP_MAX + 1)]),
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # A budget of 0 minutes would be overrun at once; empty is "no limit".
        budget = self.fields["time_budget_minutes"]
        budget.validators.append(MinValueValidator(1))
        budget.widget.attrs["min"] = 1
        # Said on the field, not as the database's constraint (owner_cap_range).
        self.fields["owner_cap"].validators.append(MaxValueValidator(OWNER_CAP_MAX))
