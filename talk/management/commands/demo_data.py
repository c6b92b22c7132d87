from django.core.management.base import BaseCommand
from django.urls import reverse

from talk.demo import load_demo
from talk.selectors import current_issue


class Command(BaseCommand):
    help = (
        "Load the demo series, accounts, an open draft issue and the published issues of the "
        "corpus as the archive (safe to run again)."
    )

    def handle(self, *args, **options):
        issue, accounts = load_demo()
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
