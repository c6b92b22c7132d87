"""The importer reads the words the exports write: both take them from
sections.record, and the importer knows every label the desk writes."""

from sections import record
from talk.importing.parse.common import KNOWN_LABELS, LABEL


def test_the_importer_knows_every_label_the_desk_writes():
    written = [
        *record.RECORD_LABELS,
        record.REVISION_LABEL,
        record.CONTRIBUTORS_LABEL,
        record.THEME_LABEL,
        *(area.heading for area in record.AREAS),
        *record.PREFACE_LABELS,
        *record.NOTICE_LABELS,
    ]
    assert set(written) <= KNOWN_LABELS
    unranked = LABEL.match(record.label(record.ISSUE_CONTRIBUTORS_LABEL, f"- {record.UNRANKED}"))
    assert unranked["label"] == record.ISSUE_CONTRIBUTORS_LABEL
    assert unranked["remark"]
