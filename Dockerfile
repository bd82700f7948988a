# quizserver: one image for the ASGI server, Celery workers and beat (target `app`), and
# one for the code judge's workers (target `judge`: the sandbox and the languages' tools).
FROM python:3.11-slim-bookworm AS app

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    STATIC_ROOT=/app/static

RUN useradd --system --create-home --home-dir /app quizserver
WORKDIR /app

COPY pyproject.toml ./
COPY quizserver ./quizserver
COPY rooms ./rooms
COPY teams ./teams
COPY scoring ./scoring
COPY manage.py ./
RUN pip install --upgrade pip && pip install . \
    && python manage.py collectstatic --noinput \
    && chown -R quizserver /app

USER quizserver
EXPOSE 8000
HEALTHCHECK --interval=10s --timeout=3s CMD python -c "import urllib.request; urllib.request.urlopen('http://127.0.0.1:8000/healthz')"
CMD ["daphne", "--bind", "0.0.0.0", "--port", "8000", "--proxy-headers", "quizserver.asgi:application"]

# The judge worker runs as root, so that it can run each box as a uid of its own (never
# root); the programs themselves run in bubblewrap boxes with no network (scoring/judge/).
FROM app AS judge
USER root
RUN apt-get update \
    && apt-get install -y --no-install-recommends \
       bubblewrap python3 gcc g++ libc6-dev openjdk-17-jdk-headless nodejs \
    && rm -rf /var/lib/apt/lists/*
ENV JUDGE_WORK_DIR=/var/lib/quizserver/judge
HEALTHCHECK NONE
CMD ["celery", "-A", "quizserver", "worker", "-Q", "judge", "--concurrency", "2", "--prefetch-multiplier", "1", "-l", "INFO"]
