from django.urls import path

from . import api, api_freeze, api_grading, api_judge, api_regrade

urlpatterns = [
    path("me/answers", api.AnswerSubmitView.as_view(), name="me-answers"),
    path("me/answers/<int:answer_id>", api.AnswerDetailView.as_view(), name="me-answer"),
    path("me/mystery", api.MysteryOpenView.as_view(), name="me-mystery"),
    path("teams/<int:team_id>/adjustments", api.AdjustmentView.as_view(), name="team-adjustments"),
    path("contests/<int:contest_id>/leaderboard", api.HostLeaderboardView.as_view(), name="contest-leaderboard"),
    path("contests/<int:contest_id>/results.csv", api.ResultsCsvView.as_view(), name="contest-results"),
    path("public/<str:code>/leaderboard", api.PublicLeaderboardView.as_view(), name="public-leaderboard"),
    path("public/<str:code>/reveal", api_freeze.PublicRevealView.as_view(), name="public-reveal"),
    path("contests/<int:contest_id>/freeze", api_freeze.ContestFreezeView.as_view(), name="contest-freeze"),
    path("contests/<int:contest_id>/unfreeze", api_freeze.ContestUnfreezeView.as_view(), name="contest-unfreeze"),
    path("contests/<int:contest_id>/grading", api_grading.GradingQueueView.as_view(), name="contest-grading"),
    path("questions/<int:question_id>/regrade", api_regrade.QuestionRegradeView.as_view(), name="question-regrade"),
    path("contests/<int:contest_id>/regrade", api_regrade.ContestRegradeView.as_view(), name="contest-regrade"),
    path("regrades/<int:regrade_id>", api_regrade.RegradeDetailView.as_view(), name="regrade-detail"),
    path("answers/<int:answer_id>/grade", api_grading.AnswerGradeView.as_view(), name="answer-grade"),
    path("me/runs", api_judge.SampleRunCreateView.as_view(), name="me-runs"),
    path("me/runs/<int:run_id>", api_judge.SampleRunDetailView.as_view(), name="me-run"),
    path("contests/<int:contest_id>/judge", api_judge.JudgeQueueView.as_view(), name="contest-judge"),
    path("answers/<int:answer_id>/judging", api_judge.JudgingDetailView.as_view(), name="answer-judging"),
    path("answers/<int:answer_id>/rejudge", api_judge.AnswerRejudgeView.as_view(), name="answer-rejudge"),
    path("questions/<int:question_id>/rejudge", api_judge.QuestionRejudgeView.as_view(), name="question-rejudge"),
]
