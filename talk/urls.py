from django.contrib import admin
from django.urls import include, path

from . import views
from .feeds import PublishedIssuesFeed
from .importing.views import import_page

issue_patterns = [
    path("", views.issue_detail, name="issue"),
    path("record/", views.record_fragment, name="issue-record"),
    path("references/", views.references_fragment, name="issue-references"),
    path("sections/<int:pk>/", views.section_fragment, name="issue-section"),
    path("questions/<int:pk>/", views.question_fragment, name="issue-question"),
    path(
        "roles/<str:role>/<str:action>/",
        views.issue_role,
        name="issue-role",
    ),
    path("lifecycle/<str:action>/", views.issue_lifecycle, name="issue-lifecycle"),
    path("events/", views.issue_events, name="issue-events"),
    path("live/", views.live_bar_fragment, name="issue-live-bar"),
    path("steward/", views.steward_fragment, name="issue-steward"),
    path("meeting/pointer/", views.meeting_pointer, name="meeting-pointer"),
    path("meeting/spotlight/", views.meeting_spotlight, name="meeting-spotlight"),
    path("meeting/highlights/", views.meeting_highlights, name="meeting-highlights"),
    path("exports/", views.exports_fragment, name="issue-exports"),
    path("next/", views.open_next_issue, name="issue-open-next"),
    path("exports/<int:pk>/retry/", views.export_retry, name="export-retry"),
    path("r<int:revision>/<str:format>/", views.export_download, name="export-download"),
]

urlpatterns = [
    path("", views.home, name="home"),
    path("healthz", views.healthz, name="healthz"),
    path("import/", import_page, name="issue-import"),
    path("jobs/", views.jobs, name="jobs"),
    path("s/<slug:series_slug>/", views.series_detail, name="series"),
    path("s/<slug:series_slug>/archive/", views.series_archive, name="series-archive"),
    path("s/<slug:series_slug>/rules/", views.series_rules, name="series-rules"),
    path("s/<slug:series_slug>/feed.atom", PublishedIssuesFeed(), name="series-feed"),
    path("s/<slug:series_slug>/<slug:code>/", include(issue_patterns)),
    path("accounts/", include("accounts.urls")),
    path("desk/", include("sections.urls")),
    path("admin/", admin.site.urls),
]

handler404 = "talk.views.not_found"
