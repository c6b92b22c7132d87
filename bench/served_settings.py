"""The settings of the server bench/issue_page.py starts: the project's own,
with the benchmark's URLs (its bare views beside the desk's) and no posting
limit, as the in-process measurement runs."""

from talk.settings import *  # noqa: F403

ROOT_URLCONF = "issue_page"
POSTS_PER_MINUTE = 10**9
DEBUG = False
ALLOWED_HOSTS = ["127.0.0.1"]
