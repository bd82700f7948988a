"""The local judge in its bubblewrap box: every verdict in every language, the comparison
modes, stop-on-failure, sample output, and the time and memory each test reports.

These run real compilers and runtimes in real boxes (root and bubblewrap needed, as in CI),
with small limits so the file stays quick. No database."""

from __future__ import annotations

import contextlib
import shutil
import signal
import tempfile
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import pytest
from django.test import override_settings

from scoring.judge.compare import outputs_match
from scoring.judge.local import LocalJudge
from scoring.judge.sandbox import (
    BoxLimits,
    SandboxUnavailableError,
    box_run,
    sandbox_unavailable_reason,
    slot_acquire,
    slots_sweep,
    uid_processes,
)

# Imported under another name: pytest would try to collect a class named Test….
from scoring.judge.types import CompareMode, JudgeInternalError, JudgeRequest, JudgeResult, Verdict
from scoring.judge.types import TestCase as Case

UID_BASE = 62000
SLOTS = 4
TIME_LIMIT_MS = 500
MEMORY_MB = 64

SUM_TESTS = [Case("1 2\n", "3\n", sample=True), Case("40 2\n", "42\n")]


@pytest.fixture(scope="module", autouse=True)
def judge_work_dir() -> Iterator[Path]:
    """Boxes of our own: uids and a work directory no other test run uses. Not a
    tmp_path_factory directory: pytest makes its base 0700, and each box's bubblewrap (as
    the box's uid) must pass through every parent of the work directory."""
    reason = sandbox_unavailable_reason()
    if reason is not None:
        pytest.fail(f"The sandbox tests need root and bubblewrap (apt-get install -y bubblewrap): {reason}")
    work = Path(tempfile.mkdtemp(prefix="qs-judge-sandbox-"))
    work.chmod(0o711)
    with override_settings(JUDGE_WORK_DIR=work, JUDGE_UID_BASE=UID_BASE, JUDGE_SLOTS=SLOTS):
        yield work
        slots_sweep()
    shutil.rmtree(work)


def judge(
    language: str,
    source: str,
    tests: list[Case] | None = None,
    *,
    time_limit_ms: int = TIME_LIMIT_MS,
    memory_mb: int = MEMORY_MB,
    **options: Any,
) -> JudgeResult:
    """Judge in a box; afterwards no process of any box uid may be left."""
    tests = SUM_TESTS if tests is None else tests
    request = JudgeRequest(language, source, tests, time_limit_ms=time_limit_ms, memory_mb=memory_mb, **options)
    result = LocalJudge().judge(request)
    for index in range(SLOTS):
        assert uid_processes(UID_BASE + index) == [], f"processes of box uid {UID_BASE + index} outlive the judging"
    return result


# --- Every verdict in every language: a+b, right, wrong, slow, crashing, not compiling --

PROGRAMS: dict[str, dict[Verdict, str]] = {
    "python": {
        Verdict.AC: "a, b = map(int, input().split())\nprint(a + b)\n",
        Verdict.WA: "a, b = map(int, input().split())\nprint(a - b)\n",
        Verdict.TLE: "input()\nwhile True:\n    pass\n",
        Verdict.RE: "a, b = map(int, input().split())\nprint(a // (b - b))\n",
        Verdict.CE: "a, b = map(int, input().split()\nprint(a + b)\n",
        Verdict.MLE: "blocks = []\nwhile True:\n    blocks.append(bytearray(b'x' * (1 << 20)))\n",
    },
    "c": {
        Verdict.AC: '#include <stdio.h>\nint main(void) { long a, b; scanf("%ld %ld", &a, &b); printf("%ld", a + b); }',
        Verdict.WA: '#include <stdio.h>\nint main(void) { long a, b; scanf("%ld %ld", &a, &b); printf("%ld", a * b); }',
        Verdict.TLE: "int main(void) { volatile unsigned long n = 0; for (;;) n++; }\n",
        Verdict.RE: "int main(void) { volatile int *p = 0; *p = 1; return 0; }\n",
        Verdict.CE: "int main(void) { return undeclared; }\n",
        Verdict.MLE: (
            "#include <stdlib.h>\n#include <string.h>\n"
            "int main(void) { for (;;) { char *p = malloc(1 << 20); if (!p) return 1; memset(p, 1, 1 << 20); } }\n"
        ),
    },
    "cpp": {
        Verdict.AC: "#include <iostream>\nint main() { long a, b; std::cin >> a >> b; std::cout << a + b << '\\n'; }",
        Verdict.WA: "#include <iostream>\nint main() { long a, b; std::cin >> a >> b; std::cout << a << b; }",
        Verdict.TLE: "int main() { volatile unsigned long n = 0; for (;;) n++; }\n",
        Verdict.RE: '#include <stdexcept>\nint main() { throw std::runtime_error("no"); }\n',
        Verdict.CE: "#include <vector>\nint main() { std::vector<int> v = 3; }\n",
        Verdict.MLE: (
            "#include <vector>\nint main() { std::vector<std::vector<char>> v; for (;;) v.emplace_back(1 << 20, 'x'); }"
        ),
    },
    "java": {
        Verdict.AC: (
            "import java.util.*;\npublic class Sum { public static void main(String[] a) {"
            " Scanner s = new Scanner(System.in); System.out.println(s.nextLong() + s.nextLong()); } }\n"
        ),
        Verdict.WA: "public class Main { public static void main(String[] a) { System.out.println(7); } }\n",
        Verdict.TLE: "public class Main { public static void main(String[] a) { long n = 0; while (true) n++; } }\n",
        Verdict.RE: "public class Main { public static void main(String[] a) { int[] x = new int[1]; x[2] = 1; } }\n",
        Verdict.CE: 'public class Main { public static void main(String[] a) { int x = "text"; } }\n',
        Verdict.MLE: (
            "import java.util.*;\npublic class Main { public static void main(String[] a) {"
            " List<long[]> l = new ArrayList<>(); while (true) l.add(new long[1 << 17]); } }\n"
        ),
    },
    "javascript": {
        Verdict.AC: (
            "const [a, b] = require('fs').readFileSync(0, 'utf8').trim().split(/\\s+/).map(Number);\n"
            "console.log(a + b);\n"
        ),
        Verdict.WA: "console.log('3 4');\n",
        Verdict.TLE: "for (;;) {}\n",
        Verdict.RE: "const x = null;\nconsole.log(x.length);\n",
        Verdict.CE: "function f( {\n",
        Verdict.MLE: "const a = [];\nfor (;;) a.push(new Array(1e6).fill(1.5));\n",
    },
}

CASES = [(language, verdict) for language, programs in PROGRAMS.items() for verdict in programs]


@pytest.mark.parametrize(("language", "verdict"), CASES, ids=[f"{lang}-{v}" for lang, v in CASES])
def test_each_language_gets_each_verdict(language: str, verdict: Verdict) -> None:
    tests = SUM_TESTS[:1] if verdict == Verdict.TLE else SUM_TESTS  # a time-out takes seconds: one is enough

    result = judge(language, PROGRAMS[language][verdict], tests)

    assert result.verdict == verdict, (result, result.compile_output)
    if verdict == Verdict.CE:
        assert result.tests == [] and result.compile_output.strip(), result
    else:
        assert [t.verdict for t in result.tests] == [verdict] * len(tests), result


RUNTIME_NEAR_ITS_LIMITS = {
    # 70% of the heap limit held, then a deep recursion: the runtime's own memory is no MLE.
    "java": (
        "import java.util.*;\npublic class Main {\n"
        "    static int depth(int n) { long a = n, b = n; return n == 0 ? 0 : depth(n - 1) + 1 + (int) (a - b); }\n"
        "    public static void main(String[] args) {\n        List<long[]> held = new ArrayList<>();\n"
        "        for (int i = 0; i < 64 * 0.7; i++) held.add(new long[1 << 17]);\n"
        "        System.out.println(depth(400000) + held.size());\n    }\n}\n"
    ),
    "javascript": (
        "const held = [];\nfor (let i = 0; i < 64 * 0.7; i++) held.push(new Array(1 << 17).fill(i + 0.5));\n"
        "function depth(n) { return n === 0 ? 0 : depth(n - 1) + 1; }\nconsole.log(depth(400000) + held.length);\n"
    ),
}


@pytest.mark.parametrize("language", list(RUNTIME_NEAR_ITS_LIMITS))
def test_a_runtimes_own_memory_is_no_mle(language: str) -> None:
    result = judge(language, RUNTIME_NEAR_ITS_LIMITS[language], [Case("", "400045\n")], time_limit_ms=2000)

    assert result.verdict == Verdict.AC, result
    assert result.tests[0].memory_kb > MEMORY_MB * 1024  # over the heap limit, within the allowance


def test_compile_error_output_names_the_problem() -> None:
    result = judge("c", PROGRAMS["c"][Verdict.CE])

    assert result.verdict == Verdict.CE
    assert "undeclared" in result.compile_output and "main.c" in result.compile_output


def test_a_submission_gets_its_worst_test_verdict_by_priority() -> None:
    """A wrong answer on one test and a time-out on another: TLE comes first."""
    source = "a, b = map(int, input().split())\nwhile a == 9:\n    pass\nprint(a * b)\n"
    tests = [Case("2 2\n", "4\n"), Case("1 2\n", "3\n"), Case("9 1\n", "9\n")]

    result = judge("python", source, tests)

    assert [t.verdict for t in result.tests] == [Verdict.AC, Verdict.WA, Verdict.TLE]
    assert result.verdict == Verdict.TLE


# --- Options of a judging ------------------------------------------------------------

WRONG_ON_FIVE = "a, b = map(int, input().split())\nprint(a + b + (a == 5))\n"
THREE_TESTS = [Case("1 2\n", "3\n"), Case("5 5\n", "10\n"), Case("2 2\n", "4\n")]


def test_stop_on_failure_skips_the_tests_after_the_first_failure() -> None:
    result = judge("python", WRONG_ON_FIVE, THREE_TESTS, stop_on_failure=True)

    assert [t.verdict for t in result.tests] == [Verdict.AC, Verdict.WA, None]
    assert result.tests[2].time_ms == 0 and result.tests[2].as_dict() == {"verdict": None, "time_ms": 0, "memory_kb": 0}
    assert result.verdict == Verdict.WA


def test_without_stop_on_failure_every_test_runs() -> None:
    result = judge("python", WRONG_ON_FIVE, THREE_TESTS, stop_on_failure=False)

    assert [t.verdict for t in result.tests] == [Verdict.AC, Verdict.WA, Verdict.AC]
    assert all(t.time_ms > 0 for t in result.tests)


CHATTY = "import sys\na, b = map(int, input().split())\nprint('debug', a, file=sys.stderr)\nprint(a + b)\n"


def test_output_is_shown_only_for_samples_of_a_run_that_shows_output() -> None:
    result = judge("python", CHATTY, show_output=True)

    sample, hidden = result.tests
    assert (sample.stdout, sample.stderr) == ("3\n", "debug 1\n")
    assert (hidden.stdout, hidden.stderr) == (None, None)
    assert "stdout" not in hidden.as_dict() and "42" not in str(hidden.as_dict())


def test_judged_runs_show_no_output_even_of_samples() -> None:
    result = judge("python", CHATTY, show_output=False)

    assert result.verdict == Verdict.AC
    assert [(t.stdout, t.stderr) for t in result.tests] == [(None, None), (None, None)]


# --- Time and memory of each test ----------------------------------------------------


@pytest.mark.parametrize("language", list(PROGRAMS))
def test_each_test_records_its_time_and_memory(language: str) -> None:
    result = judge(language, PROGRAMS[language][Verdict.AC])

    assert result.verdict == Verdict.AC
    for test in result.tests:
        assert test.time_ms > 0 and test.memory_kb > 0, test
    assert result.time_ms() == max(t.time_ms for t in result.tests)


def test_time_and_memory_measure_the_program() -> None:
    """A program that spins ~300 ms and holds 40 MB reports about that, not the judge's own."""
    source = (
        "import time\nblock = bytearray(b'x' * (40 << 20))\nend = time.process_time() + 0.3\n"
        "while time.process_time() < end:\n    pass\nprint(len(block) >> 20)\n"
    )
    light = judge("python", "print(40)\n", [Case("", "40\n")], time_limit_ms=1000, memory_mb=128)
    heavy = judge("python", source, [Case("", "40\n")], time_limit_ms=1000, memory_mb=128)

    assert (light.verdict, heavy.verdict) == (Verdict.AC, Verdict.AC)
    assert 300 <= heavy.tests[0].time_ms < 900, heavy
    assert heavy.tests[0].memory_kb >= 40 * 1024 > light.tests[0].memory_kb, (light, heavy)


# --- Comparing outputs ---------------------------------------------------------------


@pytest.mark.parametrize(
    ("got", "expected", "matches"),
    [
        ("3\n", "3\n", True),
        ("3", "3\n", False),
        ("3 \n", "3\n", False),
        ("3\r\n", "3\n", False),
        ("1 2\n", "1  2\n", False),
        ("", "", True),
    ],
)
def test_exact_comparison_is_byte_for_byte(got: str, expected: str, matches: bool) -> None:
    assert outputs_match(got=got, expected=expected, mode=CompareMode.EXACT) is matches


@pytest.mark.parametrize(
    ("got", "expected", "matches"),
    [
        ("1  2\n\n", "1 2", True),
        ("1\t2\r\n3", "1 2 3\n", True),
        ("  \n", "", True),
        ("1 2 3", "1 2", False),
        ("12", "1 2", False),
        ("1.0", "1", False),
        ("Yes", "yes", False),
    ],
)
def test_whitespace_comparison_compares_tokens(got: str, expected: str, matches: bool) -> None:
    assert outputs_match(got=got, expected=expected, mode=CompareMode.WHITESPACE) is matches


@pytest.mark.parametrize(
    ("got", "expected", "tolerance", "matches"),
    [
        ("0.3333333", "0.333333333", 1e-6, True),
        ("1.0 2", "1 2.000000", 1e-6, True),
        ("1.00001", "1", 1e-6, False),
        ("1.00001", "1", 1e-4, True),
        ("1000000.5", "1000000", 1e-6, True),  # relative
        ("1000002", "1000000", 1e-6, False),
        ("0.0000001", "0", 1e-6, True),  # absolute
        ("-0.0", "0", 0.0, True),
        ("1e3", "1000", 1e-9, True),
        ("2.5 x", "2.5 y", 1e-6, False),  # a word compares exactly
        ("2.5 ok", "2.5000001 ok", 1e-6, True),
        ("1 2", "1", 1e-6, False),
        ("nan", "1", 1e-6, False),
        ("inf", "1e308", 1e-6, False),
        ("1e999", "1e999", 1e-6, True),  # the same token
        ("1_000", "1000", 1e-6, False),  # Python's float() reads these; a judge must not
        ("\u0661\u0662", "12", 1e-6, False),
        ("infinity", "inf", 1e-6, False),
    ],
)
def test_float_comparison_allows_the_tolerance(got: str, expected: str, tolerance: float, matches: bool) -> None:
    assert outputs_match(got=got, expected=expected, mode=CompareMode.FLOAT, tolerance=tolerance) is matches


def test_the_judge_applies_the_requested_comparison() -> None:
    source = "print('%.7f' % (1 / 3))\n"
    tests = [Case("", "0.333333333\n")]

    assert judge("python", source, tests, compare=CompareMode.FLOAT, tolerance=1e-6).verdict == Verdict.AC
    assert judge("python", source, tests, compare=CompareMode.FLOAT, tolerance=1e-9).verdict == Verdict.WA
    assert judge("python", source, tests, compare=CompareMode.WHITESPACE).verdict == Verdict.WA
    assert judge("python", "print(' 3 ')\n", [Case("", "3\n")], compare=CompareMode.EXACT).verdict == Verdict.WA
    assert judge("python", "print(' 3 ')\n", [Case("", "3\n")]).verdict == Verdict.AC


# --- The box's runtime environment ---------------------------------------------------


def test_programs_start_with_every_signal_at_its_default() -> None:
    """No signal ignored or blocked: the judge's own Python ignores SIGPIPE and SIGXFSZ, a
    worker started under nohup ignores SIGHUP, and a blocked signal stays blocked through
    exec too; here the worker ignores SIGHUP and blocks SIGUSR1 while it judges."""
    source = (
        "#include <signal.h>\n#include <stdio.h>\n#include <unistd.h>\n"
        "int main(void) { sigset_t blocked; sigprocmask(SIG_BLOCK, NULL, &blocked);"
        " for (int s = 1; s < 32; s++) { struct sigaction a; sigaction(s, NULL, &a);"
        ' if (a.sa_handler == SIG_IGN) printf("ignored %d ", s);'
        ' if (sigismember(&blocked, s)) printf("blocked %d ", s); }'
        ' puts("defaults"); }\n'
    )

    hangup = signal.signal(signal.SIGHUP, signal.SIG_IGN)
    blocked = signal.pthread_sigmask(signal.SIG_BLOCK, {signal.SIGUSR1})
    try:
        result = judge("c", source, [Case("", "defaults\n", sample=True)], show_output=True)
    finally:
        signal.pthread_sigmask(signal.SIG_SETMASK, blocked)
        signal.signal(signal.SIGHUP, hangup)

    assert result.verdict == Verdict.AC, result


def test_threads_start_and_recursion_may_use_the_memory_limit() -> None:
    """Eight threads start, and a 50 MB deep recursion runs within 128 MB but not within 32 MB."""
    source = (
        "#include <pthread.h>\n#include <stdio.h>\n"
        "static void *work(void *arg) { return arg; }\n"
        "static int depth(int n) { volatile char pad[1024]; pad[0] = 1; return n ? depth(n - 1) + pad[0] : 0; }\n"
        "int main(void) { pthread_t t[8]; int started = 0;"
        " for (int i = 0; i < 8; i++) started += pthread_create(&t[i], NULL, work, NULL) == 0;"
        " for (int i = 0; i < started; i++) pthread_join(t[i], NULL);"
        ' printf("%d %d\\n", started, depth(50000)); }\n'
    )
    tests = [Case("", "8 50000\n")]

    assert judge("c", source, tests, memory_mb=128).verdict == Verdict.AC
    assert judge("c", source, tests, memory_mb=32).verdict == Verdict.MLE


def test_python_threads_start() -> None:
    source = (
        "import threading\nresults = []\n"
        "threads = [threading.Thread(target=results.append, args=(i,)) for i in range(8)]\n"
        "for t in threads:\n    t.start()\nfor t in threads:\n    t.join()\nprint(sum(results))\n"
    )

    assert judge("python", source, [Case("", "28\n")]).verdict == Verdict.AC


def test_no_process_of_a_box_uid_holds_the_worker_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    """Not the box's program (its environment is the box's own, see test_hostile) nor the
    spawner that starts the box from outside it, which runs as the box's uid too."""
    monkeypatch.setenv("QS_WORKER_SECRET", "worker-secret-4e1d")
    environments: dict[int, bytes] = {}
    with ThreadPoolExecutor(max_workers=1) as pool:
        judging = pool.submit(judge, "python", "import time\ntime.sleep(60)\n", [Case("", "")])
        while not judging.done():
            for uid in range(UID_BASE, UID_BASE + SLOTS):
                for pid in uid_processes(uid):
                    with contextlib.suppress(OSError):
                        environments[pid] = Path(f"/proc/{pid}/environ").read_bytes()
            time.sleep(0.05)

    assert judging.result().verdict == Verdict.TLE
    assert len(environments) >= 3, environments  # the spawner, bubblewrap, the program
    assert not [pid for pid, environment in environments.items() if b"worker-secret-4e1d" in environment]
    assert not [pid for pid, environment in environments.items() if b"DATABASE_URL" in environment]


# --- The judge's own failures are the judge's, never the team's ------------------------


def test_a_box_bwrap_cannot_set_up_is_an_internal_error_not_a_compilation_error() -> None:
    with slot_acquire() as slot:
        shutil.rmtree(slot.src)  # nothing to bind at /src: bwrap stops before the program
        limits = BoxLimits(cpu_ms=1000, wall_ms=5000, address_space_mb=256, processes=8)
        with pytest.raises(SandboxUnavailableError, match="could not set up the box"):
            box_run(slot=slot, command=["/usr/bin/true"], limits=limits)
        slot.src.mkdir()
        # A program that fails on its own is its own failure, whatever it prints.
        failing = box_run(slot=slot, command=["/bin/sh", "-c", "echo 'bwrap: fake' >&2; exit 1"], limits=limits)
        assert failing.exit_code == 1


def test_a_work_directory_the_boxes_cannot_reach_is_refused_with_a_reason() -> None:
    hidden = Path(tempfile.mkdtemp(prefix="qs-judge-hidden-"))  # 0700, like a home directory
    try:
        with override_settings(JUDGE_WORK_DIR=hidden / "judge"):
            with pytest.raises(SandboxUnavailableError, match="cannot pass through"), slot_acquire():
                pass
            with pytest.raises(JudgeInternalError, match="cannot pass through"):
                LocalJudge().judge(JudgeRequest("python", "print(3)\n", SUM_TESTS, 500, 64))
    finally:
        shutil.rmtree(hidden)


def test_a_program_over_both_its_memory_and_its_time_is_an_mle() -> None:
    """Memory before time: how long filling memory takes depends on the machine's load."""
    source = (
        "#include <stdlib.h>\n#include <string.h>\n#include <time.h>\n"
        "int main(void){char *p = malloc(80 << 20); memset(p, 1, 80 << 20);\n"
        "while (clock() < CLOCKS_PER_SEC * 7 / 10) {} return p[12345] - 1;}\n"
    )
    result = judge("c", source, [Case("", "")], time_limit_ms=500, memory_mb=64)
    test = result.tests[0]
    assert test.time_ms > 500 and test.memory_kb > 64 * 1024
    assert result.verdict == Verdict.MLE
