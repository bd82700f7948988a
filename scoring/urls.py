from django.urls import path

from . import api

urlpatterns = [
    path("me/answers", api.AnswerSubmitView.as_view(), name="me-answers"),
    path("me/answers/<int:answer_id>", api.AnswerDetailView.as_view(), name="me-answer"),
    path("me/mystery", api.MysteryOpenView.as_view(), name="me-mystery"),
    path("teams/<int:team_id>/adjustments", api.AdjustmentView.as_view(), name="team-adjustments"),
    path("contests/<int:contest_id>/leaderboard", api.HostLeaderboardView.as_view(), name="contest-leaderboard"),
    path("contests/<int:contest_id>/results.csv", api.ResultsCsvView.as_view(), name="contest-results"),
    path("public/<str:code>/leaderboard", api.PublicLeaderboardView.as_view(), name="public-leaderboard"),
]
