"""The Atom feed of a series' published issues."""

from django.contrib.syndication.views import Feed
from django.shortcuts import get_object_or_404
from django.urls import reverse
from django.utils.feedgenerator import Atom1Feed
from django.utils.html import escape
from django.utils.translation import gettext as _

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

    def item_title(self, issue):
        return issue.title

    def item_description(self, issue):
        # Atom's summary is HTML: readers would run markup typed into the
        # highlights line, and mangle plain "vector<float>".
        return escape(issue.highlights)

    def item_link(self, issue):
        return issue.get_absolute_url()

    def item_guid(self, issue):
        return f"issue-desk:{issue.series.slug}:{issue.code}"

    item_guid_is_permalink = False

    def item_updateddate(self, issue):
        return issue.latest_revision.created_at if issue.latest_revision else issue.updated_at

    def item_pubdate(self, issue):
        # Its first publication: a correction updates an entry, it does not
        # publish it again.
        return issue.first_published_at
