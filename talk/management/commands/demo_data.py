from django.core.management.base import BaseCommand
from django.urls import reverse

from talk.demo import load_demo


class Command(BaseCommand):
    help = (
        "Load the demo series, accounts, an open draft issue and the published issues of the "
        "corpus as the archive (safe to run again)."
    )

    def handle(self, *args, **options):
        issue, accounts = load_demo()
        self.stdout.write(f"Demo issue: {issue.get_absolute_url()}")
        self.stdout.write(f"Archive: {reverse('series-archive', args=[issue.series.slug])}")
        self.stdout.write("Demo accounts (alias / password / role):")
        for account in accounts:
            self.stdout.write(f"  {account.alias} / {account.password} / {account.role}")
