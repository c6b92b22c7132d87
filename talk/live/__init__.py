"""Live updates: events after each committed write, streamed to open pages.

`broker` carries events between processes (Redis pub/sub) or within one
(the embedded default); `presence` keeps who is on a page; `stream` is the
Server-Sent-Events response a page keeps open.
"""
