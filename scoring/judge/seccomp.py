"""The seccomp filter of every box: a classic BPF program handed to bwrap (`--seccomp FD`).

Written with `struct` rather than through libseccomp: the program is short, and the worker
needs nothing beyond the Python standard library to build it.
"""

from __future__ import annotations

import errno
import functools
import os
import platform
import socket
import struct

# The seccomp filter, a classic BPF program handed to bwrap (`--seccomp FD`), which installs
# it last, just before the program starts. It answers EPERM to system calls a contest
# program never needs and that widen the kernel's attack surface (the namespaces already
# keep their effects inside the box), and to sockets other than AF_UNIX. Any other
# architecture's calls (i386 through `int 0x80`, x32) are refused whole: the numbers below
# are x86-64's. On other machines there is no filter (`seccomp_filter` is None).
_AUDIT_ARCH_X86_64 = 0xC000003E
_X32_SYSCALL_BIT = 0x40000000
_DENIED_SYSCALLS_X86_64 = {
    "ptrace": 101,
    "mount": 165,
    "umount2": 166,
    "pivot_root": 155,
    "chroot": 161,
    "unshare": 272,
    "setns": 308,
    "keyctl": 250,
    "add_key": 248,
    "request_key": 249,
    "bpf": 321,
    "perf_event_open": 298,
    "userfaultfd": 323,
    "kexec_load": 246,
    "kexec_file_load": 320,
    "init_module": 175,
    "finit_module": 313,
    "delete_module": 176,
    "reboot": 169,
    "swapon": 167,
    "swapoff": 168,
    "acct": 163,
    "io_uring_setup": 425,
    "io_uring_enter": 426,
    "io_uring_register": 427,
    "name_to_handle_at": 303,
    "open_by_handle_at": 304,
    "open_tree": 428,
    "move_mount": 429,
    "fsopen": 430,
    "fsconfig": 431,
    "fsmount": 432,
    "fspick": 433,
    "mount_setattr": 442,
}
_SYS_SOCKET_X86_64 = 41
_SECCOMP_RET_ALLOW = 0x7FFF0000
_SECCOMP_RET_EPERM = 0x00050000 | errno.EPERM  # SECCOMP_RET_ERRNO | EPERM
# struct seccomp_data: int nr; u32 arch; u64 instruction_pointer; u64 args[6] (little-endian).
_NR, _ARCH, _ARG0_LOW = 0, 4, 16
_LD_ABS, _JEQ, _JGE, _RET = 0x20, 0x15, 0x35, 0x06  # BPF_LD|W|ABS, BPF_JMP|JEQ|K, BPF_JMP|JGE|K, BPF_RET|K


@functools.cache
def seccomp_filter() -> bytes | None:
    """The filter as `struct sock_filter` records, or None where it does not apply."""
    if platform.machine() != "x86_64":
        return None
    allow, deny = "allow", "deny"  # jump targets, resolved below
    program: list[tuple[int, int | str, int | str, int]] = [
        (_LD_ABS, 0, 0, _ARCH),
        (_JEQ, 0, deny, _AUDIT_ARCH_X86_64),
        (_LD_ABS, 0, 0, _NR),
        (_JGE, deny, 0, _X32_SYSCALL_BIT),
        *((_JEQ, deny, 0, number) for number in _DENIED_SYSCALLS_X86_64.values()),
        (_JEQ, 0, allow, _SYS_SOCKET_X86_64),
        (_LD_ABS, 0, 0, _ARG0_LOW),  # socket(family, …): the family
        (_JEQ, allow, deny, socket.AF_UNIX),
    ]
    targets = {allow: len(program), deny: len(program) + 1}
    program += [(_RET, 0, 0, _SECCOMP_RET_ALLOW), (_RET, 0, 0, _SECCOMP_RET_EPERM)]

    def offset(at: int, target: int | str) -> int:
        return targets[target] - at - 1 if isinstance(target, str) else target

    return b"".join(
        struct.pack("=HBBI", code, offset(at, jt), offset(at, jf), k) for at, (code, jt, jf, k) in enumerate(program)
    )


def seccomp_pipe() -> int | None:
    """A pipe's read end holding the filter, for bwrap to read (it is a few hundred bytes:
    the pipe's buffer holds it whole)."""
    program = seccomp_filter()
    if program is None:
        return None
    read_end, write_end = os.pipe()
    try:
        os.write(write_end, program)
    finally:
        os.close(write_end)
    return read_end
