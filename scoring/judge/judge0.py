"""A Judge0 server judges instead of the local sandbox (JUDGE_BACKEND=judge0).

Each test is one Judge0 submission (Judge0 compiles per submission: the price of its
model), all of them sent in batches and then polled until every one has finished. The
expected output is never sent: the program's output is compared here, with the question's
comparison mode, so a verdict does not depend on which backend gave it.

API: POST /submissions/batch and GET /submissions/batch?tokens=…, base64 both ways (a
program's output need not be UTF-8). Limits follow Judge0 CE's default maxima; a server
with lower ones refuses the batch, and the refusal says which limit.
"""

from __future__ import annotations

import base64
import time
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

import httpx
from django.conf import settings

from .compare import outputs_match
from .languages import LANGUAGES, OUT_OF_MEMORY_SIGNS
from .types import (
    JudgeInternalError,
    JudgeRequest,
    JudgeResult,
    TestCase,
    TestResult,
    Verdict,
    shown_text,
    worst_verdict,
)

# Judge0 CE's ids; another Judge0 (or a newer CE) sets its own with JUDGE0_LANGUAGE_IDS.
DEFAULT_LANGUAGE_IDS: dict[str, int] = {"python": 71, "c": 50, "cpp": 54, "java": 62, "javascript": 63}

BATCH_SIZE = 20  # Judge0's default MAX_SUBMISSION_BATCH_SIZE, for creating and for fetching
MAX_WALL_TIME_S = 20.0  # Judge0's default MAX_WALL_TIME_LIMIT
MAX_FILE_KB = 4096  # Judge0's default MAX_MAX_FILE_SIZE: stdout is a file in its box
FIRST_POLL_S = 0.2  # the first wait for results, growing by half each poll up to LAST_POLL_S
LAST_POLL_S = 1.0
FIELDS = "token,status,stdout,stderr,compile_output,message,time,memory"

# Judge0 status ids.
IN_QUEUE, PROCESSING = 1, 2
ACCEPTED, WRONG_ANSWER, TIME_LIMIT_EXCEEDED, COMPILATION_ERROR = 3, 4, 5, 6
SIGXFSZ = 8  # the program's output file outgrew max_file_size
RUNTIME_ERRORS = frozenset(range(7, 13))  # SIGSEGV, SIGXFSZ, SIGFPE, SIGABRT, NZEC, other
JUDGE_FAILURES = {13: "Internal Error", 14: "Exec Format Error"}
RAN = frozenset({ACCEPTED, WRONG_ANSWER})  # WA only if someone sent expected_output: compared here anyway


@dataclass(frozen=True)
class _Run:
    """One finished Judge0 submission, decoded."""

    status: int
    stdout: bytes
    stderr: bytes
    compile_output: bytes
    time_ms: int
    memory_kb: int


class Judge0Judge:
    name = "judge0"

    def __init__(self, *, url: str, auth_token: str = "", timeout_s: float = 60) -> None:
        self.url = url.rstrip("/")
        self.auth_token = auth_token
        self.timeout_s = timeout_s

    def unavailable_reason(self) -> str | None:
        """The configuration only: whether the server is up shows when a judging runs (and is retried)."""
        if not self.url:
            return "JUDGE0_URL is not set; set it to the Judge0 server's address, e.g. http://judge0:2358."
        parts = urlsplit(self.url)
        if parts.scheme not in ("http", "https") or not parts.netloc:
            return f"JUDGE0_URL={self.url!r} is not an http:// or https:// address of a Judge0 server."
        try:
            language_ids()
        except JudgeInternalError as error:
            return str(error)
        return None

    def judge(self, request: JudgeRequest) -> JudgeResult:
        language_id = language_ids().get(request.language)
        if language_id is None:
            raise JudgeInternalError(f"no Judge0 language id for {request.language!r}; add it to JUDGE0_LANGUAGE_IDS")
        # Without tests, one run on empty input still tells whether the program compiles.
        tests = request.tests or [TestCase(input="", output="")]
        submissions = [_submission(request=request, language_id=language_id, test=test) for test in tests]
        deadline = time.monotonic() + self.timeout_s
        headers = {"Accept": "application/json"} | ({"X-Auth-Token": self.auth_token} if self.auth_token else {})
        with httpx.Client(base_url=self.url, headers=headers) as client:
            api = _Api(client=client, deadline=deadline, timeout_s=self.timeout_s)
            tokens = [token for batch in _batches(submissions) for token in api.create(batch)]
            runs = api.wait(tokens)
        return _result(request=request, runs=runs)


def language_ids() -> dict[str, int]:
    """Judge0's id of each language: its CE defaults, overridden by JUDGE0_LANGUAGE_IDS."""
    override = getattr(settings, "JUDGE0_LANGUAGE_IDS", None) or {}
    valid = isinstance(override, dict) and all(
        isinstance(name, str) and type(id_) is int and id_ > 0 for name, id_ in override.items()
    )
    if not valid:
        raise JudgeInternalError('JUDGE0_LANGUAGE_IDS must map language names to Judge0 ids, e.g. {"python": 92}.')
    return DEFAULT_LANGUAGE_IDS | override


# --- The request ---------------------------------------------------------------------


def _submission(*, request: JudgeRequest, language_id: int, test: TestCase) -> dict[str, Any]:
    language = LANGUAGES.get(request.language)
    cpu_s = (request.time_limit_ms + (language.time_extra_ms if language else 0)) / 1000
    return {
        "language_id": language_id,
        "source_code": _encode(request.source),
        "stdin": _encode(test.input),
        "cpu_time_limit": round(cpu_s, 3),
        # Waiting (sleep, a blocked read) uses no CPU: the wall clock ends it, as in the local box.
        "wall_time_limit": round(min(2 * cpu_s + 1, max(MAX_WALL_TIME_S, cpu_s)), 3),
        "memory_limit": request.memory_mb * 1024,
        "max_file_size": min(MAX_FILE_KB, _output_cap(test) // 1024 + 1),
        # Explicit, whatever the server's defaults: stderr never mixes into the compared
        # output, and contestant code gets no network.
        "redirect_stderr_to_stdout": False,
        "enable_network": False,
    }


def _output_cap(test: TestCase) -> int:
    """Bytes of output beyond which a test is OLE: the local sandbox's cap."""
    return max(1 << 20, 2 * len(test.output.encode()) + 4096)


def _encode(text: str) -> str:
    return base64.b64encode(text.encode()).decode("ascii")


def _batches(items: list[Any]) -> Iterator[list[Any]]:
    for start in range(0, len(items), BATCH_SIZE):
        yield items[start : start + BATCH_SIZE]


# --- The conversation ----------------------------------------------------------------


@dataclass
class _Api:
    """Calls to one Judge0 server under one deadline. Every failure is a JudgeInternalError
    whose message names the call and what went wrong, never the source or a test's data."""

    client: httpx.Client
    deadline: float
    timeout_s: float

    def create(self, batch: list[dict[str, Any]]) -> list[str]:
        answer = self._call("POST", json={"submissions": batch})
        if not isinstance(answer, list) or len(answer) != len(batch):
            raise JudgeInternalError("Judge0 answered the batch with something other than one token per submission")
        tokens = [entry["token"] for entry in answer if isinstance(entry, dict) and isinstance(entry.get("token"), str)]
        if len(tokens) != len(batch) or not all(tokens):
            raise JudgeInternalError(f"Judge0 refused the submissions: {_refusals(answer)}")
        return tokens

    def wait(self, tokens: list[str]) -> list[_Run]:
        finished: dict[str, _Run] = {}
        pause = FIRST_POLL_S
        while pending := [token for token in tokens if token not in finished]:
            time.sleep(max(0.0, min(pause, self.deadline - time.monotonic())))
            pause = min(pause * 1.5, LAST_POLL_S)
            for batch in _batches(pending):
                finished |= self._fetch(batch)
        return [finished[token] for token in tokens]

    def _fetch(self, tokens: list[str]) -> dict[str, _Run]:
        answer = self._call("GET", params={"tokens": ",".join(tokens), "fields": FIELDS})
        entries = answer.get("submissions") if isinstance(answer, dict) else None
        if not isinstance(entries, list) or len(entries) != len(tokens):
            raise JudgeInternalError("Judge0 answered the poll with something other than one entry per token")
        finished = {}
        for token, entry in zip(tokens, entries, strict=True):
            if entry is None:
                raise JudgeInternalError(f"Judge0 no longer knows submission {token}")
            run = _run(token=token, entry=entry)
            if run is not None:
                finished[token] = run
        return finished

    def _call(self, method: str, *, json: Any = None, params: dict[str, str] | None = None) -> Any:
        remaining = self.deadline - time.monotonic()
        if remaining <= 0:
            raise JudgeInternalError(f"Judge0 did not finish the tests within {self.timeout_s:g} s")
        query = {"base64_encoded": "true", **(params or {})}
        try:
            response = self.client.request(method, "/submissions/batch", params=query, json=json, timeout=remaining)
        except httpx.TimeoutException:
            raise JudgeInternalError(f"Judge0 did not finish the tests within {self.timeout_s:g} s") from None
        except httpx.HTTPError as error:
            raise JudgeInternalError(f"Judge0 at {self.client.base_url} is unreachable: {error}") from None
        return _body(response)


def _body(response: httpx.Response) -> Any:
    """The JSON of a successful answer; else a JudgeInternalError saying what Judge0 said."""
    call = f"{response.request.method} /submissions/batch"
    try:
        body = response.json()
    except ValueError:
        body = None
    code = response.status_code
    if code in (401, 403):
        raise JudgeInternalError(f"Judge0 refused the credentials ({code} to {call}); check JUDGE0_AUTH_TOKEN")
    if code == 422 and isinstance(body, list):
        raise JudgeInternalError(f"Judge0 refused the submissions: {_refusals(body)}")
    if not response.is_success:
        error = body.get("error") if isinstance(body, dict) else None
        said = f": {error[:200]}" if isinstance(error, str) else ""
        raise JudgeInternalError(f"Judge0 answered {code} to {call}{said}")
    if body is None:
        raise JudgeInternalError(f"Judge0 answered {call} with something other than JSON")
    return body


def _run(*, token: str, entry: Any) -> _Run | None:
    """The finished run an entry describes; None while it is queued or running."""
    status = entry.get("status") if isinstance(entry, dict) else None
    status_id = status.get("id") if isinstance(status, dict) else None
    if type(status_id) is not int or entry.get("token", token) != token:
        raise JudgeInternalError(f"Judge0 answered the poll for {token} without a status")
    if status_id in (IN_QUEUE, PROCESSING):
        return None
    if status_id in JUDGE_FAILURES:
        message = entry.get("message")
        said = f": {message[:200]}" if isinstance(message, str) and message else ""
        raise JudgeInternalError(f"Judge0 reported {JUDGE_FAILURES[status_id]} for {token}{said}")
    if status_id not in RAN | {TIME_LIMIT_EXCEEDED, COMPILATION_ERROR} | RUNTIME_ERRORS:
        raise JudgeInternalError(f"Judge0 reported an unknown status {status_id} for {token}")
    try:
        return _Run(
            status=status_id,
            stdout=_decode(entry.get("stdout")),
            stderr=_decode(entry.get("stderr")),
            compile_output=_decode(entry.get("compile_output")),
            time_ms=round(float(entry.get("time") or 0) * 1000),
            memory_kb=int(float(entry.get("memory") or 0)),
        )
    except (TypeError, ValueError):  # binascii.Error is a ValueError
        raise JudgeInternalError(f"Judge0 answered the poll for {token} with malformed fields") from None


def _decode(value: Any) -> bytes:
    """Judge0's base64 (Ruby's, with a line break every 60 characters); null when empty."""
    if value is None:
        return b""
    if not isinstance(value, str):
        raise TypeError("not base64 text")
    return base64.b64decode("".join(value.split()), validate=True)


def _refusals(answer: list[Any]) -> str:
    """Judge0's reasons for refusing submissions, per field (its messages, not our data)."""
    reasons = {
        f"{field}: {'; '.join(str(m) for m in messages) if isinstance(messages, list) else messages}"
        for entry in answer
        if isinstance(entry, dict) and "token" not in entry
        for field, messages in entry.items()
    }
    return ", ".join(sorted(reasons))[:300] or "no reason given"


# --- The verdicts --------------------------------------------------------------------


def _result(*, request: JudgeRequest, runs: list[_Run]) -> JudgeResult:
    compile_failure = next((run for run in runs if run.status == COMPILATION_ERROR), None)
    if compile_failure is not None:
        return JudgeResult(Verdict.CE, compile_output=shown_text(compile_failure.compile_output))
    if not request.tests:  # only the compilation was checked
        return JudgeResult(Verdict.AC, compile_output=shown_text(runs[0].compile_output))
    results: list[TestResult] = []
    for test, run in zip(request.tests, runs, strict=True):
        if request.stop_on_failure and results and results[-1].verdict != Verdict.AC:
            results.append(TestResult(None))
            continue
        shown = request.show_output and test.sample
        results.append(
            TestResult(
                _verdict(run=run, test=test, request=request),
                time_ms=run.time_ms,
                memory_kb=run.memory_kb,
                stdout=shown_text(run.stdout) if shown else None,
                stderr=shown_text(run.stderr) if shown else None,
            )
        )
    verdict = worst_verdict([r.verdict for r in results if r.verdict is not None])
    return JudgeResult(verdict, tests=results, compile_output=shown_text(runs[0].compile_output))


def _verdict(*, run: _Run, test: TestCase, request: JudgeRequest) -> Verdict:
    """One test's verdict, the first that applies: OLE, MLE, TLE, RE, then the comparison
    (memory before time, as in the local sandbox: see local._verdict)."""
    if run.status == SIGXFSZ or len(run.stdout) > _output_cap(test):
        return Verdict.OLE
    if run.status == TIME_LIMIT_EXCEEDED or run.status in RUNTIME_ERRORS:
        out_of_memory = any(sign in run.stderr for sign in OUT_OF_MEMORY_SIGNS.get(request.language, ()))
        if out_of_memory or run.memory_kb >= request.memory_mb * 1024:
            return Verdict.MLE
        return Verdict.TLE if run.status == TIME_LIMIT_EXCEEDED else Verdict.RE
    got = run.stdout.decode(errors="replace")
    matched = outputs_match(got=got, expected=test.output, mode=request.compare, tolerance=request.tolerance)
    return Verdict.AC if matched else Verdict.WA
