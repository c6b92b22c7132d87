from django.db import migrations

# PostgreSQL kept only an index over the terms' tsvector, computed from the
# text of the terms: a query matching most rows (a common character, `的`) is
# planned as a sequential scan that builds every row's tsvector again (about
# 0.6 s over 80,000 rows; bench/search.py). The tsvector is stored instead, a
# generated column Django does not know of (the selectors name it in SQL),
# with the GIN index on it. SQLite's FTS5 table is its own index already.
FORWARDS = [
    "ALTER TABLE search_entry ADD COLUMN terms_vector tsvector"
    " GENERATED ALWAYS AS (array_to_tsvector(string_to_array(terms, ' '))) STORED",
    "CREATE INDEX search_entry_vector ON search_entry USING gin (terms_vector)",
    "DROP INDEX search_entry_terms",
]
BACKWARDS = [
    "CREATE INDEX search_entry_terms ON search_entry"
    " USING gin (array_to_tsvector(string_to_array(terms, ' ')))",
    "ALTER TABLE search_entry DROP COLUMN terms_vector",
]


def forwards(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        for statement in FORWARDS:
            schema_editor.execute(statement)


def backwards(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        for statement in BACKWARDS:
            schema_editor.execute(statement)


class Migration(migrations.Migration):
    dependencies = [("search", "0002_entry_flat")]

    operations = [migrations.RunPython(forwards, backwards)]
