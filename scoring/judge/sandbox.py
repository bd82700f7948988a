"""One command in a bubblewrap box, as a non-root uid of its own, under hard limits.

A box is a slot: a uid (`JUDGE_UID_BASE + n`) and a directory, held by one judging at a time
through a lock file, so several worker processes on one machine never share a uid. Each run:

- `bwrap` as the slot's uid (the worker switches to it before bwrap starts, so nothing in
  the box is root, inside or outside its user namespace), in new user, pid, network, ipc,
  uts and cgroup namespaces (no network at all), with no capabilities, a cleared
  environment, further user namespaces disabled, and a new session (no terminal tricks).
- The root is empty but for read-only system directories (`/usr` and the few files of
  `/etc` the runtimes read), `/proc` of its own pid namespace, a minimal `/dev`, a fresh
  size-limited tmpfs at `/tmp`, the source read-only at `/src` and the build directory at
  `/build` (writable only while compiling). The root and `/dev` are read-only: `/tmp`
  (and `/build` while compiling) are the only places a box can write.
- The program is the pid namespace's init: the kernel spares it any signal it has no
  handler for, even one it sends itself (writing past the file-size limit gets EFBIG,
  not SIGXFSZ); its children get every signal as usual.
- rlimits set by `prlimit` before bwrap starts, so they hold for everything in the box:
  CPU time, address space, processes (per uid: a fork bomb stops at the limit), file
  size, open files, stack, no core files.
- A seccomp filter (x86-64) refuses system calls no contest program needs, and sockets
  other than AF_UNIX.
- The host reads stdout and stderr through pipes, up to a byte cap, and enforces the wall
  clock. On any breach, and after every run, every process of the slot's uid is killed.

The host never opens a path in a directory the box could write (`/build`): test input is
given as an open file from a host-only directory, output comes through pipes, and the
build directory is only ever bound into the next box or removed without following links.
"""

from __future__ import annotations

import fcntl
import os
import selectors
import shutil
import signal
import stat
import subprocess
import time
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from dataclasses import dataclass
from pathlib import Path

from django.conf import settings

from .seccomp import seccomp_pipe

BWRAP = "/usr/bin/bwrap"
PRLIMIT = "/usr/bin/prlimit"
# The system Python (also the box's Python 3): the worker's own may live where box uids cannot read.
SPAWNER_PYTHON = "/usr/bin/python3"

# Read-only system paths bound into every box; missing ones are skipped.
SYSTEM_BINDS = ("/usr", "/etc/alternatives", "/etc/ld.so.cache", "/etc/java-17-openjdk", "/etc/ssl/certs/java")
SYSTEM_LINKS = (("usr/bin", "/bin"), ("usr/lib", "/lib"), ("usr/lib64", "/lib64"), ("usr/sbin", "/sbin"))
KILL_GRACE_S = 2.0


@dataclass(frozen=True)
class BoxLimits:
    cpu_ms: int  # CPU time, all processes of the run together as the kernel counts them
    wall_ms: int
    address_space_mb: int  # per process
    processes: int
    file_size_mb: int = 16
    open_files: int = 64
    # None: the main thread's stack may grow as far as the address space allows. A finite
    # stack limit is also glibc's default stack size for every new thread, so a large one
    # makes each thread reserve that much address space: few threads, or none, could start.
    stack_mb: int | None = 256
    tmpfs_mb: int = 64
    stdout_bytes: int = 1 << 20
    stderr_bytes: int = 1 << 20


@dataclass(frozen=True)
class BoxRun:
    exit_code: int  # bwrap passes on the program's code; 128 + n for signal n
    cpu_ms: int
    wall_ms: int
    memory_kb: int  # peak resident memory of the largest process
    stdout: bytes
    stderr: bytes
    wall_exceeded: bool = False
    output_exceeded: bool = False


class SandboxUnavailableError(Exception):
    pass


def sandbox_unavailable_reason() -> str | None:
    """Why this process cannot run boxes, for a person to fix; None when it can."""
    if not Path(BWRAP).exists():
        return "bubblewrap is not installed (Debian package `bubblewrap`)."
    if not Path(PRLIMIT).exists():
        return "prlimit is not installed (Debian package `util-linux`)."
    if os.geteuid() != 0:
        return "the judge worker must run as root, to run each box as a uid of its own (never root)."
    return None


@dataclass(frozen=True)
class Slot:
    index: int
    uid: int
    root: Path

    @property
    def src(self) -> Path:
        return self.root / "src"

    @property
    def build(self) -> Path:
        return self.root / "build"

    @property
    def inputs(self) -> Path:
        return self.root / "inputs"  # host only: never bound into a box


def _work_dir() -> Path:
    """JUDGE_WORK_DIR, made if missing. The boxes' bwrap, as their uids, must pass through
    it and every directory above it to bind src and build: one that they cannot (a home
    directory, pytest's 0700 temporary root) is the deployment's mistake, said as such."""
    base = Path(settings.JUDGE_WORK_DIR).resolve()
    base.mkdir(parents=True, exist_ok=True)
    base.chmod(0o711)
    for parent in base.parents:
        if not parent.stat().st_mode & stat.S_IXOTH:
            raise SandboxUnavailableError(
                f"JUDGE_WORK_DIR={base} is under {parent}, which the box uids cannot pass through "
                "(it lacks o+x): choose a directory such as /var/lib/quizserver/judge."
            )
    return base


@contextmanager
def slot_acquire() -> Iterator[Slot]:
    """Hold a free slot for one judging; its leftovers are swept first. Blocks until a slot
    is free. The lock is a `flock`, released by the kernel if the worker dies."""
    base = _work_dir()
    while True:
        for index in range(settings.JUDGE_SLOTS):
            lock = os.open(base / f"slot-{index}.lock", os.O_RDWR | os.O_CREAT | os.O_NOFOLLOW, 0o600)
            try:
                fcntl.flock(lock, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except BlockingIOError:
                os.close(lock)
                continue
            try:
                slot = Slot(index, settings.JUDGE_UID_BASE + index, base / f"slot-{index}")
                slot_sweep(slot)
                _slot_prepare(slot)
                yield slot
                slot_sweep(slot)
                return
            finally:
                os.close(lock)
        time.sleep(0.05)


def slot_sweep(slot: Slot) -> None:
    """Kill every process of the slot's uid and remove its directory (links not followed)."""
    uid_kill(slot.uid)
    if slot.root.exists():
        assert shutil.rmtree.avoids_symlink_attacks
        shutil.rmtree(slot.root)


def slots_sweep() -> None:
    """At worker start: the leftovers of every slot no live worker holds."""
    base = _work_dir()
    for index in range(settings.JUDGE_SLOTS):
        lock = os.open(base / f"slot-{index}.lock", os.O_RDWR | os.O_CREAT | os.O_NOFOLLOW, 0o600)
        try:
            fcntl.flock(lock, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            continue  # another worker judges in it now
        else:
            slot_sweep(Slot(index, settings.JUDGE_UID_BASE + index, base / f"slot-{index}"))
        finally:
            os.close(lock)


def _slot_prepare(slot: Slot) -> None:
    slot.root.mkdir(mode=0o711)
    slot.src.mkdir(mode=0o755)
    slot.inputs.mkdir(mode=0o700)
    slot.build.mkdir(mode=0o700)
    os.chown(slot.build, slot.uid, slot.uid)


def host_file_write(path: Path, data: bytes, *, mode: int = 0o644) -> None:
    """Write a file in a host-only or read-only-to-boxes directory, never through a link."""
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW, mode)
    with os.fdopen(fd, "wb") as out:
        out.write(data)


def uid_processes(uid: int) -> list[int]:
    """The live processes of `uid`. Zombies are left out: they are dead already, and one
    whose parent is the worker (a killed spawner) stays until `box_run` reaps it, after
    its `uid_kill`. (A `/proc/<pid>` directory is owned by the process's effective uid,
    whatever its dumpable flag.)"""
    pids = []
    for entry in os.scandir("/proc"):
        if not entry.name.isdigit():
            continue
        try:
            if entry.stat(follow_symlinks=False).st_uid == uid and not _zombie(entry.path):
                pids.append(int(entry.name))
        except (FileNotFoundError, ProcessLookupError):
            continue
    return pids


def _zombie(proc_dir: str) -> bool:
    with open(f"{proc_dir}/stat", "rb") as stat:
        # "pid (comm) state …": the command may hold spaces and parentheses, the state follows the last ")".
        state = stat.read().rsplit(b")", 1)[-1].split()[:1]
    return state in ([b"Z"], [b"X"], [])


def uid_kill(uid: int) -> None:
    """SIGKILL every process of `uid` until none is left (a fork bomb may race the first pass)."""
    deadline = time.monotonic() + KILL_GRACE_S
    while pids := uid_processes(uid):
        for pid in pids:
            with suppress(ProcessLookupError):
                os.kill(pid, signal.SIGKILL)
        if time.monotonic() > deadline:
            raise SandboxUnavailableError(f"processes of box uid {uid} survive SIGKILL: {pids}")
        time.sleep(0.01)


def _bwrap_argv(*, slot: Slot, limits: BoxLimits, build_writable: bool, seccomp_fd: int | None) -> list[str]:
    argv = [
        BWRAP,
        *(["--seccomp", str(seccomp_fd)] if seccomp_fd is not None else []),
        "--unshare-all",
        "--unshare-user",
        "--disable-userns",
        "--die-with-parent",
        "--new-session",
        "--json-status-fd",
        "@STATUS_FD@",  # the spawner's status pipe
        # The program is the namespace's init, so the CPU time of its process (threads
        # included) reaches the host's wait4; children it leaves behind die with it.
        "--as-pid-1",
        "--cap-drop",
        "ALL",
        "--clearenv",
        "--setenv",
        "PATH",
        "/usr/bin:/bin",
        "--setenv",
        "HOME",
        "/tmp",  # noqa: S108 - the box's own tmpfs
        "--setenv",
        "LANG",
        "C.UTF-8",
        "--hostname",
        "box",
    ]
    for path in SYSTEM_BINDS:
        if os.path.exists(path):
            argv += ["--ro-bind", path, path]
    for target, link in SYSTEM_LINKS:
        argv += ["--symlink", target, link]
    argv += ["--proc", "/proc", "--dev", "/dev"]
    argv += ["--size", str(limits.tmpfs_mb * 1024 * 1024), "--perms", "1777", "--tmpfs", "/tmp"]  # noqa: S108
    argv += ["--ro-bind", str(slot.src), "/src"]
    argv += ["--bind" if build_writable else "--ro-bind", str(slot.build), "/build", "--chdir", "/build"]
    # The root and /dev are tmpfs mounts owned by the box's uid, with no size limit: left
    # writable, a program could fill the host's memory through them. Only /tmp (sized) and
    # /build (while compiling) stay writable.
    argv += ["--remount-ro", "/dev", "--remount-ro", "/"]
    return argv


def _prlimit_argv(limits: BoxLimits) -> list[str]:
    mb = 1024 * 1024
    cpu_s = -(-limits.cpu_ms // 1000) + 1  # the kernel's limit is a backstop; the verdict reads the time
    return [
        PRLIMIT,
        f"--cpu={cpu_s}",
        f"--as={limits.address_space_mb * mb}",
        f"--nproc={limits.processes}",
        f"--fsize={limits.file_size_mb * mb}",
        f"--nofile={limits.open_files}",
        "--stack=unlimited" if limits.stack_mb is None else f"--stack={limits.stack_mb * mb}",
        "--core=0",
        "--",
    ]


# The box's parent, outside it: a fresh small process that starts `prlimit … bwrap …` and
# reports its resource use. Measured from the worker itself, the peak memory would include
# the worker's own (a forked child keeps its parent's high-water mark through exec). It
# runs as the box's uid in no namespace of the box's, so the program can neither see nor
# signal it; the report pipe is closed before the box starts. An ignored signal stays
# ignored through exec, and so does a blocked one: Python ignores SIGPIPE and SIGXFSZ, and a
# worker started under nohup ignores SIGHUP. The box gets every signal back at its default
# and unblocked, as anywhere else (a child of the program writing past the file-size limit
# dies).
# bwrap's status (`--json-status-fd`, which the box does not inherit) has an "exit-code" only
# for a box that ran, whatever its program did: a box bwrap could not set up is the judge's
# failure (retried, then IE), never the team's compilation error.
_SPAWNER = """
import os, signal, sys
report = int(sys.argv[1])
os.set_inheritable(report, False)
status_r, status_w = os.pipe()
os.set_inheritable(status_w, True)
argv = [str(status_w) if arg == "@STATUS_FD@" else arg for arg in sys.argv[2:]]
defaults = signal.valid_signals() - {signal.SIGKILL, signal.SIGSTOP}
pid = os.posix_spawn(argv[0], argv, {}, setsigdef=defaults, setsigmask=())
os.close(status_w)
_, status, usage = os.wait4(pid, 0)
ran = b'"exit-code"' in b"".join(iter(lambda: os.read(status_r, 65536), b""))
code = 128 + os.WTERMSIG(status) if os.WIFSIGNALED(status) else os.WEXITSTATUS(status)
cpu_ms = round((usage.ru_utime + usage.ru_stime) * 1000)
os.write(report, f"{code} {cpu_ms} {usage.ru_maxrss} {int(ran)}".encode())
"""


def box_run(
    *, slot: Slot, command: list[str], limits: BoxLimits, stdin: Path | None = None, build_writable: bool = False
) -> BoxRun:
    """Run `command` in a fresh box of `slot`; the box and everything it started are gone
    when this returns."""
    seccomp_fd = seccomp_pipe()
    bwrap = _bwrap_argv(slot=slot, limits=limits, build_writable=build_writable, seccomp_fd=seccomp_fd)
    box = [*_prlimit_argv(limits), *bwrap, *command]
    report_r, report_w = os.pipe()
    stdin_fd = os.open(stdin, os.O_RDONLY | os.O_NOFOLLOW) if stdin else os.open(os.devnull, os.O_RDONLY)
    started = time.monotonic()
    try:
        process = subprocess.Popen(  # noqa: S603 - a fixed argv: the spawner, prlimit, bwrap, the language's command
            [SPAWNER_PYTHON, "-I", "-S", "-c", _SPAWNER, str(report_w), *box],
            stdin=stdin_fd,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            env={},  # the worker's (DATABASE_URL, SECRET_KEY…) has no business in a process of the box's uid
            user=slot.uid,
            group=slot.uid,
            extra_groups=[],
            pass_fds=(report_w,) if seccomp_fd is None else (report_w, seccomp_fd),
            start_new_session=True,
        )
    finally:
        os.close(stdin_fd)
        os.close(report_w)
        if seccomp_fd is not None:
            os.close(seccomp_fd)
    try:
        stdout, stderr, wall_exceeded, output_exceeded = _collect(process=process, limits=limits, started=started)
    finally:
        uid_kill(slot.uid)  # on a breach the box and its spawner; else any straggler
        process.wait()
        for stream in (process.stdout, process.stderr):
            if stream is not None:
                stream.close()
        with os.fdopen(report_r, "rb") as report:
            usage = report.read().split()
    wall_ms = round((time.monotonic() - started) * 1000)
    exit_code, cpu_ms, memory_kb, ran = (int(v) for v in usage) if len(usage) == 4 else (137, wall_ms, 0, 1)
    if not ran and not (wall_exceeded or output_exceeded):
        raise SandboxUnavailableError(f"bwrap could not set up the box: {stderr[:500].decode(errors='replace')}")
    return BoxRun(
        exit_code=exit_code,
        cpu_ms=cpu_ms,
        wall_ms=wall_ms,
        memory_kb=memory_kb,
        stdout=stdout,
        stderr=stderr,
        wall_exceeded=wall_exceeded,
        output_exceeded=output_exceeded,
    )


def _collect(*, process: subprocess.Popen[bytes], limits: BoxLimits, started: float) -> tuple[bytes, bytes, bool, bool]:
    """Read stdout and stderr until both close, up to their caps and the wall clock; then
    wait for the box to end. Returns (stdout, stderr, wall exceeded, output exceeded)."""
    assert process.stdout is not None and process.stderr is not None
    streams = {process.stdout.fileno(): limits.stdout_bytes, process.stderr.fileno(): limits.stderr_bytes}
    chunks: dict[int, list[bytes]] = {fd: [] for fd in streams}
    sizes = dict.fromkeys(streams, 0)
    deadline = started + limits.wall_ms / 1000

    def joined(wall: bool, output: bool) -> tuple[bytes, bytes, bool, bool]:
        out, err = (b"".join(chunks[fd]) for fd in streams)
        return out, err, wall, output

    with selectors.DefaultSelector() as selector:
        for fd in streams:
            selector.register(fd, selectors.EVENT_READ)
        while selector.get_map():
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                return joined(True, False)
            for key, _ in selector.select(timeout=min(remaining, 0.5)):
                data = os.read(key.fd, 65536)
                if not data:
                    selector.unregister(key.fd)
                    continue
                sizes[key.fd] += len(data)
                if sizes[key.fd] > streams[key.fd]:
                    return joined(False, True)
                chunks[key.fd].append(data)
    try:  # both pipes closed: the box is ending
        process.wait(timeout=max(0.0, deadline - time.monotonic()))
    except subprocess.TimeoutExpired:
        return joined(True, False)
    return joined(False, False)
