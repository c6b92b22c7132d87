import time

from django.core.management.base import BaseCommand

from search.indexing import rebuild


class Command(BaseCommand):
    help = "Rebuild the search index of every issue from its content."

    def handle(self, *args, **options):
        start = time.monotonic()
        rows = rebuild()
        self.stdout.write(f"{rows} rows indexed in {time.monotonic() - start:.1f} s")
