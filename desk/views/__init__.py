"""What members, owners and hosts do on the issue page.

Each write view parses a form, calls one service and answers in one of two
ways: an htmx request gets the fragment that changed (and the page is told,
through the `desk:changed` event, to refresh what derives from it); a plain
form post is redirected back to the page. When something is refused, htmx
gets the words in place with a 4xx status; a plain post gets the whole page
again, with the typed text still in its form.

`page` holds what the others share; `claims`, `items`, `posts` (questions
and answers), `history` (what their edits changed) and `moderation` hold the
views, one module per area.
"""
