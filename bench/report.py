"""What every benchmark writes the same way: the machine, the command, its section of
docs/benchmarks.md. Each script replaces only its own `## ` section, under a file lock,
so benchmarks run side by side never lose each other's results."""
from __future__ import annotations

import fcntl
import os
import platform
import shlex
import sys
from pathlib import Path

REPORT = Path(__file__).resolve().parents[1] / "docs" / "benchmarks.md"


def cpu_model() -> str:
    for line in Path("/proc/cpuinfo").read_text().splitlines():
        if line.startswith("model name"):
            return line.split(":", 1)[1].strip()
    return platform.processor() or "unknown CPU"


def memory_gib() -> float:
    for line in Path("/proc/meminfo").read_text().splitlines():
        if line.startswith("MemTotal:"):
            return int(line.split()[1]) / 2**20
    return 0.0


def peak_rss_kib() -> int:
    """This process's own peak resident memory (VmHWM).

    Not ru_maxrss: after fork and exec it still holds the parent's peak, so a worker
    started by a big benchmark process reported that process's memory as its own.
    """
    with open("/proc/self/status", encoding="ascii") as status:
        return next(int(line.split()[1]) for line in status if line.startswith("VmHWM:"))


def machine() -> str:
    load = ", ".join(f"{value:.1f}" for value in os.getloadavg())
    return (f"nproc {len(os.sched_getaffinity(0))}, {cpu_model()}, {memory_gib():.1f} GiB memory, "
            f"Python {platform.python_version()}; load average {load} when the report was written")


def command_line() -> str:
    interpreter = Path(sys.executable)
    if interpreter.is_relative_to(Path.cwd()):
        interpreter = interpreter.relative_to(Path.cwd())
    return shlex.join([str(interpreter), *sys.argv])


def machine_and_command(machine_lines: list[str]) -> list[str]:
    """The closing lines of a section: where it ran and how to run it again."""
    return ["Machine:", "", *machine_lines, "", "Command:", "", "```", command_line(), "```", ""]


def replace_section(document: str, heading: str, section: str) -> str:
    """Swap the section under ``heading`` (up to the next `## `) for ``section``; keep the rest."""
    lines = document.splitlines(keepends=True)
    if heading + "\n" not in lines:
        head = document if document.strip() else "# Benchmarks\n"
        return head.rstrip("\n") + "\n\n" + section
    start = lines.index(heading + "\n")
    end = next((i for i in range(start + 1, len(lines)) if lines[i].startswith("## ")), len(lines))
    tail = "".join(lines[end:])
    return "".join(lines[:start]) + section + ("\n" + tail if tail else "")


def write_section(heading: str, section: str, path: Path = REPORT) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    with os.fdopen(os.open(path, os.O_RDWR | os.O_CREAT, 0o644), "r+", encoding="utf-8") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        document = replace_section(handle.read(), heading, section)
        handle.seek(0)
        handle.truncate()
        handle.write(document)
