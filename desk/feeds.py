"""The Atom feed of a series' published issues."""

from django.contrib.syndication.views import Feed
from django.shortcuts import get_object_or_404
from django.urls import reverse
from django.utils.feedgenerator import Atom1Feed
from django.utils.html import escape
from django.utils.translation import gettext as _

from sections.markup import plain_line
from talk import selectors
from talk.models import Series

FEED_LENGTH = 30


class PublishedIssuesFeed(Feed):
    feed_type = Atom1Feed

    def get_object(self, request, series_slug):
        return get_object_or_404(Series, slug=series_slug)

    def title(self, series):
        return series.name

    def author_name(self, series):
        # Atom asks for an author; an issue is the community's, not one member's.
        return series.name

    def subtitle(self, series):
        return _("Published issues of %(series)s") % {"series": series.name}

    def link(self, series):
        return reverse("series-archive", args=[series.slug])

    def items(self, series):
        return selectors.feed_issues(series, FEED_LENGTH)

    def item_title(self, entry):
        return entry.row.title

    def item_description(self, entry):
        # Atom's summary is HTML: readers would run markup typed into the
        # highlights line, and mangle plain "vector<float>".
        return escape(plain_line(entry.row.highlights))

    def item_link(self, entry):
        return entry.row.get_absolute_url()

    def item_guid(self, entry):
        return f"issue-desk:{entry.row.series.slug}:{entry.row.code}"

    item_guid_is_permalink = False

    def item_updateddate(self, entry):
        revision = entry.latest_revision
        return revision.created_at if revision else entry.row.updated_at

    def item_pubdate(self, entry):
        # Its first publication: a correction updates an entry, it does not
        # publish it again.
        return entry.first_published_at
