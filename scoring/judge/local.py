"""The default backend: compile once in a box, then run every test in a fresh box."""

from __future__ import annotations

from dataclasses import replace

from .compare import outputs_match
from .languages import LANGUAGES, OUT_OF_MEMORY_SIGNS, Language
from .sandbox import (
    BoxLimits,
    BoxRun,
    SandboxUnavailableError,
    Slot,
    box_run,
    host_file_write,
    sandbox_unavailable_reason,
    slot_acquire,
)
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


class LocalJudge:
    name = "sandbox"

    def unavailable_reason(self) -> str | None:
        return sandbox_unavailable_reason()

    def judge(self, request: JudgeRequest) -> JudgeResult:
        language = LANGUAGES[request.language]
        try:
            with slot_acquire() as slot:
                return _judge_in(slot=slot, language=language, request=request)
        except (OSError, SandboxUnavailableError) as error:
            raise JudgeInternalError(f"sandbox failure: {error}") from error


def _judge_in(*, slot: Slot, language: Language, request: JudgeRequest) -> JudgeResult:
    source_name = language.file_name(request.source)
    host_file_write(slot.src / source_name, request.source.encode())
    compiled = box_run(
        slot=slot,
        command=language.compile_command(source_name=source_name),
        limits=_compile_limits(language),
        build_writable=True,
    )
    compile_output = shown_text(compiled.stderr + compiled.stdout)
    if compiled.exit_code != 0 or compiled.wall_exceeded or compiled.output_exceeded:
        if compiled.wall_exceeded or compiled.cpu_ms >= Language.COMPILE_CPU_S * 1000:
            compile_output = f"Compilation took too long (limit {Language.COMPILE_CPU_S} s).\n{compile_output}"
        return JudgeResult(Verdict.CE, compile_output=compile_output)
    command = language.run_command(memory_mb=request.memory_mb, source_name=source_name)
    limits = _run_limits(language=language, request=request)
    results: list[TestResult] = []
    for index, test in enumerate(request.tests):
        if request.stop_on_failure and results and results[-1].verdict != Verdict.AC:
            results.append(TestResult(None))
            continue
        stdin = slot.inputs / f"{index}.in"
        host_file_write(stdin, test.input.encode(), mode=0o600)
        run = box_run(slot=slot, command=command, limits=_with_output_cap(limits, test), stdin=stdin)
        results.append(_test_result(run=run, test=test, language=language, request=request, limits=limits))
    verdict = worst_verdict([r.verdict for r in results if r.verdict is not None])
    return JudgeResult(verdict, tests=results, compile_output=compile_output)


def _compile_limits(language: Language) -> BoxLimits:
    return BoxLimits(
        cpu_ms=Language.COMPILE_CPU_S * 1000,
        wall_ms=Language.COMPILE_WALL_S * 1000,
        address_space_mb=language.compile_address_space_mb,
        processes=max(language.processes, 32),
        file_size_mb=Language.COMPILE_FILE_MB,
        open_files=256,
        tmpfs_mb=128,
        stdout_bytes=256 * 1024,
        stderr_bytes=256 * 1024,
    )


def _run_limits(*, language: Language, request: JudgeRequest) -> BoxLimits:
    cpu_ms = request.time_limit_ms + language.time_extra_ms
    return BoxLimits(
        cpu_ms=cpu_ms,
        # Waiting (sleep, a blocked read) uses no CPU: the wall clock ends it at twice the limit.
        wall_ms=2 * cpu_ms + 1000,
        address_space_mb=language.address_space_mb(memory_mb=request.memory_mb),
        processes=language.processes,
        open_files=language.open_files,
        # Deep recursion may use the whole memory limit, and threads get glibc's default
        # stacks (with a stack limit of N MB, every thread would reserve N MB).
        stack_mb=None,
    )


def _with_output_cap(limits: BoxLimits, test: TestCase) -> BoxLimits:
    return replace(limits, stdout_bytes=max(1 << 20, 2 * len(test.output.encode()) + 4096))


def _test_result(
    *, run: BoxRun, test: TestCase, language: Language, request: JudgeRequest, limits: BoxLimits
) -> TestResult:
    verdict = _verdict(run=run, test=test, language=language, request=request, limits=limits)
    shown = request.show_output and test.sample
    return TestResult(
        verdict,
        time_ms=run.cpu_ms,
        memory_kb=run.memory_kb,
        stdout=shown_text(run.stdout) if shown else None,
        stderr=shown_text(run.stderr) if shown else None,
    )


def _verdict(*, run: BoxRun, test: TestCase, language: Language, request: JudgeRequest, limits: BoxLimits) -> Verdict:
    """One test's verdict, the first that applies: OLE, MLE, TLE, RE, then the comparison.

    Memory before time: memory past the limit is a fact of the program, while the time it
    took to fill it depends on how busy the machine was (every page it touches costs a
    fault), so a memory bomb is an MLE however loaded the judge is.
    """
    if run.output_exceeded:
        return Verdict.OLE
    out_of_memory = any(sign in run.stderr for sign in OUT_OF_MEMORY_SIGNS[language.name])
    over_memory = run.memory_kb > (request.memory_mb + language.resident_allowance_mb) * 1024
    if out_of_memory or over_memory:
        return Verdict.MLE
    if run.wall_exceeded or run.cpu_ms > limits.cpu_ms:
        return Verdict.TLE
    if run.exit_code != 0:
        return Verdict.RE
    got = run.stdout.decode(errors="replace")
    matched = outputs_match(got=got, expected=test.output, mode=request.compare, tolerance=request.tolerance)
    return Verdict.AC if matched else Verdict.WA
