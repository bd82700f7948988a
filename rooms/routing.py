"""WebSocket routes; quizserver/asgi.py mounts them behind the origin check."""

from django.urls import path

from .consumers import ContestConsumer

websocket_urlpatterns = [
    path("ws/v1/contests/<str:code>/", ContestConsumer.as_asgi()),
]
