"""The judge backend this deployment uses, chosen by `JUDGE_BACKEND`."""

from __future__ import annotations

from django.conf import settings

from .types import JudgeBackend


def judge_backend() -> JudgeBackend | None:
    """The configured backend; None when code judging is turned off."""
    if settings.JUDGE_BACKEND == "judge0":
        from .judge0 import Judge0Judge

        return Judge0Judge(
            url=settings.JUDGE0_URL, auth_token=settings.JUDGE0_AUTH_TOKEN, timeout_s=settings.JUDGE0_TIMEOUT_S
        )
    if settings.JUDGE_BACKEND == "sandbox":
        from .local import LocalJudge

        return LocalJudge()
    return None


def judge_unavailable_reason() -> str | None:
    """Why code cannot be judged, as a person running the event should read it; None when it can.

    Asked by the web process before a code submission is accepted. With the sandbox on
    separate judge workers, the workers check their own sandbox when they start (and judge
    nothing without one); here only the configuration is checked. When tasks run in this
    process (the embedded default), the sandbox must work here.
    """
    backend = judge_backend()
    if backend is None:
        return "Code judging is turned off on this server (JUDGE_BACKEND=off)."
    if backend.name == "sandbox" and not settings.CELERY_TASK_ALWAYS_EAGER:
        return None
    reason = backend.unavailable_reason()
    return None if reason is None else f"The code judge is not available: {reason}"
