import sys

from django.core.management.base import BaseCommand, CommandError

from talk.exports import RENDERERS, render
from talk.models import Issue
from talk.selectors import current_snapshot, find_issue


class Command(BaseCommand):
    help = "Write the rendering of an issue's current revision (stdout when no file is given)."

    def add_arguments(self, parser):
        parser.add_argument("series", help="the series' slug, e.g. openllm-talk")
        parser.add_argument("number", help="the issue's number, or a special edition's identifier")
        parser.add_argument("--format", required=True, choices=sorted(RENDERERS))
        parser.add_argument("--output", help="a file to write instead of stdout")

    def handle(self, *args, series, number, format, output, **options):
        try:
            issue = find_issue(series, number)
        except Issue.DoesNotExist:
            raise CommandError(f"{series} has no issue {number}.") from None
        snapshot, revision = current_snapshot(issue)
        if revision is None:
            self.stderr.write(
                f"{issue.title} is not frozen yet: rendering its content as it stands."
            )
        data = render(format, snapshot)
        if output:
            with open(output, "wb") as file:
                file.write(data)
        else:
            sys.stdout.buffer.write(data)
            sys.stdout.flush()
