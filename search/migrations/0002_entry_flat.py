from importlib import import_module

from django.db import migrations, models

initial = import_module("search.migrations.0001_initial")


def fill(apps, schema_editor):
    # The phrase rank reads `flat`: rows indexed before it get theirs now,
    # the same way search.indexing writes it.
    from search.terms import flat

    Entry = apps.get_model("search", "Entry")
    rows = []
    for row in Entry.objects.only("text").iterator(chunk_size=2000):
        row.flat = flat(row.text)
        rows.append(row)
        if len(rows) == 2000:
            Entry.objects.bulk_update(rows, ["flat"])
            rows = []
    Entry.objects.bulk_update(rows, ["flat"])


def triggers_again(apps, schema_editor):
    """SQLite adds a NOT NULL column by building the table anew, and the old
    table's triggers go with it: FTS5 would no longer hear of any row. They
    are made again and the FTS index rebuilt from the rows. Any later
    migration that alters search_entry must do the same."""
    if schema_editor.connection.vendor != "sqlite":
        return
    for statement in initial.SQLITE_BACK[:3]:
        schema_editor.execute(statement.replace("DROP TRIGGER", "DROP TRIGGER IF EXISTS"))
    for statement in initial.SQLITE[1:]:
        schema_editor.execute(statement)
    schema_editor.execute("INSERT INTO search_entry_fts(search_entry_fts) VALUES ('rebuild')")


class Migration(migrations.Migration):
    dependencies = [("search", "0001_initial")]

    operations = [
        migrations.AddField(model_name="entry", name="flat", field=models.TextField(default="")),
        migrations.RunPython(fill, migrations.RunPython.noop),
        migrations.RunPython(triggers_again, migrations.RunPython.noop),
    ]
