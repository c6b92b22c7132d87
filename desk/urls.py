"""Every address of the desk, one tree per object: whatever reads or writes
a section is under /sections/<pk>/, an item under /items/<pk>/, and so on;
what belongs to the issue as a whole is under its own address."""

from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path

from .feeds import PublishedIssuesFeed
from .views import (
    accounts,
    archive,
    bots,
    chat,
    guests,
    history,
    importing,
    invitations,
    issue,
    items,
    meeting,
    moderation,
    notifications,
    present,
    preview,
    public,
    questions,
    search,
    sections,
    series_settings,
)

issue_patterns = [
    path("", issue.issue_detail, name="issue"),
    path("record/", issue.record_fragment, name="issue-record"),
    path("references/", issue.references_fragment, name="issue-references"),
    path("roles/<str:role>/<str:action>/", issue.issue_role, name="issue-role"),
    path("lifecycle/<str:action>/", issue.issue_lifecycle, name="issue-lifecycle"),
    path("exports/", issue.exports_fragment, name="issue-exports"),
    path("exports/<int:pk>/retry/", issue.export_retry, name="export-retry"),
    path("r<int:revision>/<str:format>/", issue.export_download, name="export-download"),
    path("next/", issue.open_next_issue, name="issue-open-next"),
    path("meeting.ics", issue.issue_calendar, name="issue-calendar"),
    path("events/", meeting.issue_events, name="issue-events"),
    path("live/", meeting.live_bar_fragment, name="issue-live-bar"),
    path("steward/", meeting.steward_fragment, name="issue-steward"),
    path("meeting/pointer/", meeting.meeting_pointer, name="meeting-pointer"),
    path("meeting/spotlight/", meeting.meeting_spotlight, name="meeting-spotlight"),
    path("meeting/spotlight/next/", meeting.meeting_spotlight_next, name="meeting-spotlight-next"),
    path("meeting/discussed/", meeting.meeting_discuss_next, name="meeting-discuss-next"),
    path("guests/", meeting.meeting_guests, name="issue-guests"),
    path("present/", present.present, name="issue-present"),
    path("meeting/highlights/", meeting.meeting_highlights, name="meeting-highlights"),
]

section_patterns = [
    path("", sections.section_detail, name="section"),
    path("claim/", sections.section_claim, name="section-claim"),
    path("release/", sections.section_release, name="section-release"),
    path("theme/", items.section_theme, name="section-theme"),
    path("items/", items.item_create, name="item-create"),
    path("link-check/", items.link_check, name="link-check"),
    path("questions/", questions.question_ask, name="question-ask"),
    path("guest-questions/", guests.guest_ask, name="guest-ask"),
    path("chat/", chat.chat_say, name="chat-say"),
    path("chat/paste/", chat.chat_paste, name="chat-paste"),
    path("moderation/", moderation.moderation_page, name="section-moderation"),
]

item_patterns = [
    path("edit/", items.item_edit, name="item-edit"),
    path("delete/", items.item_delete, name="item-delete"),
    path("move/", items.item_move, name="item-move"),
    path("discussed/", items.item_discussed, name="item-discussed"),
    path("history/", history.item_history, name="item-history"),
]

question_patterns = [
    path("", questions.question_detail, name="question"),
    path("edit/", questions.question_edit, name="question-edit"),
    path("delete/", questions.question_delete, name="question-delete"),
    path("vote/", questions.question_vote, name="question-vote"),
    path("guest-vote/", guests.guest_vote, name="guest-vote"),
    path("answered/", questions.question_answered, name="question-answered"),
    path("answers/", questions.answer_create, name="answer-create"),
    path("report/", moderation.post_report, {"kind": "question"}, name="question-report"),
    path("history/", history.question_history, name="question-history"),
]

answer_patterns = [
    path("edit/", questions.answer_edit, name="answer-edit"),
    path("delete/", questions.answer_delete, name="answer-delete"),
    path("accept/", questions.answer_accept, name="answer-accept"),
    path("report/", moderation.post_report, {"kind": "answer"}, name="answer-report"),
    path("history/", history.answer_history, name="answer-history"),
]

account_patterns = [
    path("login/", accounts.LoginView.as_view(), name="login"),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("join/<str:token>/", accounts.sign_up, name="sign-up"),
    path("preferences/", accounts.preferences, name="preferences"),
    path("members/<int:pk>/suspend/", accounts.member_suspend, name="suspend"),
    path("language/", accounts.set_language, name="set-language"),
    path("password/", accounts.password_change, name="password-change"),
    path("password/done/", accounts.password_change_done, name="password-change-done"),
    path("reset/", accounts.password_reset, name="password-reset"),
    path("reset/sent/", accounts.password_reset_done, name="password-reset-done"),
    path(
        "reset/<uidb64>/<token>/",
        accounts.password_reset_confirm,
        name="password-reset-confirm",
    ),
    path("reset/done/", accounts.password_reset_complete, name="password-reset-complete"),
]

notification_patterns = [
    path("", notifications.inbox, name="notify-inbox"),
    path("link/", notifications.inbox_link, name="notify-link"),
    path("<int:pk>/open/", notifications.notice_open, name="notify-open"),
    path("read/", notifications.notices_read_all, name="notify-read-all"),
    path("settings/", notifications.preferences, name="notify-preferences"),
    path("unsubscribe/<str:token>/", notifications.unsubscribe, name="notify-unsubscribe"),
]

urlpatterns = [
    path("", public.home, name="home"),
    path("healthz", public.healthz, name="healthz"),
    path("import/", importing.import_page, name="issue-import"),
    path("jobs/", public.jobs, name="jobs"),
    path("search/", search.search, name="search"),
    path("preview/", preview.markdown_preview, name="markdown-preview"),
    path("s/<slug:series_slug>/", public.series_detail, name="series"),
    path("s/<slug:series_slug>/archive/", public.series_archive, name="series-archive"),
    path("s/<slug:series_slug>/rules/", public.series_rules, name="series-rules"),
    path("s/<slug:series_slug>/feed.atom", PublishedIssuesFeed(), name="series-feed"),
    path("s/<slug:series_slug>/meetings.ics", public.series_calendar, name="series-calendar"),
    # Before the issues: "bots", "settings", "holidays", "links" and
    # "people" would otherwise be taken for an issue's code.
    path("s/<slug:series_slug>/bots/", bots.series_bots, name="series-bots"),
    path("s/<slug:series_slug>/settings/", series_settings.series_settings, name="series-settings"),
    path("s/<slug:series_slug>/holidays/", series_settings.holiday_add, name="holiday-add"),
    # A link by its key's digest (sections.links.key_digest): a key would
    # need quoting and may hold "/../", which browsers rewrite.
    path("s/<slug:series_slug>/links/<str:digest>/", archive.link_page, name="link-page"),
    # A name may hold "/" (an alias may; a plain name too).
    path(
        "s/<slug:series_slug>/people/<path:name>/",
        archive.contributor_page,
        name="contributor-page",
    ),
    path("s/<slug:series_slug>/<slug:code>/", include(issue_patterns)),
    path("sections/<int:pk>/", include(section_patterns)),
    path("items/<int:pk>/", include(item_patterns)),
    path("questions/<int:pk>/", include(question_patterns)),
    path("answers/<int:pk>/", include(answer_patterns)),
    path("chat/<int:pk>/hide/", chat.chat_line_hide, name="chat-hide"),
    path("chat/<int:pk>/restore/", chat.chat_line_restore, name="chat-restore"),
    path("reports/<int:pk>/dismiss/", moderation.report_dismiss, name="report-dismiss"),
    # The queue's actions on a post (approve, hide, pin, merge…): under
    # /questions/<pk>/ or /answers/<pk>/; the view knows no other kind.
    path(
        "<slug:kind>s/<int:pk>/moderate/<str:action>/", moderation.moderation_act, name="moderate"
    ),
    path("bots/<int:pk>/", bots.bot_edit, name="bot-edit"),
    path("bots/<int:pk>/test/", bots.bot_test, name="bot-test"),
    path("bots/<int:pk>/delete/", bots.bot_delete, name="bot-delete"),
    path("deliveries/<int:pk>/retry/", public.delivery_retry, name="delivery-retry"),
    path("holidays/<int:pk>/remove/", series_settings.holiday_remove, name="holiday-remove"),
    path(
        "section-templates/<int:pk>/",
        series_settings.section_template_save,
        name="section-template-save",
    ),
    path(
        "section-templates/<int:pk>/move/",
        series_settings.section_template_move,
        name="section-template-move",
    ),
    path("invitations/", invitations.invitations, name="invitations"),
    path("invitations/<int:pk>/revoke/", invitations.invitation_revoke, name="invitation-revoke"),
    path("notifications/", include(notification_patterns)),
    path("accounts/", include((account_patterns, "accounts"))),
    path("admin/", admin.site.urls),
]

handler404 = "desk.views.public.not_found"
