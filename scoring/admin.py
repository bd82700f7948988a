from django.contrib import admin

from rooms.admin import ReadOnlyAdmin

from .models import Answer, Judging, Regrade, SampleRun, ScoreEvent


@admin.register(Answer)
class AnswerAdmin(admin.ModelAdmin):
    list_display = ["id", "team", "question", "status", "correct", "points", "received_at"]
    list_filter = ["status", "correct"]
    readonly_fields = [f.name for f in Answer._meta.fields]


@admin.register(ScoreEvent)
class ScoreEventAdmin(ReadOnlyAdmin):
    """The ledger is append-only: corrections are new rows (adjustments), never edits."""

    list_display = ["team", "reason", "points", "source", "author", "note", "created_at"]
    list_filter = ["reason"]
    search_fields = ["team__name", "note", "source"]


@admin.register(Regrade)
class RegradeAdmin(ReadOnlyAdmin):
    """The audit trail of regrades: requested through the API, run by the worker."""

    list_display = ["id", "contest", "question", "status", "author", "reason", "created_at", "finished_at"]
    list_filter = ["status"]


@admin.register(Judging)
class JudgingAdmin(ReadOnlyAdmin):
    """The judge's work on code answers: rejudge through the API, which keeps the ledger right."""

    list_display = ["answer", "language", "state", "verdict", "score", "attempts", "generation", "finished_at"]
    list_filter = ["state", "verdict", "language"]


@admin.register(SampleRun)
class SampleRunAdmin(ReadOnlyAdmin):
    list_display = ["id", "team", "question", "language", "status", "verdict", "created_at"]
    list_filter = ["status", "verdict"]
