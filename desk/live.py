"""What each live event refreshes on an open issue page.

The services announce what changed (sections.events: "section 12",
"question 40 of section 12", "the record"); which of the page's regions to
fetch again for it is the page's business, decided here once. The page gets
this map in a data attribute and live.js follows it.

Each event kind lists its refreshes; each refresh is a list of region ids
tried in turn, the first one on the page wins ("{id}" and "{section}" are
the event's ids; "*" is the whole page, fetched again).
"""

import json

from sections import events

REFRESHES = {
    events.SECTION: [["section-{id}"]],
    # A question not on the page yet (asked elsewhere) comes with its section.
    events.QUESTION: [["question-{id}", "section-{section}"]],
    events.ISSUE: [["issue-record"], ["issue-steward"]],
    events.POINTER: [["live-bar"], ["issue-steward"]],
    events.EXPORTS: [["issue-exports"]],
    events.STATUS: [["*"]],
    events.INBOX: [["inbox-link"]],
}


def refreshes_json() -> str:
    return json.dumps(REFRESHES, separators=(",", ":"))
