from django.urls import path

from . import moderation_views, views

app_name = "sections"

urlpatterns = [
    path("sections/<int:pk>/claim/", views.section_claim, name="claim"),
    path("sections/<int:pk>/release/", views.section_release, name="release"),
    path("sections/<int:pk>/items/", views.item_create, name="item-create"),
    path("sections/<int:pk>/theme/", views.section_theme, name="theme"),
    path("sections/<int:pk>/questions/", views.question_ask, name="question-ask"),
    path("sections/<int:pk>/link-check/", views.link_check, name="link-check"),
    path("items/<int:pk>/edit/", views.item_edit, name="item-edit"),
    path("items/<int:pk>/delete/", views.item_delete, name="item-delete"),
    path("items/<int:pk>/move/", views.item_move, name="item-move"),
    path("items/<int:pk>/discussed/", views.item_discussed, name="item-discussed"),
    path("questions/<int:pk>/edit/", views.question_edit, name="question-edit"),
    path("questions/<int:pk>/delete/", views.question_delete, name="question-delete"),
    path("questions/<int:pk>/vote/", views.question_vote, name="question-vote"),
    path("questions/<int:pk>/answered/", views.question_answered, name="question-answered"),
    path("questions/<int:pk>/answers/", views.answer_create, name="answer-create"),
    path("answers/<int:pk>/edit/", views.answer_edit, name="answer-edit"),
    path("answers/<int:pk>/delete/", views.answer_delete, name="answer-delete"),
    path("answers/<int:pk>/accept/", views.answer_accept, name="answer-accept"),
    path(
        "questions/<int:pk>/report/",
        moderation_views.post_report,
        {"kind": "question"},
        name="question-report",
    ),
    path(
        "answers/<int:pk>/report/",
        moderation_views.post_report,
        {"kind": "answer"},
        name="answer-report",
    ),
    path("sections/<int:pk>/moderation/", moderation_views.moderation_page, name="moderation"),
    path(
        "moderation/reports/<int:pk>/dismiss/",
        moderation_views.report_dismiss,
        name="report-dismiss",
    ),
    path(
        "moderation/<str:kind>/<int:pk>/<str:action>/",
        moderation_views.moderation_act,
        name="moderate",
    ),
]
