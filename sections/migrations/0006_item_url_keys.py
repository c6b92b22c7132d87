"""Fill `Item.url_key` for the items written before links had keys."""

from django.db import migrations

# The rules as they are today: if they change, a later migration computes the
# keys again (a key is derived data; nothing else refers to it).
from sections.links import normalize_url

BATCH = 500


def fill_url_keys(apps, schema_editor):
    Item = apps.get_model("sections", "Item")
    rows = Item.objects.exclude(url="").only("pk", "url").order_by("pk")
    batch = []
    for item in rows.iterator(chunk_size=BATCH):
        item.url_key = normalize_url(item.url)
        batch.append(item)
        if len(batch) == BATCH:
            Item.objects.bulk_update(batch, ["url_key"])
            batch = []
    Item.objects.bulk_update(batch, ["url_key"])


class Migration(migrations.Migration):
    dependencies = [
        ("sections", "0005_moderation_links_carry_over"),
    ]

    operations = [
        migrations.RunPython(fill_url_keys, migrations.RunPython.noop, elidable=True),
    ]
