"""How each language is compiled and run inside the box, with its own limits and flags.

The question sets a time and memory limit; a language adjusts them where its runtime needs
it (the JVM's start-up, V8's and the JVM's address-space reservations). Interpreted
languages "compile" too: a syntax check, so a syntax error is a CE, not an RE on every test.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import ClassVar

MB = 1024 * 1024


@dataclass(frozen=True)
class Language:
    name: str
    source_name: str  # the file name the source is written to, in /src
    compile_argv: tuple[str, ...]  # run in /build, which it may write
    run_argv: tuple[str, ...]  # run in /build, read-only; {memory_mb} is filled in
    # Address space the runtime needs beyond the program's memory limit (stacks, code, reservations).
    address_space_extra_mb: int = 64
    processes: int = 16  # threads count as processes for the kernel's limit
    open_files: int = 64
    time_extra_ms: int = 0  # start-up cost added to the question's CPU limit
    compile_address_space_mb: int = 1024
    # Peak resident memory above the limit plus this is an MLE. The JVM and V8 use memory of
    # their own beyond the heap (which their heap flag limits), up to some 40 MB; but memory
    # outside the heap (Node's Buffers, thread stacks) is bounded by nothing else than their
    # large address space, so it counts too, past a generous allowance.
    resident_allowance_mb: int = 0

    # Compilation limits are the same for every question: a compiler bomb is a CE.
    COMPILE_CPU_S: ClassVar[int] = 15
    COMPILE_WALL_S: ClassVar[int] = 30
    COMPILE_FILE_MB: ClassVar[int] = 64

    def compile_command(self, *, source_name: str) -> list[str]:
        return [part.format(source=source_name) for part in self.compile_argv]

    def run_command(self, *, memory_mb: int, source_name: str) -> list[str]:
        main = source_name.rsplit(".", 1)[0]
        return [part.format(memory_mb=memory_mb, main=main) for part in self.run_argv]

    def address_space_mb(self, *, memory_mb: int) -> int:
        return memory_mb + self.address_space_extra_mb

    def file_name(self, source: str) -> str:
        return self.source_name


_JAVA_PUBLIC_CLASS = re.compile(r"\bpublic\s+(?:final\s+|abstract\s+)*class\s+([A-Za-z_$][A-Za-z0-9_$]*)")


@dataclass(frozen=True)
class Java(Language):
    """javac wants a public class in a file of its name, and the run starts that class."""

    def file_name(self, source: str) -> str:
        match = _JAVA_PUBLIC_CLASS.search(source)
        return f"{match.group(1)}.java" if match else self.source_name


# The JVM reserves address space for its heap, code cache, class space and one stack per
# thread; with these flags it starts in about 2.5 GB of address space. The heap (-Xmx)
# is what the memory limit governs; an OutOfMemoryError is an MLE.
_JVM_FLAGS = (
    "-XX:+UseSerialGC",
    "-XX:TieredStopAtLevel=1",
    "-XX:ReservedCodeCacheSize=32m",
    "-XX:CompressedClassSpaceSize=32m",
    "-XX:MaxMetaspaceSize=96m",
)

LANGUAGES: dict[str, Language] = {
    language.name: language
    for language in (
        Language(
            name="python",
            source_name="main.py",
            compile_argv=(
                "/usr/bin/python3",
                "-I",
                "-S",
                "-c",
                "import py_compile; py_compile.compile('/src/main.py', cfile='/build/main.pyc', doraise=True)",
            ),
            run_argv=("/usr/bin/python3", "-I", "-S", "-B", "/build/main.pyc"),
            time_extra_ms=100,
        ),
        Language(
            name="c",
            source_name="main.c",
            compile_argv=("/usr/bin/gcc", "-O2", "-pipe", "-std=gnu17", "-o", "/build/main", "/src/main.c", "-lm"),
            run_argv=("/build/main",),
            address_space_extra_mb=32,
        ),
        Language(
            name="cpp",
            source_name="main.cpp",
            compile_argv=("/usr/bin/g++", "-O2", "-pipe", "-std=gnu++17", "-o", "/build/main", "/src/main.cpp"),
            run_argv=("/build/main",),
            address_space_extra_mb=32,
        ),
        Java(
            name="java",
            source_name="Main.java",
            compile_argv=(
                "/usr/bin/javac",
                "-J-Xmx512m",
                "-J-XX:+UseSerialGC",
                "-J-XX:TieredStopAtLevel=1",
                "-encoding",
                "UTF-8",
                "-d",
                "/build",
                "/src/{source}",
            ),
            run_argv=("/usr/bin/java", "-Xmx{memory_mb}m", "-Xss64m", *_JVM_FLAGS, "-cp", "/build", "{main}"),
            address_space_extra_mb=2560,
            processes=64,
            open_files=256,
            time_extra_ms=1000,
            compile_address_space_mb=4096,
            resident_allowance_mb=128,
        ),
        Language(
            name="javascript",
            source_name="main.js",
            compile_argv=("/usr/bin/node", "--check", "/src/main.js"),
            run_argv=("/usr/bin/node", "--max-old-space-size={memory_mb}", "--stack-size=65500", "/src/main.js"),
            address_space_extra_mb=4096,
            processes=32,
            open_files=128,
            time_extra_ms=300,
            compile_address_space_mb=2048,
            resident_allowance_mb=128,
        ),
    )
}

# What the runtime prints when the program ran out of its memory: an MLE, not an RE.
OUT_OF_MEMORY_SIGNS: dict[str, tuple[bytes, ...]] = {
    "python": (b"MemoryError",),
    "java": (b"java.lang.OutOfMemoryError",),
    "javascript": (b"JavaScript heap out of memory", b"Allocation failed"),
    "cpp": (b"std::bad_alloc",),
    "c": (),
}
