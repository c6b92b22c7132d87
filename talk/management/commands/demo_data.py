from django.core.management.base import BaseCommand

from talk.demo import load_demo


class Command(BaseCommand):
    help = "Load the demo series, accounts and an open draft issue (safe to run again)."

    def handle(self, *args, **options):
        issue, accounts = load_demo()
        self.stdout.write(f"Demo issue: {issue.get_absolute_url()}")
        self.stdout.write("Demo accounts (alias / password / role):")
        for account in accounts:
            self.stdout.write(f"  {account.alias} / {account.password} / {account.role}")
