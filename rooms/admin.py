from django.contrib import admin
from django.http import HttpRequest

from .models import BankQuestion, Contest, ContestEvent, HostToken, LiveQuestion, MysteryBox, Question, Round


class ReadOnlyAdmin(admin.ModelAdmin):
    """For append-only records: they are looked at, never edited."""

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False


class RoundInline(admin.TabularInline):
    model = Round
    extra = 0
    fields = ["position", "kind", "title", "status", "exclusive", "claim_limit"]


@admin.register(Contest)
class ContestAdmin(admin.ModelAdmin):
    list_display = ["title", "display_code", "status", "owner", "created_at"]
    list_filter = ["status"]
    search_fields = ["title", "code"]
    readonly_fields = ["code", "last_seq", "created_at", "updated_at"]
    inlines = [RoundInline]


class MysteryBoxInline(admin.TabularInline):
    model = MysteryBox
    extra = 0


@admin.register(Round)
class RoundAdmin(admin.ModelAdmin):
    list_display = ["title", "contest", "position", "kind", "status"]
    list_filter = ["kind", "status"]
    inlines = [MysteryBoxInline]


@admin.register(Question)
class QuestionAdmin(admin.ModelAdmin):
    list_display = ["prompt", "round", "position", "type", "points", "difficulty", "mystery", "taken"]
    list_filter = ["type", "difficulty", "mystery"]
    search_fields = ["prompt"]


@admin.register(BankQuestion)
class BankQuestionAdmin(admin.ModelAdmin):
    list_display = ["prompt", "owner", "type", "difficulty", "created_at"]
    search_fields = ["prompt"]


@admin.register(MysteryBox)
class MysteryBoxAdmin(admin.ModelAdmin):
    list_display = ["round", "difficulty", "cost", "reward"]


@admin.register(ContestEvent)
class ContestEventAdmin(ReadOnlyAdmin):
    list_display = ["contest", "seq", "type", "scope", "team", "created_at"]
    list_filter = ["type", "scope"]


@admin.register(HostToken)
class HostTokenAdmin(admin.ModelAdmin):
    list_display = ["user", "created_at"]
    readonly_fields = ["user", "key_hash", "created_at"]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False  # tokens are issued by POST /api/v1/auth/token, shown once


@admin.register(LiveQuestion)
class LiveQuestionAdmin(ReadOnlyAdmin):
    """Live play is driven by the round actions (and their timers), not edited here."""

    list_display = ["question", "round", "status", "opened_at", "deadline", "closes_at", "scored_at"]
    list_filter = ["status"]
