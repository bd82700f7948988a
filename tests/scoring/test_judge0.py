"""The Judge0 backend against a Judge0 stand-in served over real sockets.

The stand-in speaks the two batch calls the backend uses and checks them as strictly as
Judge0 would, or more: the auth token, base64, known fields only, Judge0's default maxima.
It never runs code: it answers from a table of canned runs keyed by (language id, source,
stdin), and can be told to stay "Processing", fail, hang, or answer nonsense.
"""

from __future__ import annotations

import base64
import json
import socket
import threading
import time
import uuid
from collections.abc import Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any, Literal
from urllib.parse import parse_qs, urlsplit

import httpx
import pytest
from pytest_django.fixtures import Settings

from scoring.judge import judge0 as judge0_module
from scoring.judge.backends import judge_backend
from scoring.judge.judge0 import Judge0Judge
from scoring.judge.types import CompareMode, JudgeInternalError, JudgeRequest, JudgeResult, Verdict
from scoring.judge.types import TestCase as Case  # renamed: pytest would try to collect Test* classes
from scoring.judge.types import TestResult as CaseResult

# --- The stand-in --------------------------------------------------------------------

# What Judge0 accepts in a submission (its controller's permitted parameters).
PERMITTED = frozenset(
    {
        "source_code",
        "language_id",
        "compiler_options",
        "command_line_arguments",
        "number_of_runs",
        "stdin",
        "expected_output",
        "cpu_time_limit",
        "cpu_extra_time",
        "wall_time_limit",
        "memory_limit",
        "stack_limit",
        "max_processes_and_or_threads",
        "enable_per_process_and_thread_time_limit",
        "enable_per_process_and_thread_memory_limit",
        "max_file_size",
        "redirect_stderr_to_stdout",
        "callback_url",
        "additional_files",
        "enable_network",
    }
)
BASE64_FIELDS = ("source_code", "stdin", "expected_output")
# Judge0 CE's default maxima (MAX_CPU_TIME_LIMIT and the like).
MAXIMA = {
    "cpu_time_limit": 15,
    "cpu_extra_time": 5,
    "wall_time_limit": 20,
    "memory_limit": 512000,
    "stack_limit": 128000,
    "max_processes_and_or_threads": 120,
    "max_file_size": 4096,
    "number_of_runs": 20,
}
BOOLEANS = ("redirect_stderr_to_stdout", "enable_network")
# What GET may ask for with `fields` (the submission serializer's attributes).
READABLE = frozenset(
    PERMITTED
    | {"token", "stdout", "stderr", "compile_output", "message", "status", "status_id", "language", "time"}
    | {"memory", "wall_time", "exit_code", "exit_signal", "created_at", "finished_at"}
)
STATUSES = {
    1: "In Queue",
    2: "Processing",
    3: "Accepted",
    4: "Wrong Answer",
    5: "Time Limit Exceeded",
    6: "Compilation Error",
    7: "Runtime Error (SIGSEGV)",
    8: "Runtime Error (SIGXFSZ)",
    9: "Runtime Error (SIGFPE)",
    10: "Runtime Error (SIGABRT)",
    11: "Runtime Error (NZEC)",
    12: "Runtime Error (Other)",
    13: "Internal Error",
    14: "Exec Format Error",
    99: "Not A Judge0 Status",
}
BATCH_MAX = 20

Fault = Literal["error500", "busy", "malformed", "hang", "drop", "wrong_shape", "lost"]


@dataclass
class Canned:
    """How a run "went": what the stand-in answers once it stops saying it is pending."""

    status: int = 3
    stdout: bytes = b""
    stderr: bytes = b""
    compile_output: bytes = b""
    time: str | None = "0.012"
    memory: int | None = 3100
    message: str | None = None
    pending_polls: int = 0  # polls answered "In Queue", then "Processing", before this


@dataclass
class Seen:
    method: str
    path: str
    query: dict[str, str]
    headers: dict[str, str]
    tokens: int = 0  # submissions created (POST) or asked about (GET)


@dataclass
class FakeJudge0:
    url: str = ""
    auth_token: str = "judge0-secret"
    languages: frozenset[int] = frozenset({50, 54, 62, 63, 71, 92})
    table: dict[tuple[int, str, str], Canned] = field(default_factory=dict)
    fault: Fault | None = None
    fault_on: Literal["POST", "GET"] = "GET"
    submissions: dict[str, dict[str, Any]] = field(default_factory=dict)  # token → as sent, base64 decoded
    polls: dict[str, int] = field(default_factory=dict)
    served_statuses: list[int] = field(default_factory=list)
    requests: list[Seen] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)  # what the backend did that no test allows
    release: threading.Event = field(default_factory=threading.Event)

    def answer(self, source: str, stdin: str, *, language_id: int = 71, **canned: Any) -> None:
        self.table[(language_id, source, stdin)] = Canned(**canned)

    def sent(self) -> list[dict[str, Any]]:
        return list(self.submissions.values())

    def calls(self, method: str) -> list[Seen]:
        return [seen for seen in self.requests if seen.method == method]

    def respond(self, method: str, path: str, query: dict[str, list[str]], headers: Any, raw: bytes) -> Any:
        """(HTTP status, JSON-able body or raw bytes) for one request."""
        seen = Seen(method, path, {k: v[0] for k, v in query.items()}, {k.lower(): v for k, v in headers.items()})
        self.requests.append(seen)
        if path != "/submissions/batch":
            return 404, {"error": "not found"}
        if headers.get("X-Auth-Token") != self.auth_token:
            return 401, b""
        if seen.query.get("base64_encoded") != "true":
            return 400, {"error": "this stand-in only speaks base64_encoded=true"}
        if self.fault and self.fault_on == method:
            if self.fault == "hang":
                self.release.wait(30)
            elif (faulty := self._faulty(method)) is not None:
                return faulty
        if method == "POST":
            return self._create(seen, headers, raw)
        if method == "GET":
            return self._show(seen)
        return 405, {"error": "method not allowed"}

    def _faulty(self, method: str) -> Any:
        faults: dict[str, Any] = {
            "error500": (500, b"<html><body>Internal Server Error</body></html>"),
            "busy": (503, {"error": "queue is full"}),
            "malformed": (201 if method == "POST" else 200, b'{"submissions": [{"token": '),
            "drop": (None, b""),
            "wrong_shape": (201, {"tokens": []}) if method == "POST" else (200, [{"status": {"id": 3}}]),
        }
        return faults.get(self.fault or "")

    def _create(self, seen: Seen, headers: Any, raw: bytes) -> Any:
        if not headers.get("Content-Type", "").startswith("application/json"):
            return 415, {"error": "send JSON"}
        try:
            body = json.loads(raw)
        except ValueError:
            return 400, {"error": "the body is not JSON"}
        if not isinstance(body, dict) or set(body) != {"submissions"} or not isinstance(body["submissions"], list):
            return 400, {"error": 'the body must be {"submissions": [...]}'}
        batch = body["submissions"]
        if not 1 <= len(batch) <= BATCH_MAX:
            return 400, {"error": f"number of submissions in a batch should be between 1 and {BATCH_MAX}"}
        decoded = []
        for entry in batch:
            if not isinstance(entry, dict) or not set(entry) <= PERMITTED:
                unknown = sorted(set(entry) - PERMITTED) if isinstance(entry, dict) else entry
                return 400, {"error": f"unknown submission fields: {unknown}"}
            try:
                decoded.append(_decoded(entry))
            except ValueError as error:
                return 400, {"error": str(error)}
        answers = [self._accept(entry) for entry in decoded]
        seen.tokens = sum("token" in answer for answer in answers)
        return (201 if seen.tokens else 422), answers

    def _accept(self, entry: dict[str, Any]) -> dict[str, Any]:
        errors = _refusals(entry, self.languages)
        if errors:
            return errors
        key = (entry["language_id"], entry["source_code"], entry.get("stdin", ""))
        if key not in self.table:
            self.problems.append(f"no canned run for language {key[0]} and this source and stdin")
            return {"source_code": ["the stand-in has no canned run for it"]}
        token = str(uuid.uuid4())
        self.submissions[token] = entry
        self.polls[token] = 0
        return {"token": token}

    def _show(self, seen: Seen) -> Any:
        tokens = [t for t in seen.query.get("tokens", "").split(",") if t]
        seen.tokens = len(tokens)
        if not 1 <= len(tokens) <= BATCH_MAX:
            return 400, {"error": f"number of submissions in a batch should be between 1 and {BATCH_MAX}"}
        fields = seen.query.get("fields", "").split(",")
        if invalid := [f for f in fields if f not in READABLE]:
            return 400, {"error": f"invalid fields: [{', '.join(invalid)}]"}
        entries = [self._entry(token, fields) if token in self.submissions else None for token in tokens]
        return 200, {"submissions": [None] * len(tokens) if self.fault == "lost" else entries}

    def _entry(self, token: str, fields: list[str]) -> dict[str, Any]:
        sent = self.submissions[token]
        canned = self.table[(sent["language_id"], sent["source_code"], sent.get("stdin", ""))]
        polls = self.polls[token]
        self.polls[token] = polls + 1
        if polls < canned.pending_polls:
            status = 1 if polls == 0 else 2
            full: dict[str, Any] = {"token": token, "stdout": None, "stderr": None, "compile_output": None}
            full |= {"message": None, "time": None, "memory": None}
        else:
            status = canned.status
            full = {
                "token": token,
                "stdout": _ruby_base64(canned.stdout),
                "stderr": _ruby_base64(canned.stderr),
                "compile_output": _ruby_base64(canned.compile_output),
                "message": canned.message,
                "time": canned.time,
                "memory": canned.memory,
            }
        self.served_statuses.append(status)
        full["status"] = {"id": status, "description": STATUSES[status]}
        return {name: full.get(name) for name in fields}


def _decoded(entry: dict[str, Any]) -> dict[str, Any]:
    decoded = dict(entry)
    for name in BASE64_FIELDS:
        if entry.get(name) is not None:
            try:
                decoded[name] = base64.b64decode(entry[name], validate=True).decode()
            except (ValueError, TypeError):
                raise ValueError(f"{name} is not valid base64") from None
    return decoded


def _refusals(entry: dict[str, Any], languages: frozenset[int]) -> dict[str, list[str]]:
    """Judge0's validation errors for one submission, per field; empty when it is valid."""
    errors: dict[str, list[str]] = {}
    for name in ("source_code", "language_id"):
        if entry.get(name) in (None, ""):
            errors[name] = ["can't be blank"]
    language_id = entry.get("language_id")
    if language_id is not None and (type(language_id) is not int or language_id not in languages):
        errors["language_id"] = [f"language with id {language_id} doesn't exist"]
    for name, maximum in MAXIMA.items():
        value = entry.get(name)
        if value is None:
            continue
        if type(value) not in (int, float):
            errors[name] = ["is not a number"]
        elif not 0 < value <= maximum:
            errors[name] = [f"must be greater than 0 and less than or equal to {maximum}"]
    for name in BOOLEANS:
        if name in entry and type(entry[name]) is not bool:
            errors[name] = ["is not a boolean"]
    return errors


def _ruby_base64(data: bytes) -> str | None:
    """As Judge0 encodes: Ruby's Base64.encode64, a line break every 60 characters; null when empty."""
    if not data:
        return None
    text = base64.b64encode(data).decode()
    return "".join(text[i : i + 60] + "\n" for i in range(0, len(text), 60))


class _Handler(BaseHTTPRequestHandler):
    fake: FakeJudge0

    def do_GET(self) -> None:
        self._serve("GET")

    def do_POST(self) -> None:
        self._serve("POST")

    def log_message(self, format: str, *args: Any) -> None:
        """Quiet: the tests assert on what was asked, not on a log."""

    def _serve(self, method: str) -> None:
        parts = urlsplit(self.path)
        raw = self.rfile.read(int(self.headers.get("Content-Length") or 0))
        code, body = self.fake.respond(method, parts.path, parse_qs(parts.query), self.headers, raw)
        if code is None:  # "drop": close the connection without an answer
            return
        data = body if isinstance(body, bytes) else json.dumps(body).encode()
        try:
            self.send_response(code)
            self.send_header("Content-Type", "application/json; charset=utf-8")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)
        except (BrokenPipeError, ConnectionResetError):  # the backend gave up waiting ("hang")
            pass


@pytest.fixture
def fake(settings: Settings, monkeypatch: pytest.MonkeyPatch) -> Iterator[FakeJudge0]:
    """A running stand-in, with the settings that make judge_backend() a Judge0Judge for it."""
    stand_in = FakeJudge0()
    server = ThreadingHTTPServer(("127.0.0.1", 0), type("Handler", (_Handler,), {"fake": stand_in}))
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
    thread.start()
    stand_in.url = f"http://127.0.0.1:{server.server_port}"
    settings.JUDGE_BACKEND = "judge0"
    settings.JUDGE0_URL = stand_in.url
    settings.JUDGE0_AUTH_TOKEN = stand_in.auth_token
    settings.JUDGE0_TIMEOUT_S = 10
    monkeypatch.setattr(judge0_module, "FIRST_POLL_S", 0.01)
    yield stand_in
    stand_in.release.set()
    server.shutdown()
    server.server_close()
    thread.join(timeout=5)
    assert not stand_in.problems


def backend() -> Judge0Judge:
    chosen = judge_backend()
    assert isinstance(chosen, Judge0Judge)
    return chosen


def judge(request: JudgeRequest) -> JudgeResult:
    return backend().judge(request)


ECHO = "print(input())"


def code(tests: list[Case], *, language: str = "python", source: str = ECHO, **options: Any) -> JudgeRequest:
    return JudgeRequest(language=language, source=source, tests=tests, time_limit_ms=1000, memory_mb=256, **options)


def verdicts(result: JudgeResult) -> list[Verdict | None]:
    return [test.verdict for test in result.tests]


# --- Verdicts ------------------------------------------------------------------------


def test_accepted_when_every_output_matches_with_times_and_memory_read(fake: FakeJudge0) -> None:
    fake.answer(ECHO, "1\n", stdout=b"1\n", time="0.012", memory=3100)
    fake.answer(ECHO, "2\n", stdout=b"2\n", time="0.250", memory=4200)
    result = judge(code([Case("1\n", "1\n"), Case("2\n", "2\n")]))
    assert result.verdict == Verdict.AC and verdicts(result) == [Verdict.AC, Verdict.AC]
    assert [(t.time_ms, t.memory_kb) for t in result.tests] == [(12, 3100), (250, 4200)]
    assert result.time_ms() == 250 and result.memory_kb() == 4200


def test_wrong_answer_is_found_here_as_the_expected_output_is_never_sent(fake: FakeJudge0) -> None:
    fake.answer(ECHO, "1\n", stdout=b"1\n")
    fake.answer(ECHO, "2\n", stdout=b"3\n")
    result = judge(code([Case("1\n", "1\n"), Case("2\n", "2\n")]))
    assert result.verdict == Verdict.WA and verdicts(result) == [Verdict.AC, Verdict.WA]
    assert all("expected_output" not in sent for sent in fake.sent())


def test_a_compilation_error_is_the_whole_result_with_the_compiler_output(fake: FakeJudge0) -> None:
    source = "int main() { return 0 }"
    message = b"main.c:1:24: error: expected ';' before '}' token\n"
    fake.answer(source, "1\n", language_id=50, status=6, compile_output=message, time=None, memory=None)
    fake.answer(source, "2\n", language_id=50, status=6, compile_output=message, time=None, memory=None)
    result = judge(code([Case("1\n", "1\n"), Case("2\n", "2\n")], language="c", source=source))
    assert result.verdict == Verdict.CE and result.tests == []
    assert result.compile_output == message.decode()


def test_compiler_warnings_of_a_program_that_compiles_are_shown(fake: FakeJudge0) -> None:
    source = "int main() { int x; return 0; }"
    fake.answer(source, "", language_id=54, stdout=b"", compile_output=b"warning: unused variable 'x'\n")
    result = judge(code([Case("", "")], language="cpp", source=source))
    assert result.verdict == Verdict.AC and "unused variable" in result.compile_output


def test_time_limit_exceeded(fake: FakeJudge0) -> None:
    fake.answer(ECHO, "1\n", stdout=b"1\n")
    fake.answer(ECHO, "2\n", status=5, time="1.100")
    result = judge(code([Case("1\n", "1\n"), Case("2\n", "2\n")]))
    assert result.verdict == Verdict.TLE and verdicts(result) == [Verdict.AC, Verdict.TLE]
    assert result.tests[1].time_ms == 1100


@pytest.mark.parametrize("status", [7, 9, 10, 11, 12])
def test_runtime_errors_below_the_memory_limit_are_re(fake: FakeJudge0, status: int) -> None:
    fake.answer(ECHO, "1\n", status=status, stderr=b"Traceback: ZeroDivisionError\n", memory=256 * 1024 - 1)
    assert verdicts(judge(code([Case("1\n", "1\n")]))) == [Verdict.RE]


@pytest.mark.parametrize(
    ("language", "language_id", "status", "stderr", "memory"),
    [
        ("python", 71, 12, b"", 256 * 1024),  # killed at the limit, nothing printed
        ("python", 71, 11, b"Traceback (most recent call last):\nMemoryError\n", 90_000),
        ("java", 62, 11, b'Exception in thread "main" java.lang.OutOfMemoryError: Java heap space\n', 200_000),
        ("cpp", 54, 10, b"terminate called after throwing an instance of 'std::bad_alloc'\n", 80_000),
    ],
)
def test_running_out_of_memory_is_mle_not_re(
    fake: FakeJudge0, language: str, language_id: int, status: int, stderr: bytes, memory: int
) -> None:
    fake.answer("grow()", "1\n", language_id=language_id, status=status, stderr=stderr, memory=memory)
    result = judge(code([Case("1\n", "1\n")], language=language, source="grow()"))
    assert result.verdict == Verdict.MLE


def test_output_beyond_the_cap_is_ole(fake: FakeJudge0) -> None:
    fake.answer(ECHO, "file\n", status=8, stdout=b"y\n" * 1000)  # Judge0's box stopped the output file
    fake.answer(ECHO, "flood\n", status=3, stdout=b"y" * ((1 << 20) + 1))
    fake.answer(ECHO, "fits\n", status=3, stdout=b"y" * (1 << 20))
    tests = [Case("file\n", "y\n"), Case("flood\n", "y\n"), Case("fits\n", "y\n")]
    assert verdicts(judge(code(tests))) == [Verdict.OLE, Verdict.OLE, Verdict.WA]


@pytest.mark.parametrize(
    ("mode", "tolerance", "stdout", "expected"),
    [
        (CompareMode.FLOAT, 1e-6, b"0.3333333\n", Verdict.AC),
        (CompareMode.FLOAT, 1e-6, b"0.334\n", Verdict.WA),
        (CompareMode.FLOAT, 1e-2, b"0.334\n", Verdict.AC),
        (CompareMode.WHITESPACE, 1e-6, b"0.3333333\n", Verdict.WA),
        (CompareMode.WHITESPACE, 1e-6, b"  0.333333333  \n\n", Verdict.AC),
        (CompareMode.EXACT, 1e-6, b"0.333333333", Verdict.WA),
    ],
)
def test_outputs_are_compared_here_in_the_questions_mode(
    fake: FakeJudge0, mode: CompareMode, tolerance: float, stdout: bytes, expected: Verdict
) -> None:
    fake.answer(ECHO, "3\n", stdout=stdout)
    result = judge(code([Case("3\n", "0.333333333\n")], compare=mode, tolerance=tolerance))
    assert result.verdict == expected


@pytest.mark.parametrize(
    ("stop_on_failure", "expected"),
    [(True, [Verdict.AC, Verdict.WA, None, None]), (False, [Verdict.AC, Verdict.WA, Verdict.AC, Verdict.TLE])],
)
def test_stop_on_failure_skips_every_test_after_the_first_failure(
    fake: FakeJudge0, stop_on_failure: bool, expected: list[Verdict | None]
) -> None:
    fake.answer(ECHO, "1", stdout=b"1")
    fake.answer(ECHO, "2", stdout=b"x")
    fake.answer(ECHO, "3", stdout=b"3")
    fake.answer(ECHO, "4", status=5)
    tests = [Case(str(n), str(n)) for n in range(1, 5)]
    result = judge(code(tests, stop_on_failure=stop_on_failure))
    assert verdicts(result) == expected
    assert result.verdict == (Verdict.WA if stop_on_failure else Verdict.TLE)
    if stop_on_failure:
        assert result.tests[2:] == [CaseResult(None), CaseResult(None)]


def test_a_program_without_tests_is_only_checked_to_compile(fake: FakeJudge0) -> None:
    fake.answer("ok", "", stdout=b"")
    fake.answer("broken(", "", status=6, compile_output=b"SyntaxError\n")
    fine = judge(code([], source="ok"))
    assert fine.verdict == Verdict.AC and fine.tests == []
    broken = judge(code([], source="broken("))
    assert broken.verdict == Verdict.CE and broken.compile_output == "SyntaxError\n"


# --- What is shown -------------------------------------------------------------------


def test_program_output_is_shown_for_sample_runs_only_never_for_hidden_tests(fake: FakeJudge0) -> None:
    fake.answer(ECHO, "sample\n", stdout=b"sample\n", stderr=b"debug: sample\n")
    fake.answer(ECHO, "hidden\n", stdout=b"hidden\n", stderr=b"debug: hidden\n")
    tests = [Case("sample\n", "sample\n", sample=True), Case("hidden\n", "hidden\n")]
    shown = judge(code(tests, show_output=True))
    assert (shown.tests[0].stdout, shown.tests[0].stderr) == ("sample\n", "debug: sample\n")
    assert (shown.tests[1].stdout, shown.tests[1].stderr) == (None, None)
    assert "hidden" not in json.dumps([t.as_dict() for t in shown.tests])
    judged = judge(code(tests, show_output=False))
    assert all(t.stdout is None and t.stderr is None for t in judged.tests)


def test_output_is_bytes_safe_and_judge0s_wrapped_base64_is_read(fake: FakeJudge0) -> None:
    source = "print('héllo ✓')"  # the stand-in only finds it if it arrives intact
    fake.answer(source, "long\n", stdout=("✓" * 400 + "\n").encode())  # base64 over many lines
    fake.answer(source, "binary\n", stdout=b"\xff\xfe42\n")
    tests = [Case("long\n", "✓" * 400), Case("binary\n", "42")]
    result = judge(code(tests, source=source, show_output=True))
    assert verdicts(result) == [Verdict.AC, Verdict.WA]


# --- The conversation ----------------------------------------------------------------


def test_limits_are_sent_in_judge0_units_with_the_source_and_input_in_base64(fake: FakeJudge0) -> None:
    fake.answer(ECHO, "1\n", stdout=b"1\n")
    judge(code([Case("1\n", "1\n")]))
    [post] = fake.calls("POST")
    assert post.query == {"base64_encoded": "true"} and post.headers["content-type"] == "application/json"
    [sent] = fake.sent()
    assert sent == {
        "language_id": 71,
        "source_code": ECHO,
        "stdin": "1\n",
        "cpu_time_limit": 1.1,  # the question's second plus Python's start-up, as in the local box
        "wall_time_limit": 3.2,
        "memory_limit": 256 * 1024,
        "max_file_size": 1025,  # KB: just past the 1 MiB output cap, so a flood is seen as one
        "redirect_stderr_to_stdout": False,
        "enable_network": False,
    }
    [get] = fake.calls("GET")
    assert get.query["base64_encoded"] == "true"
    assert set(get.query["fields"].split(",")) >= {"token", "status", "stdout", "stderr", "compile_output"}


def test_polls_until_every_submission_has_finished(fake: FakeJudge0) -> None:
    fake.answer(ECHO, "slow\n", stdout=b"slow\n", pending_polls=3)
    fake.answer(ECHO, "quick\n", stdout=b"quick\n", pending_polls=1)
    result = judge(code([Case("slow\n", "slow\n"), Case("quick\n", "quick\n")]))
    assert verdicts(result) == [Verdict.AC, Verdict.AC]
    assert [seen.tokens for seen in fake.calls("GET")] == [2, 2, 1, 1]  # finished runs are not asked about again
    assert fake.served_statuses.count(1) == 2 and fake.served_statuses.count(2) == 2


def test_many_tests_go_in_batches_judge0_accepts(fake: FakeJudge0) -> None:
    for n in range(45):
        fake.answer(ECHO, f"{n}\n", stdout=f"{n}\n".encode())
    result = judge(code([Case(f"{n}\n", f"{n}\n") for n in range(45)]))
    assert result.verdict == Verdict.AC and len(result.tests) == 45
    assert [seen.tokens for seen in fake.calls("POST")] == [20, 20, 5]
    assert [seen.tokens for seen in fake.calls("GET")] == [20, 20, 5]


def test_every_call_carries_the_auth_token(fake: FakeJudge0) -> None:
    fake.answer(ECHO, "1\n", stdout=b"1\n")
    judge(code([Case("1\n", "1\n")]))
    assert len(fake.requests) == 2
    assert all(seen.headers.get("x-auth-token") == fake.auth_token for seen in fake.requests)


@pytest.mark.parametrize("token", ["not-the-token", ""])
def test_a_refused_token_is_an_internal_error_naming_the_setting(
    fake: FakeJudge0, settings: Settings, token: str
) -> None:
    settings.JUDGE0_AUTH_TOKEN = token
    fake.answer(ECHO, "1\n", stdout=b"1\n")
    with pytest.raises(JudgeInternalError, match="JUDGE0_AUTH_TOKEN"):
        judge(code([Case("1\n", "1\n")]))
    assert ("x-auth-token" in fake.requests[0].headers) == bool(token)


def test_language_ids_default_to_judge0_ce_and_settings_override_them(fake: FakeJudge0, settings: Settings) -> None:
    fake.answer(ECHO, "1\n", language_id=71, stdout=b"1\n")
    fake.answer(ECHO, "1\n", language_id=92, stdout=b"1\n")
    judge(code([Case("1\n", "1\n")]))
    settings.JUDGE0_LANGUAGE_IDS = {"python": 92}
    judge(code([Case("1\n", "1\n")]))
    assert [sent["language_id"] for sent in fake.sent()] == [71, 92]


# --- Failures: every one is a JudgeInternalError, the caller retries ------------------

SECRET_SOURCE = "print('SOURCE-MARK')"
HIDDEN = Case("HIDDEN-INPUT\n", "HIDDEN-OUTPUT\n")


def assert_internal_error(request: JudgeRequest, *, match: str) -> JudgeInternalError:
    started = time.monotonic()
    with pytest.raises(JudgeInternalError, match=match) as raised:
        judge(request)
    assert time.monotonic() - started < 5
    for secret in ("SOURCE-MARK", "HIDDEN-INPUT", "HIDDEN-OUTPUT", "judge0-secret"):
        assert secret not in str(raised.value)
    return raised.value


@pytest.mark.parametrize(
    ("fault", "on", "match"),
    [
        ("error500", "POST", "answered 500 to POST"),
        ("error500", "GET", "answered 500 to GET"),
        ("busy", "POST", "answered 503 to POST /submissions/batch: queue is full"),
        ("malformed", "POST", "other than JSON"),
        ("malformed", "GET", "other than JSON"),
        ("wrong_shape", "POST", "one token per submission"),
        ("wrong_shape", "GET", "one entry per token"),
        ("lost", "GET", "no longer knows"),
        ("drop", "POST", "unreachable"),
        ("drop", "GET", "unreachable"),
        ("hang", "POST", "within 1 s"),
        ("hang", "GET", "within 1 s"),
    ],
)
def test_a_failing_server_is_an_internal_error(
    fake: FakeJudge0, settings: Settings, fault: Fault, on: Literal["POST", "GET"], match: str
) -> None:
    settings.JUDGE0_TIMEOUT_S = 1
    fake.fault, fake.fault_on = fault, on
    fake.answer(SECRET_SOURCE, HIDDEN.input, stdout=b"HIDDEN-OUTPUT\n", stderr=b"HIDDEN-INPUT")
    assert_internal_error(code([HIDDEN], source=SECRET_SOURCE), match=match)


def test_runs_that_never_finish_are_an_internal_error_at_the_deadline(fake: FakeJudge0, settings: Settings) -> None:
    settings.JUDGE0_TIMEOUT_S = 1
    fake.answer(SECRET_SOURCE, HIDDEN.input, pending_polls=10**6)
    started = time.monotonic()
    assert_internal_error(code([HIDDEN], source=SECRET_SOURCE), match="within 1 s")
    assert time.monotonic() - started >= 0.9
    assert len(fake.calls("GET")) > 3


@pytest.mark.parametrize(
    ("status", "match"),
    [(13, "Internal Error for .*: isolate box failed"), (14, "Exec Format Error"), (99, "unknown status 99")],
)
def test_judge0s_own_failures_are_internal_errors(fake: FakeJudge0, status: int, match: str) -> None:
    fake.answer(SECRET_SOURCE, HIDDEN.input, status=status, stderr=b"HIDDEN-INPUT", message="isolate box failed")
    assert_internal_error(code([HIDDEN], source=SECRET_SOURCE), match=match)


def test_malformed_fields_in_a_finished_run_are_an_internal_error(fake: FakeJudge0) -> None:
    fake.answer(SECRET_SOURCE, HIDDEN.input, stdout=b"1", time="fast")
    assert_internal_error(code([HIDDEN], source=SECRET_SOURCE), match="malformed fields")


def test_a_refused_submission_says_which_limit_or_id_judge0_refused(fake: FakeJudge0, settings: Settings) -> None:
    fake.answer(SECRET_SOURCE, HIDDEN.input, stdout=b"1")
    big = JudgeRequest(language="python", source=SECRET_SOURCE, tests=[HIDDEN], time_limit_ms=1000, memory_mb=1024)
    assert_internal_error(big, match="memory_limit: must be greater than 0 and less than or equal to 512000")
    settings.JUDGE0_LANGUAGE_IDS = {"python": 999}
    assert_internal_error(code([HIDDEN], source=SECRET_SOURCE), match="language with id 999 doesn't exist")


def test_an_unreachable_server_is_an_internal_error(fake: FakeJudge0, settings: Settings) -> None:
    with socket.socket() as unused:
        unused.bind(("127.0.0.1", 0))
        port = unused.getsockname()[1]
    settings.JUDGE0_URL = f"http://127.0.0.1:{port}"
    assert_internal_error(code([HIDDEN], source=SECRET_SOURCE), match="unreachable")


def test_a_language_without_a_judge0_id_fails_before_any_call(fake: FakeJudge0) -> None:
    assert_internal_error(code([HIDDEN], language="cobol", source=SECRET_SOURCE), match="JUDGE0_LANGUAGE_IDS")
    assert fake.requests == []


# --- Availability --------------------------------------------------------------------


def test_unavailable_reason_reads_the_configuration_only(fake: FakeJudge0, settings: Settings) -> None:
    assert backend().unavailable_reason() is None
    settings.JUDGE0_URL = ""
    assert "JUDGE0_URL is not set" in (backend().unavailable_reason() or "")
    settings.JUDGE0_URL = "judge0:2358"
    assert "not an http:// or https://" in (backend().unavailable_reason() or "")
    settings.JUDGE0_URL = fake.url
    settings.JUDGE0_LANGUAGE_IDS = {"python": "92"}
    assert "JUDGE0_LANGUAGE_IDS" in (backend().unavailable_reason() or "")
    assert fake.requests == []


# --- The stand-in itself: as strict as the tests above rely on ------------------------


@pytest.mark.parametrize(
    ("submission", "code_"),
    [
        ({"language_id": 71, "source_code": "cHJpbnQoMSk=", "expected_outputs": "MQ=="}, 400),  # unknown field
        ({"language_id": 71, "source_code": "print(1)"}, 400),  # not base64
        ({"source_code": "cHJpbnQoMSk="}, 422),  # no language
        ({"language_id": 71, "source_code": "cHJpbnQoMSk=", "cpu_time_limit": "1"}, 422),
    ],
)
def test_the_stand_in_refuses_what_judge0_would(fake: FakeJudge0, submission: dict[str, Any], code_: int) -> None:
    url = f"{fake.url}/submissions/batch?base64_encoded=true"
    headers = {"X-Auth-Token": fake.auth_token}
    assert httpx.post(url, json={"submissions": [submission]}, headers=headers).status_code == code_
    assert httpx.post(url, json={"submissions": [submission]}).status_code == 401
    fields = f"{fake.url}/submissions/batch?base64_encoded=true&tokens=x&fields=status,verdict"
    assert httpx.get(fields, headers=headers).json() == {"error": "invalid fields: [verdict]"}
