from django.contrib import admin

from .models import Answer, ChatLine, Claim, Item, Question, Section, Vote


class ClaimInline(admin.TabularInline):
    model = Claim
    extra = 0
    raw_id_fields = ["member"]


@admin.register(Section)
class SectionAdmin(admin.ModelAdmin):
    list_display = ["title", "issue", "kind", "owner_cap", "position"]
    list_filter = ["kind", "issue__series"]
    list_select_related = ["issue__series"]
    raw_id_fields = ["issue", "template", "theme_item"]
    inlines = [ClaimInline]


@admin.register(Claim)
class ClaimAdmin(admin.ModelAdmin):
    list_display = ["section", "member", "slot", "created_at"]
    list_select_related = ["section__issue__series", "member"]
    raw_id_fields = ["section", "member"]


@admin.register(Item)
class ItemAdmin(admin.ModelAdmin):
    list_display = ["__str__", "kind", "subgroup", "section", "author", "author_name"]
    list_filter = ["kind"]
    list_select_related = ["section__issue__series", "author"]
    raw_id_fields = ["section", "author", "submitted_by"]
    search_fields = ["title", "url", "body"]


class AnswerInline(admin.StackedInline):
    model = Answer
    extra = 0
    raw_id_fields = ["parent", "author", "submitted_by"]


@admin.register(Question)
class QuestionAdmin(admin.ModelAdmin):
    list_display = ["__str__", "status", "answered", "section", "author", "author_name"]
    list_filter = ["status", "answered"]
    list_select_related = ["section__issue__series", "author"]
    raw_id_fields = ["section", "author", "submitted_by", "carried_from"]
    search_fields = ["body"]
    inlines = [AnswerInline]


@admin.register(Answer)
class AnswerAdmin(admin.ModelAdmin):
    list_display = ["__str__", "status", "accepted", "question", "author", "author_name"]
    list_filter = ["status", "accepted"]
    list_select_related = ["question", "author"]
    raw_id_fields = ["question", "parent", "author", "submitted_by"]


@admin.register(Vote)
class VoteAdmin(admin.ModelAdmin):
    list_display = ["question", "member", "created_at"]
    raw_id_fields = ["question", "member"]


@admin.register(ChatLine)
class ChatLineAdmin(admin.ModelAdmin):
    list_display = ["__str__", "speaker", "speaker_name", "said_at", "section"]
    raw_id_fields = ["section", "speaker"]
