from django import forms
from django.conf import settings
from django.utils.translation import gettext_lazy as _

from talk.importing.service import DEFAULT_SERIES, NUL_REFUSED
from talk.models import Series

MAX_BYTES = settings.IMPORT_MAX_BYTES


class ImportForm(forms.Form):
    series = forms.ChoiceField(label=_("Series"))
    file = forms.FileField(
        label=_("File"),
        required=False,
        help_text=_("The issue as published (text taken from its PDF), or Markdown; UTF-8."),
    )
    text = forms.CharField(
        label=_("Or paste it"),
        required=False,
        strip=False,
        # Django's own message for a NUL says nothing useful (and its Chinese
        # says something else); a file with one gets the same words.
        error_messages={"null_characters_not_allowed": NUL_REFUSED},
        widget=forms.Textarea(attrs={"rows": 16, "spellcheck": "false"}),
    )
    replace = forms.BooleanField(
        label=_("Replace the issue with the same number if it is still a draft"), required=False
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        slugs = dict(Series.objects.values_list("slug", "name"))
        slugs.setdefault(DEFAULT_SERIES, "OpenLLM Talk")
        self.fields["series"].choices = sorted(slugs.items(), key=lambda pair: pair[1])
        self.fields["series"].initial = DEFAULT_SERIES

    def clean_file(self):
        upload = self.cleaned_data.get("file")
        if upload is None:
            return None
        if upload.size > MAX_BYTES:
            raise forms.ValidationError(_("The file is larger than 2 MB."))
        try:
            text = upload.read().decode("utf-8-sig")
        except UnicodeDecodeError:
            raise forms.ValidationError(_("The file is not UTF-8 text.")) from None
        if "\x00" in text:
            raise forms.ValidationError(NUL_REFUSED)
        return text

    def clean_text(self):
        # Counted as a file is, in bytes: a character count let a pasted
        # Chinese text grow to three times a file's limit.
        text = self.cleaned_data["text"]
        if len(text.encode("utf-8")) > MAX_BYTES:
            raise forms.ValidationError(_("The text is larger than 2 MB."))
        return text

    def clean(self):
        cleaned = super().clean()
        # An uploaded file wins over the text box, and its text goes into the
        # box: if the import is refused, the admin sees and can edit it.
        if cleaned.get("file"):
            cleaned["text"] = cleaned["file"]
            self.data = self.data.copy()
            self.data["text"] = cleaned["text"]
        if not self.errors and not (cleaned.get("text") or "").strip():
            raise forms.ValidationError(_("Choose a file or paste the issue's text."))
        return cleaned
