from django.contrib import admin
from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerView

from rooms import health, web
from rooms.metrics import metrics_view

urlpatterns = [
    # Order matters: rooms ends with the catch-all contests/<id>/<action>.
    path("api/v1/", include("scoring.urls")),
    path("api/v1/", include("teams.urls")),
    path("api/v1/", include("rooms.urls")),
    path("api/schema", SpectacularAPIView.as_view(), name="schema"),
    path("api/docs", SpectacularSwaggerView.as_view(url_name="schema"), name="docs"),
    path("admin/", admin.site.urls),
    path("healthz", health.healthz, name="healthz"),
    path("readyz", health.readyz, name="readyz"),
    path("metrics", metrics_view, name="metrics"),
    # The browser apps (rooms/web.py).
    path("play/", web.play, name="play"),
    path("play/<str:code>", web.play, name="play-code"),
    path("console/", web.console, name="console"),
    path("screen/<str:code>", web.screen, name="screen"),
    path("screen/<str:code>/join.svg", web.join_qr, name="screen-join-qr"),
]

handler400 = "rooms.errors.json_bad_request"
handler404 = "rooms.errors.json_not_found"
handler500 = "rooms.errors.json_server_error"
