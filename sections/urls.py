from django.urls import path

from .views import claims, items, moderation, posts

app_name = "sections"

urlpatterns = [
    path("sections/<int:pk>/claim/", claims.section_claim, name="claim"),
    path("sections/<int:pk>/release/", claims.section_release, name="release"),
    path("sections/<int:pk>/items/", items.item_create, name="item-create"),
    path("sections/<int:pk>/theme/", items.section_theme, name="theme"),
    path("sections/<int:pk>/questions/", posts.question_ask, name="question-ask"),
    path("sections/<int:pk>/link-check/", items.link_check, name="link-check"),
    path("items/<int:pk>/edit/", items.item_edit, name="item-edit"),
    path("items/<int:pk>/delete/", items.item_delete, name="item-delete"),
    path("items/<int:pk>/move/", items.item_move, name="item-move"),
    path("items/<int:pk>/discussed/", items.item_discussed, name="item-discussed"),
    path("questions/<int:pk>/edit/", posts.question_edit, name="question-edit"),
    path("questions/<int:pk>/delete/", posts.question_delete, name="question-delete"),
    path("questions/<int:pk>/vote/", posts.question_vote, name="question-vote"),
    path("questions/<int:pk>/answered/", posts.question_answered, name="question-answered"),
    path("questions/<int:pk>/answers/", posts.answer_create, name="answer-create"),
    path("answers/<int:pk>/edit/", posts.answer_edit, name="answer-edit"),
    path("answers/<int:pk>/delete/", posts.answer_delete, name="answer-delete"),
    path("answers/<int:pk>/accept/", posts.answer_accept, name="answer-accept"),
    path(
        "questions/<int:pk>/report/",
        moderation.post_report,
        {"kind": "question"},
        name="question-report",
    ),
    path(
        "answers/<int:pk>/report/",
        moderation.post_report,
        {"kind": "answer"},
        name="answer-report",
    ),
    path("sections/<int:pk>/moderation/", moderation.moderation_page, name="moderation"),
    path(
        "moderation/reports/<int:pk>/dismiss/",
        moderation.report_dismiss,
        name="report-dismiss",
    ),
    path(
        "moderation/<str:kind>/<int:pk>/<str:action>/",
        moderation.moderation_act,
        name="moderate",
    ),
]
