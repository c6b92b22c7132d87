from django.core.management.base import BaseCommand, CommandError

from talk.exports.fonts import cjk_font
from talk.services import pdf_exports_rerender


class Command(BaseCommand):
    help = (
        "Render again the PDF exports that have no CJK font recorded (made before the desk "
        "made sure of one, or failed): same revision, new file and checksum."
    )

    def handle(self, *args, **options):
        if cjk_font() is None:
            raise CommandError("No CJK font can be found: the PDFs would fail again.")
        queued = pdf_exports_rerender()
        self.stdout.write(f"PDFs without a CJK font, rendered again (or queued): {queued}")
