from django.contrib import admin

from rooms.admin import ReadOnlyAdmin

from .models import Claim, FocusReport, Team


@admin.register(Team)
class TeamAdmin(admin.ModelAdmin):
    list_display = ["name", "contest", "status", "score", "score_reached_at", "created_at"]
    list_filter = ["status"]
    search_fields = ["name"]
    # The score is a cache of the ledger and the token is a hash: neither is edited here.
    readonly_fields = ["score", "score_reached_at", "token_hash", "created_at"]


@admin.register(Claim)
class ClaimAdmin(admin.ModelAdmin):
    list_display = ["team", "question", "round", "kind", "status", "cost", "reward", "created_at"]
    list_filter = ["kind", "status"]
    readonly_fields = ["team", "question", "round", "kind", "exclusive", "cost", "reward", "created_at"]


@admin.register(FocusReport)
class FocusReportAdmin(ReadOnlyAdmin):
    """Fair-play signals, as the team app sent them."""

    list_display = ["team", "device", "kind", "away_ms", "created_at"]
    list_filter = ["kind"]
