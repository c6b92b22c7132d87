from django.core.management.base import BaseCommand
from django.urls import reverse

from talk.demo import load_demo
from talk.selectors import current_issue
from talk.services import pdf_exports_rerender


class Command(BaseCommand):
    help = (
        "Load the demo series, accounts, an open draft issue and the published issues of the "
        "corpus as the archive (safe to run again)."
    )

    def handle(self, *args, **options):
        issue, accounts = load_demo()
        # PDFs an earlier run made without a CJK font (boxes), now that there is one.
        if rerendered := pdf_exports_rerender():
            self.stdout.write(f"PDFs without a CJK font, rendered again: {rerendered}")
        # Once the demo issue has met, the issue to open is the one after it.
        if current := current_issue(issue.series):
            self.stdout.write(f"Open issue: {current.get_absolute_url()}")
        else:
            self.stdout.write(
                f"Demo issue (frozen; open the next one there): {issue.get_absolute_url()}"
            )
        self.stdout.write(f"Archive: {reverse('series-archive', args=[issue.series.slug])}")
        self.stdout.write("Demo accounts (alias / password / role):")
        for account in accounts:
            self.stdout.write(f"  {account.alias} / {account.password} / {account.role}")
