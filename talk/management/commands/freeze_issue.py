import time

from django.core.management.base import BaseCommand, CommandError

from sections.errors import DeskError
from talk.models import Export, Issue
from talk.selectors import find_issue
from talk.services import issue_freeze


class Command(BaseCommand):
    help = (
        "Freeze an issue as its next revision and render its exports (the same task the UI uses)."
    )

    def add_arguments(self, parser):
        parser.add_argument("series", help="the series' slug, e.g. openllm-talk")
        parser.add_argument("number", help="the issue's number, or a special edition's identifier")
        parser.add_argument(
            "--note", default="", help="what a correction changed (needed after revision 1)"
        )
        parser.add_argument(
            "--wait", action="store_true", help="wait until every export is rendered"
        )
        parser.add_argument("--timeout", type=float, default=300, help="seconds to wait at most")

    def handle(self, *args, series, number, note, wait, timeout, **options):
        try:
            issue = find_issue(series, number)
        except Issue.DoesNotExist:
            raise CommandError(f"{series} has no issue {number}.") from None
        try:
            revision = issue_freeze(issue_id=issue.pk, user=None, note=note)
        except DeskError as error:
            raise CommandError(str(error.message)) from None
        self.stdout.write(f"Froze {issue.title} as revision {revision.number}.")
        if not wait:
            return
        deadline = time.monotonic() + timeout
        unfinished = [Export.Status.PENDING, Export.Status.RUNNING]
        while revision.exports.filter(status__in=unfinished).exists():
            if time.monotonic() > deadline:
                raise CommandError(
                    f"Exports still rendering after {timeout:.0f} s (is a worker running?)."
                )
            time.sleep(0.2)
        failed = False
        for export in revision.exports.order_by("format"):
            if export.status == Export.Status.DONE:
                self.stdout.write(f"  {export.format}: {export.path} sha256={export.sha256}")
            else:
                failed = True
                self.stderr.write(f"  {export.format}: failed: {export.error}")
        if failed:
            raise CommandError("Some exports failed; retry them from the issue page.")
