from django.urls import path

from . import api

urlpatterns = [
    path("join", api.JoinView.as_view(), name="join"),
    path("me", api.MeView.as_view(), name="me"),
    path("me/claims", api.ClaimCreateView.as_view(), name="me-claims"),
    path("me/focus", api.FocusReportView.as_view(), name="me-focus"),
    path("contests/<int:contest_id>/focus", api.ContestFocusView.as_view(), name="contest-focus"),
    path("contests/<int:contest_id>/teams", api.TeamListView.as_view(), name="contest-teams"),
    path("teams/<int:team_id>/disqualify", api.DisqualifyView.as_view(), name="team-disqualify"),
    path("teams/<int:team_id>/accommodations", api.AccommodationView.as_view(), name="team-accommodations"),
]
