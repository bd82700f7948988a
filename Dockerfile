# quizserver: one image for the ASGI server, Celery workers and beat.
FROM python:3.11-slim-bookworm

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
