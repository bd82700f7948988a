"""quizserver settings.

One file for every environment: production differs by environment variables only.
With nothing set, the embedded default runs on a laptop: SQLite, the in-memory channel
layer and eager Celery. `DATABASE_URL` and `REDIS_URL` switch to PostgreSQL and Redis.
"""

import os
from pathlib import Path
from urllib.parse import urlsplit

from django.core.exceptions import ImproperlyConfigured

from .env import database_from_url, env_bool, env_choice, env_int, env_int_map, env_list, env_str

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = Path(env_str("QUIZSERVER_VAR_DIR", str(BASE_DIR / "var")))

DEBUG = env_bool("DEBUG", False)
_DEV_SECRET = "dev-only-secret-key-never-use-in-production"  # noqa: S105 (refused when required)
SECRET_KEY = env_str("SECRET_KEY", _DEV_SECRET)
if SECRET_KEY == _DEV_SECRET and env_bool("QUIZSERVER_REQUIRE_SECRET", False):
    raise ImproperlyConfigured("SECRET_KEY must be set in production (QUIZSERVER_REQUIRE_SECRET=1).")
ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", ["127.0.0.1", "localhost", "[::1]"])
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS", [])

INSTALLED_APPS = [
    "daphne",
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "rest_framework",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "channels",
    "rooms",
    "teams",
    "scoring",
]

MIDDLEWARE = [
    "rooms.metrics.RequestMetricsMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    # Innermost and synchronous: keeps the stack above in one worker thread under ASGI
    # instead of a hop per middleware hook (rooms/middleware.py).
    "rooms.middleware.SyncStackMiddleware",
]

ROOT_URLCONF = "quizserver.urls"
WSGI_APPLICATION = "quizserver.wsgi.application"
ASGI_APPLICATION = "quizserver.asgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
            ],
        },
    },
]

# --- Database -------------------------------------------------------------------------
DATABASE_URL = env_str("DATABASE_URL", "")
if DATABASE_URL:
    _default_db = database_from_url(DATABASE_URL)
else:
    _default_db = {"ENGINE": "django.db.backends.sqlite3", "NAME": str(VAR_DIR / "quizserver.sqlite3")}
if _default_db["ENGINE"].endswith("postgresql"):
    # A per-process pool: ASGI runs sync views on worker threads, each of which would
    # otherwise open its own connection per request.
    _pool_size = env_int("DB_POOL_SIZE", 20, minimum=0)
    if _pool_size:
        _default_db["OPTIONS"]["pool"] = {"min_size": 1, "max_size": _pool_size, "timeout": 10}
    _default_db["TEST"] = {"NAME": env_str("TEST_DATABASE_NAME", "test_quizserver")}
else:
    _pool_size = 0
    # SQLite: wait for the writer instead of failing with "database is locked".
    _default_db["OPTIONS"] = {"timeout": 20, "transaction_mode": "IMMEDIATE"}
DATABASES = {"default": _default_db}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# --- Redis: channel layer, Celery broker, cache ---------------------------------------
REDIS_URL = env_str("REDIS_URL", "")
# Which Redis channel layer carries group messages to the server processes, each of
# which joins a group once and hands its messages to its own sockets (rooms.fanout);
# docs/PERFORMANCE.md has the measurements behind the default. `pubsub`: one PUBLISH per
# group message, no backlog in Redis. `core`: a Redis list per process channel, with a
# capacity and group expiry.
CHANNEL_LAYER = env_choice("CHANNEL_LAYER", "pubsub", ("core", "pubsub"))
# Messages a process's channel may have waiting (core layer). Past it a message is
# dropped; the client sees the gap in `seq`/`prev` and resyncs. The channel takes every
# group message for the process's sockets: a leaderboard push to 400 teams is 400 of
# them at once, so this is sized for a few pushes behind.
CHANNEL_CAPACITY = env_int("CHANNEL_CAPACITY", 2000, minimum=1)
# Group membership left by a process that died is dropped after this (core layer;
# with pubsub it is the process's own subscription and dies with its connection); live
# sockets renew theirs every PRESENCE_REFRESH_S, so it only has to outlast that.
CHANNEL_GROUP_EXPIRY_S = env_int("CHANNEL_GROUP_EXPIRY_S", 900, minimum=60)
_CHANNEL_REDIS = {
    "address": REDIS_URL,
    # Above the core layer's 5 s blocking read: redis-py 8's default of 5 s makes that read
    # time out and the consumer close with 1011 (django/channels_redis#422).
    "socket_timeout": 30,
    "socket_connect_timeout": 5,
    # Per process; redis-py's default of 100 runs out when 2,000 sockets leave at once.
    "max_connections": env_int("CHANNEL_REDIS_CONNECTIONS", 1000, minimum=10),
}
# Redis pub/sub ignores the database number: name channels after it, so deployments (or
# tests and a benchmark) sharing one Redis on different databases never cross.
_CHANNEL_PREFIX = "asgi" + (urlsplit(REDIS_URL).path.strip("/") or "0")
if REDIS_URL and CHANNEL_LAYER == "pubsub":
    CHANNEL_LAYERS = {
        "default": {
            "BACKEND": "channels_redis.pubsub.RedisPubSubChannelLayer",
            "CONFIG": {"hosts": [_CHANNEL_REDIS], "prefix": _CHANNEL_PREFIX},
        }
    }
elif REDIS_URL:
    CHANNEL_LAYERS = {
        "default": {
            "BACKEND": "channels_redis.core.RedisChannelLayer",
            "CONFIG": {
                "hosts": [_CHANNEL_REDIS],
                "prefix": _CHANNEL_PREFIX,
                "capacity": CHANNEL_CAPACITY,
                "group_expiry": CHANNEL_GROUP_EXPIRY_S,
            },
        }
    }
else:
    CHANNEL_LAYERS = {"default": {"BACKEND": "channels.layers.InMemoryChannelLayer"}}
if REDIS_URL:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": REDIS_URL}}
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}

# HTTP requests one process works on at once; the rest wait before taking a database
# connection, so the pool keeps room for leaderboard pushes and sockets (rooms/concurrency.py).
# Eight measured best with 2,000 sockets on two cores (docs/PERFORMANCE.md): more threads
# only contend for the GIL with the pushes.
HTTP_MAX_CONCURRENCY = env_int("HTTP_MAX_CONCURRENCY", min(8, max(1, _pool_size - 4)) if _pool_size else 0, minimum=0)

# --- Real-time (docs/PROTOCOL.md) ------------------------------------------------------
WS_HELLO_TIMEOUT_S = env_int("WS_HELLO_TIMEOUT_S", 5, minimum=1)
# A resume replays at most this many events; past it a snapshot is cheaper.
WS_RESUME_MAX_EVENTS = env_int("WS_RESUME_MAX_EVENTS", 500, minimum=0)
WS_SNAPSHOT_ANNOUNCEMENTS = env_int("WS_SNAPSHOT_ANNOUNCEMENTS", 20, minimum=0)
# Client messages per socket per 10 s before it is closed (4429): pings and resyncs only.
WS_MESSAGES_PER_10S = env_int("WS_MESSAGES_PER_10S", 20, minimum=1)
LEADERBOARD_TOP = env_int("LEADERBOARD_TOP", 10, minimum=1)
LEADERBOARD_HOST_TOP = env_int("LEADERBOARD_HOST_TOP", 100, minimum=1)
LEADERBOARD_PUSH_INTERVAL_S = env_int("LEADERBOARD_PUSH_INTERVAL_MS", 250, minimum=10) / 1000
# A team's own standing (rank and neighbours) is pushed at most this often.
STANDING_PUSH_INTERVAL_S = env_int("STANDING_PUSH_INTERVAL_MS", 1000, minimum=10) / 1000
PRESENCE_TTL_S = env_int("PRESENCE_TTL_S", 150, minimum=10)
PRESENCE_REFRESH_S = env_int("PRESENCE_REFRESH_S", 60, minimum=1)

CELERY_BROKER_URL = REDIS_URL or "memory://"
CELERY_TASK_ALWAYS_EAGER = env_bool("CELERY_TASK_ALWAYS_EAGER", not REDIS_URL)
CELERY_TASK_EAGER_PROPAGATES = True
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TASK_TIME_LIMIT = env_int("CELERY_TASK_TIME_LIMIT", 120, minimum=1)
CELERY_TASK_SOFT_TIME_LIMIT = env_int("CELERY_TASK_SOFT_TIME_LIMIT", 100, minimum=1)
CELERY_TASK_DEFAULT_QUEUE = "default"
CELERY_TIMEZONE = "UTC"
# Redis redelivers a task not acknowledged within this time: it must outlast the longest
# ETA a live question's timer waits for (acks_late tasks are acknowledged when they end).
CELERY_BROKER_TRANSPORT_OPTIONS = {"visibility_timeout": env_int("CELERY_VISIBILITY_TIMEOUT_S", 3 * 3600, minimum=1)}

# Live rounds: a question without its own time limit gets the round's, else this.
LIVE_DEFAULT_TIME_LIMIT_S = env_int("LIVE_DEFAULT_TIME_LIMIT_S", 30, minimum=1)
# Celery beat closes live questions whose timer task was lost, checking this often.
LIVE_SWEEP_INTERVAL_S = env_int("LIVE_SWEEP_INTERVAL_S", 5, minimum=1)

# --- Code judge -----------------------------------------------------------------------
# `sandbox`: bubblewrap boxes on the judge workers (they run as root; each box as a uid of
# its own); `judge0`: a Judge0 server at JUDGE0_URL; `off`: code submissions are refused.
JUDGE_BACKEND = env_choice("JUDGE_BACKEND", "sandbox", ("sandbox", "judge0", "off"))
JUDGE_WORK_DIR = Path(env_str("JUDGE_WORK_DIR", str(VAR_DIR / "judge")))
# Boxes one machine runs at once (one per judge worker process), and their uids: base + slot.
JUDGE_SLOTS = env_int("JUDGE_SLOTS", os.cpu_count() or 1, minimum=1)
JUDGE_UID_BASE = env_int("JUDGE_UID_BASE", 61000, minimum=1000)
# A judging that fails this many times ends as an internal error (IE), worth nothing.
JUDGE_MAX_ATTEMPTS = env_int("JUDGE_MAX_ATTEMPTS", 3, minimum=1)
JUDGE_TASK_TIME_LIMIT_S = env_int("JUDGE_TASK_TIME_LIMIT_S", 600, minimum=10)
# The reconciler re-enqueues judgings queued or running longer than these, this often.
JUDGE_RECONCILE_INTERVAL_S = env_int("JUDGE_RECONCILE_INTERVAL_S", 60, minimum=1)
JUDGE_QUEUED_STALE_S = env_int("JUDGE_QUEUED_STALE_S", 300, minimum=1)
JUDGE0_URL = env_str("JUDGE0_URL", "")
JUDGE0_AUTH_TOKEN = env_str("JUDGE0_AUTH_TOKEN", "")
JUDGE0_TIMEOUT_S = env_int("JUDGE0_TIMEOUT_S", 60, minimum=1)
# Judge0's id per language, over Judge0 CE's defaults (python 71, c 50, cpp 54, java 62, javascript 63).
JUDGE0_LANGUAGE_IDS = env_int_map("JUDGE0_LANGUAGE_IDS", {})

CELERY_TASK_ROUTES = {"scoring.judge_*": {"queue": "judge"}}
CELERY_BEAT_SCHEDULE = {
    "live-timers-sweep": {"task": "rooms.live_timers_sweep", "schedule": float(LIVE_SWEEP_INTERVAL_S)},
    "judge-reconcile": {"task": "scoring.reconcile_judgings", "schedule": float(JUDGE_RECONCILE_INTERVAL_S)},
}

# --- Auth, i18n, static ---------------------------------------------------------------
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
]
LANGUAGE_CODE = "en-us"
TIME_ZONE = "UTC"
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
# collectstatic target (the Docker image sets it); unset, files come from the apps via finders.
STATIC_ROOT = env_str("STATIC_ROOT", "") or None
# Serve straight from the apps' static folders when collectstatic has not run (make run).
WHITENOISE_USE_FINDERS = True

# Bodies larger than this are refused before any view runs (imports are the largest).
DATA_UPLOAD_MAX_MEMORY_SIZE = env_int("DATA_UPLOAD_MAX_MEMORY_SIZE", 2 * 1024 * 1024, minimum=1024)
FILE_UPLOAD_MAX_MEMORY_SIZE = DATA_UPLOAD_MAX_MEMORY_SIZE

REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "rooms.auth.HostTokenAuthentication",
        "teams.auth.TeamTokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_RENDERER_CLASSES": ["rest_framework.renderers.JSONRenderer"],
    "DEFAULT_PARSER_CLASSES": [
        "rooms.parsers.JSONParser",
        "rest_framework.parsers.MultiPartParser",
    ],
    "EXCEPTION_HANDLER": "rooms.errors.api_exception_handler",
    # Counted in the cache (Redis when REDIS_URL is set, so shared by every process).
    "DEFAULT_THROTTLE_RATES": {
        "login": env_str("THROTTLE_LOGIN", "20/min"),
        "announcements": env_str("THROTTLE_ANNOUNCEMENTS", "30/min"),
        # Sample runs a team may start (not scored; one at a time besides).
        "sample_runs": env_str("THROTTLE_SAMPLE_RUNS", "6/min"),
        # Fair-play reports a team's devices may send together.
        "focus_reports": env_str("THROTTLE_FOCUS_REPORTS", "60/min"),
    },
    "DEFAULT_SCHEMA_CLASS": "rooms.openapi.QuizAutoSchema",
}

SPECTACULAR_SETTINGS = {
    "TITLE": "quizserver API",
    "DESCRIPTION": (
        "Contests, rounds and questions for quizmasters; join, claims, answers and mystery "
        "boxes for teams; public contest data and leaderboards. Every error is a JSON body "
        '`{"code", "detail", "fields"}` with a 4xx status and a stable `code`.'
    ),
    "VERSION": "1.5.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "COMPONENT_SPLIT_REQUEST": True,
}

# With a token set, /metrics wants `Authorization: Bearer <token>`; without, it is open
# (restrict it at the proxy).
METRICS_TOKEN = env_str("METRICS_TOKEN", "")

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": env_str("LOG_LEVEL", "INFO")},
    "loggers": {"django.server": {"level": "WARNING"}},
}
