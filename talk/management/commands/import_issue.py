from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from sections.models import Answer, ChatLine, Item, Question
from talk.importing import ImportRefused, import_series, issue_import
from talk.importing.service import DEFAULT_SERIES, ImportExists


class Command(BaseCommand):
    help = (
        "Import an issue from its published text (the corpus' format) or from Markdown, as a "
        "draft. Prints the issue's URL path last."
    )

    def add_arguments(self, parser):
        parser.add_argument("path", help="a text or Markdown file")
        parser.add_argument(
            "--series", default=DEFAULT_SERIES, help=f"the series' slug (default {DEFAULT_SERIES})"
        )
        parser.add_argument(
            "--replace",
            action="store_true",
            help="replace the issue with the same number if it is still a draft",
        )

    def handle(self, *args, path, series, replace, **options):
        try:
            text = Path(path).read_text(encoding="utf-8-sig")
        except (OSError, UnicodeDecodeError) as error:
            raise CommandError(f"Cannot read {path}: {error}") from None
        try:
            issue = issue_import(series=import_series(series), text=text, replace=replace)
        except ImportExists as error:
            raise CommandError(f"{error.message} (--replace)") from None
        except ImportRefused as error:
            raise CommandError(str(error.message)) from None
        counts = {
            "sections": issue.sections.count(),
            "items": Item.objects.filter(section__issue=issue).count(),
            "questions": Question.objects.filter(section__issue=issue).count(),
            "answers": Answer.objects.filter(question__section__issue=issue).count(),
            "chat lines": ChatLine.objects.filter(section__issue=issue).count(),
        }
        summary = ", ".join(f"{count} {what}" for what, count in counts.items())
        self.stdout.write(f"Imported {issue.title} as a draft: {summary}.")
        self.stdout.write(issue.get_absolute_url())
