"""Untrusted code stays in its box (Guarantee 6): a catalogue of hostile programs.

Each program is judged while a benign submission is judged at the same time in another
slot, and while the test itself holds a third slot with files planted in it. Each must:

(a) get its expected verdict. Programs that probe the box print what they reach and
    "blocked" when they reach nothing, so an escape turns their AC into a WA; and nothing
    in `secrets()` may appear in their output, error output or compiler messages;
(b) change no file outside its box: a root-owned world-writable canary in a host
    directory, a few files of the project, the held slot's files;
(c) leave no process of any box uid behind (checked at once, and again 2 s later for
    programs that start processes meant to outlive them);
(d) not disturb the benign judging, which still gets AC.

Verdicts chosen, and why:
- bombs and loops: fork and thread bombs spin until the wall clock ends them (TLE); the
  JVM reports a thread bomb as `OutOfMemoryError: unable to create native thread` (MLE);
  memory bombs are MLE in every language; output floods are OLE;
- a file beyond the file-size limit: a C process dies of SIGXFSZ, Python (which ignores
  that signal) gets EFBIG; both report it (AC "blocked");
- compile-time bombs (`#include "/dev/zero"`, a template explosion) and includes of host
  files are CE: the compiler runs in a box too;
- everything else (network, host files, other slots, links, environment, daemons, kill,
  setuid, unshare, the seccomp filter's refusals) is AC with the output the box allows.
"""

from __future__ import annotations

import hashlib
import os
import shutil
import socket
import tempfile
import textwrap
import threading
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

import pytest
from django.conf import settings
from django.test import override_settings

from scoring.judge.local import LocalJudge
from scoring.judge.sandbox import (
    Slot,
    host_file_write,
    sandbox_unavailable_reason,
    slot_acquire,
    slots_sweep,
    uid_processes,
)
from scoring.judge.seccomp import seccomp_filter

# Imported under another name: pytest would try to collect a class named Test….
from scoring.judge.types import JudgeRequest, JudgeResult, Verdict
from scoring.judge.types import TestCase as Case

UID_BASE = 62000
SLOTS = 4
PLANTED_SECRET = "planted-in-another-slot-5b0e7d"
BENIGN_SECRET = "benign-source-marker-91c4aa"
CANARY_CONTENT = "canary-untouched-0f3e12\n"
WORKER_SECRET = "worker-environment-secret-77d1c9"
ENVIRONMENT = "HOME=/tmp\nLANG=C.UTF-8\nPATH=/usr/bin:/bin\nPWD=/build\n"
PROJECT_FILES = ("quizserver/settings.py", "manage.py", "pyproject.toml", "scoring/judge/sandbox.py")


@dataclass(frozen=True)
class Hostile:
    name: str
    language: str
    source: str  # @BASE@, @WORK@ and @CANARY@ are replaced by the host's real paths
    verdict: Verdict
    output: str = "blocked\n"  # what an AC program prints on each test
    tests: int = 1
    memory_mb: int = 64
    lingers: bool = False  # starts processes meant to outlive it: checked again 2 s later


# --- The catalogue -------------------------------------------------------------------


def code(text: str) -> str:
    return textwrap.dedent(text).lstrip("\n")


C_HEADERS = code(
    """
    #define _GNU_SOURCE
    #include <arpa/inet.h>
    #include <fcntl.h>
    #include <netinet/in.h>
    #include <pthread.h>
    #include <sched.h>
    #include <signal.h>
    #include <stdio.h>
    #include <stdlib.h>
    #include <string.h>
    #include <sys/socket.h>
    #include <sys/syscall.h>
    #include <sys/un.h>
    #include <sys/wait.h>
    #include <unistd.h>
    """
)

BOMBS = [
    Hostile(
        "py-fork-bomb",
        "python",
        code(
            """
            import os
            while True:
                try:
                    os.fork()
                except OSError:
                    pass
            """
        ),
        Verdict.TLE,
    ),
    Hostile("c-fork-bomb", "c", C_HEADERS + "int main(void) { for (;;) fork(); }\n", Verdict.TLE),
    Hostile(
        "c-thread-bomb",
        "c",
        C_HEADERS
        + code(
            """
            static void *spin(void *arg) { for (;;); return arg; }
            int main(void) { pthread_t t; for (;;) pthread_create(&t, NULL, spin, NULL); }
            """
        ),
        Verdict.TLE,
    ),
    Hostile(
        "java-thread-bomb",
        "java",
        code(
            """
            public class Main {
                public static void main(String[] args) {
                    while (true) {
                        Thread t = new Thread(() -> {
                            try { Thread.sleep(100000); } catch (InterruptedException e) { }
                        });
                        t.setDaemon(true);
                        t.start();
                    }
                }
            }
            """
        ),
        Verdict.MLE,  # the JVM says "OutOfMemoryError: unable to create native thread"
    ),
    Hostile("py-memory-bomb", "python", "b = []\nwhile True:\n    b.append(b'x' * (1 << 20))\n", Verdict.MLE),
    Hostile(
        "c-memory-bomb",
        "c",
        C_HEADERS
        + code(
            """
            int main(void) {
                for (;;) { char *p = malloc(1 << 20); if (!p) return 1; memset(p, 1, 1 << 20); }
            }
            """
        ),
        Verdict.MLE,
    ),
    Hostile(
        "cpp-memory-bomb",
        "cpp",
        "#include <vector>\nint main() { std::vector<std::vector<char>> v; for (;;) v.emplace_back(1 << 20, 'x'); }\n",
        Verdict.MLE,
    ),
    Hostile(
        "java-memory-bomb",
        "java",
        code(
            """
            import java.util.*;
            public class Main {
                public static void main(String[] args) {
                    List<long[]> l = new ArrayList<>();
                    while (true) l.add(new long[1 << 17]);
                }
            }
            """
        ),
        Verdict.MLE,
    ),
    Hostile("js-memory-bomb", "javascript", "const a = [];\nfor (;;) a.push(new Array(1e6).fill(1.5));\n", Verdict.MLE),
    Hostile(
        "js-buffer-memory-bomb",
        "javascript",
        # Buffers live outside V8's heap, which is all --max-old-space-size limits.
        "const b = [];\nfor (let i = 0; i < 6; i++) b.push(Buffer.alloc(1 << 26, 1));\nconsole.log('blocked');\n",
        Verdict.MLE,
    ),
    Hostile("c-infinite-loop", "c", "int main(void) { volatile unsigned long n = 0; for (;;) n++; }\n", Verdict.TLE),
    Hostile("js-infinite-loop", "javascript", "let n = 0;\nfor (;;) n++;\n", Verdict.TLE),
    Hostile("py-sleep-forever", "python", "import time\ntime.sleep(10**6)\n", Verdict.TLE),
]

FLOODS = [
    Hostile("py-stdout-flood", "python", "import sys\nwhile True:\n    sys.stdout.write('x' * 65536)\n", Verdict.OLE),
    Hostile(
        "js-stdout-flood",
        "javascript",
        # Written synchronously: process.stdout.write in a loop that never yields queues the
        # output in Node's heap, not the pipe, and ends as MLE or TLE instead.
        "const fs = require('fs');\nconst s = 'x'.repeat(65536);\nfor (;;) fs.writeSync(1, s);\n",
        Verdict.OLE,
    ),
    Hostile(
        "c-stderr-flood",
        "c",
        C_HEADERS
        + code(
            """
            int main(void) {
                static char b[65536];
                memset(b, 'e', sizeof b);
                for (;;) fwrite(b, 1, sizeof b, stderr);
            }
            """
        ),
        Verdict.OLE,
    ),
    Hostile(
        "c-huge-file",
        "c",
        # Written by a child: the box's init (the program itself) is immune to SIGXFSZ, as to
        # any signal it has no handler for, and gets EFBIG instead.
        C_HEADERS
        + code(
            r"""
            int main(void) {
                static char b[1 << 20];
                memset(b, 'x', sizeof b);
                pid_t child = fork();
                if (child == 0) {
                    int fd = open("/tmp/huge", O_WRONLY | O_CREAT | O_TRUNC, 0600);
                    for (int i = 0; i < 40; i++) if (write(fd, b, sizeof b) != (ssize_t)sizeof b) _exit(1);
                    _exit(0);
                }
                int status;
                waitpid(child, &status, 0);
                if (WIFSIGNALED(status) && WTERMSIG(status) == SIGXFSZ) puts("blocked");
                else printf("LEAK %d\n", status);
            }
            """
        ),
        Verdict.AC,
    ),
    Hostile(
        "py-huge-file",
        "python",
        code(
            """
            import errno
            written = 0
            try:
                with open('/tmp/huge', 'wb') as f:
                    for _ in range(40):
                        f.write(b'x' * (1 << 20))
                        f.flush()
                        written += 1
            except OSError as e:
                print('blocked' if e.errno == errno.EFBIG and written <= 16 else f'LEAK {e} {written}')
            else:
                print('LEAK', written)
            """
        ),
        Verdict.AC,
    ),
    Hostile(
        "py-fill-tmp-and-more",
        "python",
        code(
            """
            import errno
            total, error = 0, None
            try:
                for i in range(64):
                    with open(f'/tmp/fill{i}', 'wb') as f:
                        for _ in range(4):
                            f.write(b'x' * (1 << 20))
                            total += 1
            except OSError as e:
                error = e.errno
            writable = []
            for d in ['/', '/dev', '/dev/shm', '/build', '/src', '/proc', '/usr', '/etc', '/dev/pts']:
                try:
                    open(d + '/fill', 'wb').close()
                    writable.append(d)
                except OSError:
                    pass
            ok = error == errno.ENOSPC and total <= 64 and not writable
            print('blocked' if ok else f'LEAK {total} MB, error {error}, writable {writable}')
            """
        ),
        Verdict.AC,
    ),
]

NETWORK = [
    Hostile(
        "py-network",
        "python",
        code(
            """
            import socket
            reached = []
            targets = [
                (socket.AF_INET, ('1.1.1.1', 80)),
                (socket.AF_INET, ('127.0.0.1', 5432)),
                (socket.AF_INET, ('127.0.0.1', 6379)),
                (socket.AF_INET6, ('::1', 6379)),
                (socket.AF_UNIX, '/var/run/postgresql/.s.PGSQL.5432'),
                (socket.AF_UNIX, '/run/postgresql/.s.PGSQL.5432'),
                (socket.AF_UNIX, '/var/run/redis/redis-server.sock'),
                (socket.AF_UNIX, '/run/redis/redis.sock'),
                (socket.AF_UNIX, '/tmp/.s.PGSQL.5432'),
            ]
            for family, address in targets:
                try:
                    s = socket.socket(family, socket.SOCK_STREAM)
                    s.settimeout(0.5)
                    s.connect(address)
                    reached.append(str(address))
                except OSError:
                    pass
            try:
                socket.socket(socket.AF_INET, socket.SOCK_DGRAM).sendto(b'x', ('8.8.8.8', 53))
                reached.append('udp 8.8.8.8:53')
            except OSError:
                pass
            print('LEAK ' + ' '.join(reached) if reached else 'blocked')
            """
        ),
        Verdict.AC,
    ),
    Hostile(
        "c-network",
        "c",
        C_HEADERS
        + code(
            """
            static int tcp(const char *ip, int port) {
                int s = socket(AF_INET, SOCK_STREAM, 0);
                if (s < 0) return 0;
                struct sockaddr_in a = {0};
                a.sin_family = AF_INET;
                a.sin_port = htons(port);
                inet_pton(AF_INET, ip, &a.sin_addr);
                return connect(s, (struct sockaddr *)&a, sizeof a) == 0;
            }
            static int local(const char *path) {
                int s = socket(AF_UNIX, SOCK_STREAM, 0);
                if (s < 0) return 0;
                struct sockaddr_un a = {0};
                a.sun_family = AF_UNIX;
                strncpy(a.sun_path, path, sizeof a.sun_path - 1);
                return connect(s, (struct sockaddr *)&a, sizeof a) == 0;
            }
            int main(void) {
                int n = tcp("127.0.0.1", 5432) + tcp("127.0.0.1", 6379) + tcp("1.1.1.1", 80)
                    + local("/var/run/postgresql/.s.PGSQL.5432");
                puts(n ? "LEAK" : "blocked");
            }
            """
        ),
        Verdict.AC,
    ),
    Hostile(
        "java-network",
        "java",
        code(
            """
            import java.net.*;
            import java.nio.channels.SocketChannel;
            public class Main {
                public static void main(String[] args) {
                    StringBuilder reached = new StringBuilder();
                    String[][] targets = {{"127.0.0.1", "5432"}, {"127.0.0.1", "6379"}, {"1.1.1.1", "80"}};
                    for (String[] t : targets) {
                        try (Socket s = new Socket()) {
                            s.connect(new InetSocketAddress(t[0], Integer.parseInt(t[1])), 500);
                            reached.append(t[0] + ":" + t[1] + " ");
                        } catch (Exception e) { }
                    }
                    String pg = "/var/run/postgresql/.s.PGSQL.5432";
                    try (SocketChannel c = SocketChannel.open(UnixDomainSocketAddress.of(pg))) {
                        reached.append(pg);
                    } catch (Exception e) { }
                    System.out.println(reached.length() == 0 ? "blocked" : "LEAK " + reached);
                }
            }
            """
        ),
        Verdict.AC,
    ),
    Hostile(
        "js-network",
        "javascript",
        code(
            """
            const net = require('net');
            const targets = [
              {host: '127.0.0.1', port: 5432}, {host: '127.0.0.1', port: 6379}, {host: '1.1.1.1', port: 80},
              {path: '/var/run/postgresql/.s.PGSQL.5432'},
            ];
            const attempt = (target) => new Promise((resolve) => {
              const s = net.connect(target);
              const end = (reached) => { s.destroy(); resolve(reached ? JSON.stringify(target) : null); };
              s.setTimeout(500, () => end(false));
              s.once('connect', () => end(true));
              s.once('error', () => end(false));
            });
            Promise.all(targets.map(attempt)).then((results) => {
              const reached = results.filter(Boolean);
              console.log(reached.length ? 'LEAK ' + reached.join(' ') : 'blocked');
            });
            """
        ),
        Verdict.AC,
    ),
]

FILES = [
    Hostile(
        "py-read-host-secrets",
        "python",
        code(
            """
            loot = []
            for path in ['/etc/shadow', '/etc/gshadow', '/etc/passwd', '@BASE@/quizserver/settings.py',
                         '@BASE@/manage.py', '@BASE@/.env', '@CANARY@', '/root/.bash_history',
                         '/proc/1/root/etc/shadow']:
                try:
                    loot.append(open(path).read())
                except OSError:
                    pass
            for path in ['@CANARY@', '@BASE@/quizserver/settings.py']:
                try:
                    open(path, 'a').write('pwned')
                    loot.append('wrote ' + path)
                except OSError:
                    pass
            print('LEAK ' + ' '.join(loot) if loot else 'blocked')
            """
        ),
        Verdict.AC,
    ),
    Hostile(
        "java-read-host-secrets",
        "java",
        code(
            """
            import java.nio.file.*;
            public class Main {
                public static void main(String[] args) {
                    StringBuilder loot = new StringBuilder();
                    for (String p : new String[] {"/etc/shadow", "@BASE@/quizserver/settings.py", "@CANARY@"}) {
                        try { loot.append(new String(Files.readAllBytes(Paths.get(p)))); } catch (Exception e) { }
                        try {
                            Files.write(Paths.get(p), "pwned".getBytes(), StandardOpenOption.APPEND);
                            loot.append("wrote " + p);
                        } catch (Exception e) { }
                    }
                    System.out.println(loot.length() == 0 ? "blocked" : "LEAK " + loot);
                }
            }
            """
        ),
        Verdict.AC,
    ),
    Hostile(
        "py-other-slots",
        "python",
        # Runs while the benign judging has its files on the host, and the test holds a slot with planted ones.
        code(
            """
            import glob, time
            loot = []
            names = ['src/main.py', 'src/main.c', 'build/main', 'build/main.pyc', 'src/planted', 'build/planted',
                     'inputs/0.in', 'inputs/planted']
            end = time.monotonic() + 1.0
            while time.monotonic() < end and not loot:
                loot += glob.glob('@WORK@/*') + glob.glob('@WORK@/slot-*/*/*')
                for i in range(8):
                    for name in names:
                        try:
                            loot.append(open(f'@WORK@/slot-{i}/{name}', 'rb').read()[:300].decode(errors='replace'))
                        except OSError:
                            pass
                time.sleep(0.02)
            print('LEAK ' + ' '.join(loot) if loot else 'blocked')
            """
        ),
        Verdict.AC,
    ),
    Hostile(
        "py-filesystem-view",
        "python",
        code(
            """
            import os
            print(*sorted(os.listdir('/')))
            print(*sorted(p for p in os.listdir('/proc') if p.isdigit()))
            """
        ),
        Verdict.AC,
        output="bin build dev etc lib lib64 proc sbin src tmp usr\n1\n",  # its own pid namespace: only itself
    ),
    Hostile(
        "py-symlink-trap",
        "python",
        # Links to host files under every name the judge uses, wherever the box can write:
        # only its own /tmp, which dies with it; the host must never follow any of them.
        code(
            """
            import os
            made = set()
            targets = ['@CANARY@', '/etc/shadow', '@BASE@/quizserver/settings.py', '@WORK@']
            names = ['main', 'main.pyc', 'main.py', 'Main.class', '0.in', '1.in', 'planted', 'src', 'build', 'inputs']
            for d in ['/tmp', '/build', '/src', '/', '/dev', '/dev/shm', '/proc/self/cwd']:
                for name in names:
                    for target in targets:
                        try:
                            os.symlink(target, f'{d}/{name}-{len(target)}')
                            made.add(d)
                        except OSError:
                            pass
            for d in ['/build', '/src']:
                try:
                    os.rename(d, '/tmp/moved')
                    made.add('rename ' + d)
                except OSError:
                    pass
            print(*sorted(made))
            """
        ),
        Verdict.AC,
        output="/tmp\n",  # noqa: S108 - the box's own /tmp
    ),
    Hostile(
        "py-state-between-tests",
        "python",
        code(
            """
            import os
            seen = os.path.exists('/tmp/state')
            open('/tmp/state', 'w').write('x')
            print('LEAK' if seen else 'blocked')
            """
        ),
        Verdict.AC,
        tests=3,
    ),
    Hostile(
        "c-open-descriptors",
        "c",
        C_HEADERS
        + code(
            """
            int main(void) {
                for (int fd = 0; fd < 4096; fd++) if (fcntl(fd, F_GETFD) != -1) printf("%d ", fd);
                puts("");
            }
            """
        ),
        Verdict.AC,
        output="0 1 2\n",
    ),
]

ENVIRONMENT_DUMPS = [
    Hostile(
        "c-environment",
        "c",
        C_HEADERS
        + code(
            """
            extern char **environ;
            static int by_text(const void *a, const void *b) { return strcmp(*(char *const *)a, *(char *const *)b); }
            int main(void) {
                size_t n = 0;
                while (environ[n]) n++;
                qsort(environ, n, sizeof *environ, by_text);
                for (size_t i = 0; i < n; i++) puts(environ[i]);
            }
            """
        ),
        Verdict.AC,
        output=ENVIRONMENT,
    ),
    Hostile(
        "py-environment",
        "python",
        code(
            r"""
            import glob, os
            seen = {f'{k}={v}' for k, v in os.environ.items()}
            for path in glob.glob('/proc/*/environ') + glob.glob('/proc/*/task/*/environ'):
                try:
                    seen.update(e.decode(errors='replace') for e in open(path, 'rb').read().split(b'\0') if e)
                except OSError as error:
                    seen.add(f'{path}: {error}')
            print(*sorted(seen), sep='\n')
            """
        ),
        Verdict.AC,
        output=ENVIRONMENT,
    ),
    Hostile(
        "js-environment",
        "javascript",
        "for (const k of Object.keys(process.env).sort()) console.log(k + '=' + process.env[k]);\n",
        Verdict.AC,
        output=ENVIRONMENT,
    ),
]

# Each starts a process meant to outlive the program, still holding stdout: one that
# survived would print LEAK into the output (WA) or hold the pipe open (TLE).
PROCESSES = [
    Hostile(
        "c-double-fork-daemon",
        "c",
        C_HEADERS
        + code(
            r"""
            int main(void) {
                if (fork() == 0) {
                    setsid();
                    if (fork() == 0) {
                        signal(SIGHUP, SIG_IGN);
                        signal(SIGTERM, SIG_IGN);
                        sleep(1);
                        for (;;) { write(1, "LEAK\n", 5); usleep(100000); }
                    }
                    _exit(0);
                }
                wait(NULL);
                puts("ok");
            }
            """
        ),
        Verdict.AC,
        output="ok\n",
        lingers=True,
    ),
    Hostile(
        "py-double-fork-daemon",
        "python",
        code(
            """
            import os, signal, time
            if os.fork() == 0:
                os.setsid()
                if os.fork() == 0:
                    signal.signal(signal.SIGTERM, signal.SIG_IGN)
                    time.sleep(1)
                    while True:
                        print('LEAK', flush=True)
                        time.sleep(0.1)
                os._exit(0)
            os.wait()
            print('ok')
            """
        ),
        Verdict.AC,
        output="ok\n",
        lingers=True,
    ),
    Hostile(
        "java-child-process",
        "java",
        code(
            """
            public class Main {
                public static void main(String[] args) throws Exception {
                    String leak = "sleep 1; while true; do echo LEAK; sleep 0.1; done";
                    new ProcessBuilder("/usr/bin/sh", "-c", leak).inheritIO().start();
                    System.out.println("ok");
                }
            }
            """
        ),
        Verdict.AC,
        output="ok\n",
        lingers=True,
    ),
    Hostile(
        "js-detached-child",
        "javascript",
        code(
            """
            const leak = 'sleep 1; while true; do echo LEAK; sleep 0.1; done';
            const options = {detached: true, stdio: ['ignore', 'inherit', 'ignore']};
            require('child_process').spawn('/usr/bin/sh', ['-c', leak], options).unref();
            console.log('ok');
            """
        ),
        Verdict.AC,
        output="ok\n",
        lingers=True,
    ),
    Hostile(
        "c-kill-everything",
        "c",
        # -1 from a child and from the box's init, then every pid a host process could have.
        C_HEADERS
        + code(
            """
            int main(void) {
                pid_t child = fork();
                if (child == 0) { kill(-1, SIGKILL); _exit(0); }
                waitpid(child, NULL, 0);
                kill(-1, SIGKILL);
                int hit = 0;
                for (pid_t pid = 2; pid < 100000; pid++) hit += kill(pid, SIGKILL) == 0;
                puts(hit ? "LEAK" : "blocked");
            }
            """
        ),
        Verdict.AC,
    ),
    Hostile(
        "py-kill-everything",
        "python",
        code(
            """
            import contextlib, os, signal
            child = os.fork()
            if child == 0:
                with contextlib.suppress(ProcessLookupError):
                    os.kill(-1, signal.SIGKILL)
                os._exit(0)
            os.waitpid(child, 0)
            with contextlib.suppress(ProcessLookupError):
                os.kill(-1, signal.SIGKILL)
            print('blocked')
            """
        ),
        Verdict.AC,
    ),
]

PRIVILEGES = [
    Hostile(
        "c-setuid-root",
        "c",
        C_HEADERS
        + code(
            """
            int main(void) {
                int got = syscall(SYS_setuid, 0) == 0;
                got += syscall(SYS_setgid, 0) == 0;
                got += syscall(SYS_setresuid, 0, 0, 0) == 0;
                got += syscall(SYS_setgroups, 0, NULL) == 0;
                got += getuid() == 0 || geteuid() == 0;
                puts(got ? "LEAK" : "blocked");
            }
            """
        ),
        Verdict.AC,
    ),
    Hostile(
        "c-unshare",
        "c",
        C_HEADERS
        + code(
            """
            int main(void) {
                long flags[] = {CLONE_NEWUSER, CLONE_NEWNS, CLONE_NEWNET, CLONE_NEWPID, CLONE_NEWUSER | CLONE_NEWNS,
                                CLONE_NEWUTS};
                int got = 0;
                for (unsigned i = 0; i < sizeof flags / sizeof *flags; i++) got += syscall(SYS_unshare, flags[i]) == 0;
                got += syscall(SYS_chroot, "/tmp") == 0;
                puts(got ? "LEAK" : "blocked");
            }
            """
        ),
        Verdict.AC,
    ),
    Hostile(
        "py-ctypes-setuid-unshare",
        "python",
        code(
            """
            import ctypes, os
            libc = ctypes.CDLL(None, use_errno=True)
            CLONE_NEWUSER, CLONE_NEWNS, CLONE_NEWNET = 0x10000000, 0x00020000, 0x40000000
            results = [libc.setuid(0), libc.setgid(0), libc.unshare(CLONE_NEWUSER), libc.unshare(CLONE_NEWNS),
                       libc.unshare(CLONE_NEWNET), libc.chroot(b'/tmp')]
            print('blocked' if all(r == -1 for r in results) and os.getuid() != 0 else f'LEAK {results}')
            """
        ),
        Verdict.AC,
    ),
]

# The seccomp filter answers EPERM to these whatever their arguments (x86-64 only: the
# numbers are that machine's); without it, ptrace(PTRACE_TRACEME), unshare(0), keyctl and
# AF_INET sockets succeed, and the others fail with other errors.
SECCOMP = [
    Hostile(
        "c-seccomp-denied-calls",
        "c",
        C_HEADERS
        + code(
            r"""
            #include <errno.h>
            static const long denied[] = {
                SYS_ptrace, SYS_mount, SYS_umount2, SYS_pivot_root, SYS_chroot, SYS_unshare, SYS_setns, SYS_keyctl,
                SYS_add_key, SYS_request_key, SYS_bpf, SYS_perf_event_open, SYS_userfaultfd, SYS_kexec_load,
                SYS_init_module, SYS_finit_module, SYS_delete_module, SYS_reboot, SYS_swapon, SYS_swapoff, SYS_acct,
                SYS_io_uring_setup, SYS_open_by_handle_at,
            };
            int main(void) {
                int allowed = 0;
                for (unsigned i = 0; i < sizeof denied / sizeof *denied; i++) {
                    errno = 0;
                    long got = syscall(denied[i], 0, 0, 0, 0, 0, 0);
                    if (got != -1 || errno != EPERM) { printf("%ld: %ld, %d\n", denied[i], got, errno); allowed++; }
                }
                int families[] = {AF_INET, AF_INET6, AF_NETLINK, AF_PACKET};
                for (unsigned i = 0; i < 4; i++) {
                    errno = 0;
                    if (socket(families[i], SOCK_DGRAM, 0) != -1 || errno != EPERM) {
                        printf("family %d\n", families[i]);
                        allowed++;
                    }
                }
                long i386;  /* getpid() through the 32-bit entry, whose numbers differ: refused whole */
                __asm__ volatile("int $0x80" : "=a"(i386) : "a"(20) : "memory");
                if (i386 != -EPERM) { printf("int 0x80: %ld\n", i386); allowed++; }
                errno = 0;  /* the x32 entry: its calls are refused, where the kernel has it at all */
                if (syscall(0x40000000L | SYS_getpid) != -1 || errno != EPERM) { puts("x32"); allowed++; }
                if (socket(AF_UNIX, SOCK_STREAM, 0) < 0) { puts("AF_UNIX refused"); allowed++; }
                puts(allowed ? "LEAK" : "blocked");
            }
            """
        ),
        Verdict.AC,
    ),
]

COMPILERS = [
    Hostile("c-include-dev-zero", "c", '#include "/dev/zero"\nint main(void) { return 0; }\n', Verdict.CE),
    Hostile(
        "cpp-template-explosion",
        "cpp",
        code(
            """
            template <int N, typename... T> struct Grow { using type = typename Grow<N - 1, T..., T...>::type; };
            template <typename... T> struct Grow<0, T...> { using type = int; };
            int main() { Grow<40, int>::type x = 0; return x; }
            """
        ),
        Verdict.CE,
    ),
    Hostile("c-include-shadow", "c", '#include "/etc/shadow"\nint main(void) { return 0; }\n', Verdict.CE),
    Hostile(
        "c-has-include-host-files",
        "c",
        code(
            r"""
            #include <stdio.h>
            #if __has_include("@BASE@/quizserver/settings.py") || __has_include("@CANARY@") \
                || __has_include("/etc/passwd")
            #define SEEN "LEAK"
            #else
            #define SEEN "blocked"
            #endif
            int main(void) { puts(SEEN); }
            """
        ),
        Verdict.AC,
    ),
]

CATALOGUE = BOMBS + FLOODS + NETWORK + FILES + ENVIRONMENT_DUMPS + PROCESSES + PRIVILEGES + COMPILERS
if seccomp_filter() is not None:
    CATALOGUE += SECCOMP

BENIGN = {
    "python": f"# {BENIGN_SECRET}\na, b = map(int, input().split())\nprint(a + b)\n",
    "c": f"// {BENIGN_SECRET}\n"
    + code(
        r"""
        #include <stdio.h>
        int main(void) { long a, b; scanf("%ld %ld", &a, &b); printf("%ld\n", a + b); }
        """
    ),
}
BENIGN_TESTS = [Case("1 2\n", "3\n"), Case("40 2\n", "42\n"), Case("-5 5\n", "0\n")]


# --- The host around the boxes -------------------------------------------------------


@dataclass(frozen=True)
class Host:
    work: Path
    canary: Path


@pytest.fixture(scope="module", autouse=True)
def host() -> Iterator[Host]:
    """Our own box uids and work directory (not a tmp_path_factory one: pytest makes its
    base 0700, and each box's bubblewrap, as the box's uid, must pass through every parent
    of the work directory), and a canary any escaped program could write: root-owned,
    world-writable, in a world-writable host directory."""
    reason = sandbox_unavailable_reason()
    if reason is not None:
        pytest.fail(f"The sandbox tests need root and bubblewrap (apt-get install -y bubblewrap): {reason}")
    work = Path(tempfile.mkdtemp(prefix="qs-judge-hostile-"))
    work.chmod(0o711)
    canary_dir = Path(tempfile.mkdtemp(prefix="qs-canary-"))
    canary_dir.chmod(0o777)
    canary = canary_dir / "canary"
    canary.write_text(CANARY_CONTENT)
    canary.chmod(0o666)
    with override_settings(JUDGE_WORK_DIR=work, JUDGE_UID_BASE=UID_BASE, JUDGE_SLOTS=SLOTS):
        yield Host(work=work, canary=canary)
        slots_sweep()
    shutil.rmtree(work)
    shutil.rmtree(canary_dir)


def file_state(path: Path) -> tuple[str, int, int, int, int]:
    stat = path.lstat()
    return hashlib.sha256(path.read_bytes()).hexdigest(), stat.st_mtime_ns, stat.st_mode, stat.st_uid, stat.st_nlink


def host_state(host: Host) -> dict[str, object]:
    """What no box may change: the canary and its directory, and files of the project."""
    state: dict[str, object] = {"canary dir": sorted(os.listdir(host.canary.parent)), "canary": file_state(host.canary)}
    for name in PROJECT_FILES:
        state[name] = file_state(Path(settings.BASE_DIR) / name)
    return state


def slot_plant(slot: Slot) -> dict[str, object]:
    """Files of "another submission" in a slot the test holds, for hostile programs to look for."""
    for directory in (slot.src, slot.build, slot.inputs):
        host_file_write(directory / "planted", PLANTED_SECRET.encode())
    return slot_state(slot)


def slot_state(slot: Slot) -> dict[str, object]:
    return {
        str(path.relative_to(slot.root)): file_state(path) if path.is_file() else path.lstat().st_mode
        for path in sorted(slot.root.rglob("*"))
    }


def box_processes() -> dict[int, list[int]]:
    uids = range(UID_BASE, UID_BASE + SLOTS)
    return {uid: pids for uid in uids if (pids := uid_processes(uid))}


def secrets() -> list[str]:
    """What a hostile program's output, error output and compiler messages must never hold."""
    found = [PLANTED_SECRET, BENIGN_SECRET, CANARY_CONTENT.strip(), WORKER_SECRET, "JUDGE_UID_BASE"]
    found += [settings.SECRET_KEY] + [
        os.environ[name] for name in ("DATABASE_URL", "REDIS_URL") if os.environ.get(name)
    ]
    shadow = Path("/etc/shadow")
    if shadow.exists():
        found += [line for line in shadow.read_text().splitlines() if len(line) > 8]
    return found


def fill(source: str, host: Host) -> str:
    paths = {"@BASE@": str(settings.BASE_DIR), "@WORK@": str(host.work), "@CANARY@": str(host.canary)}
    for placeholder, path in paths.items():
        source = source.replace(placeholder, path)
    return source


def judged_together(*requests: JudgeRequest) -> list[JudgeResult]:
    """Judge the requests in threads of their own, released together."""
    start = threading.Barrier(len(requests))

    def judge(request: JudgeRequest) -> JudgeResult:
        start.wait(timeout=30)
        return LocalJudge().judge(request)

    with ThreadPoolExecutor(max_workers=len(requests)) as pool:
        futures = [pool.submit(judge, request) for request in requests]
        return [future.result(timeout=180) for future in futures]


def explain(result: JudgeResult) -> str:
    tests = [(t.verdict, t.time_ms, t.memory_kb, (t.stdout or "")[:300], (t.stderr or "")[:300]) for t in result.tests]
    return f"{result.verdict} {tests} compile: {result.compile_output[:500]!r}"


# --- The tests -----------------------------------------------------------------------


def test_the_catalogue_is_broad() -> None:
    assert len(CATALOGUE) >= 25 and len({case.name for case in CATALOGUE}) == len(CATALOGUE)
    assert {case.language for case in CATALOGUE} == {"python", "c", "cpp", "java", "javascript"}


@pytest.mark.parametrize("address", [("127.0.0.1", 5432), ("127.0.0.1", 6379)])
def test_the_network_targets_are_there_to_reach(address: tuple[str, int]) -> None:
    """The network cases mean something only if the host itself reaches these services."""
    socket.create_connection(address, timeout=5).close()


@pytest.mark.parametrize("case", CATALOGUE, ids=[case.name for case in CATALOGUE])
def test_a_hostile_program_stays_in_its_box(case: Hostile, host: Host, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("QS_WORKER_SECRET", WORKER_SECRET)  # the worker's environment holds a secret
    before = host_state(host)
    hostile_request = JudgeRequest(
        language=case.language,
        source=fill(case.source, host),
        tests=[Case(f"{i} 2\n", case.output, sample=True) for i in range(case.tests)],
        time_limit_ms=500,
        memory_mb=case.memory_mb,
        show_output=True,  # so that the test sees everything the program printed
    )
    benign_language = "python" if CATALOGUE.index(case) % 2 else "c"
    benign_request = JudgeRequest(
        language=benign_language, source=BENIGN[benign_language], tests=BENIGN_TESTS, time_limit_ms=1000, memory_mb=64
    )

    with slot_acquire() as held:
        planted = slot_plant(held)
        hostile, benign = judged_together(hostile_request, benign_request)
        assert slot_state(held) == planted, "another slot's files changed"

    assert hostile.verdict == case.verdict, explain(hostile)
    assert benign.verdict == Verdict.AC, explain(benign)
    shown = [hostile.compile_output] + [f"{t.stdout}{t.stderr}" for t in hostile.tests]
    assert not [secret for secret in secrets() if any(secret in text for text in shown)], explain(hostile)
    assert box_processes() == {}
    assert [p.name for p in host.work.iterdir() if not p.name.endswith(".lock")] == [], "a slot was not swept"
    if case.lingers:
        time.sleep(2)
        assert box_processes() == {}
    assert host_state(host) == before
