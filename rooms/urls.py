from django.urls import path

from . import api, api_import

urlpatterns = [
    path("auth/token", api.AuthTokenView.as_view(), name="auth-token"),
    path("contests", api.ContestListCreateView.as_view(), name="contest-list"),
    path("contests/<int:contest_id>", api.ContestDetailView.as_view(), name="contest-detail"),
    path("contests/<int:contest_id>/announcements", api.AnnouncementCreateView.as_view(), name="contest-announcements"),
    path("contests/<int:contest_id>/rounds", api.RoundCreateView.as_view(), name="round-create"),
    path("contests/<int:contest_id>/import", api_import.ContestImportView.as_view(), name="contest-import"),
    path(
        "contests/<int:contest_id>/export.json", api_import.ContestExportJsonView.as_view(), name="contest-export-json"
    ),
    path("contests/<int:contest_id>/replay", api.ReplayView.as_view(), name="contest-replay"),
    path("contests/<int:contest_id>/export.csv", api_import.ContestExportCsvView.as_view(), name="contest-export-csv"),
    path(
        "contests/<int:contest_id>/<str:action>",
        api.ContestActionView.as_view(),
        name="contest-action",
    ),
    path("questions/<int:question_id>", api.QuestionDetailView.as_view(), name="question-detail"),
    path("rounds/<int:round_id>/questions", api.QuestionsView.as_view(), name="round-questions"),
    path("rounds/<int:round_id>/<str:action>", api.RoundActionView.as_view(), name="round-action"),
    path("bank", api.BankView.as_view(), name="bank"),
    path("bank/import", api_import.BankImportView.as_view(), name="bank-import"),
    path("bank/export.json", api_import.BankExportJsonView.as_view(), name="bank-export-json"),
    path("bank/export.csv", api_import.BankExportCsvView.as_view(), name="bank-export-csv"),
    path("bank/<int:question_id>", api.BankDetailView.as_view(), name="bank-detail"),
    path("public/<str:code>", api.PublicContestView.as_view(), name="public-contest"),
]
