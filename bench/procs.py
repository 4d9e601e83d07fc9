"""Processes the benchmark starts (stopped by PID, with their descendants) and what they cost (/proc).

CPU time is ``utime + stime`` of ``/proc/<pid>/stat`` summed over a process
tree (the process and every descendant: Hive Gateway's forked workers, our
subgraph server's workers); memory is the sum of ``VmRSS`` over the tree,
sampled by a :class:`RssSampler` thread, whose peak is reported.
"""

from __future__ import annotations

import contextlib
import os
import signal
import socket
import subprocess
import threading
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from pathlib import Path

__all__ = [
    "RssSampler",
    "cpu_seconds",
    "free_port",
    "rss_bytes",
    "running",
    "stop",
    "tree",
    "wait_until_answers",
]

_TICKS = os.sysconf("SC_CLK_TCK")


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


def _stat_fields(pid: int) -> list[str] | None:
    try:
        text = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return None
    # The command name (field 2) may hold spaces and parentheses: split after its last ")".
    return text[text.rindex(")") + 2 :].split()


def tree(pid: int) -> list[int]:
    """``pid`` and all its living descendants."""
    children: dict[int, list[int]] = {}
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            fields = _stat_fields(int(entry))
            if fields is not None:
                children.setdefault(int(fields[1]), []).append(int(entry))
    found, queue = [], [pid]
    while queue:
        current = queue.pop()
        if current not in found:
            found.append(current)
            queue.extend(children.get(current, ()))
    return [p for p in found if Path(f"/proc/{p}").exists()]


def cpu_seconds(pids: list[int]) -> float:
    """User plus system CPU seconds used so far by ``pids`` (all their threads)."""
    ticks = 0
    for pid in pids:
        fields = _stat_fields(pid)
        if fields is not None:
            ticks += int(fields[11]) + int(fields[12])  # utime, stime (fields 14 and 15 of stat)
    return ticks / _TICKS


def rss_bytes(pids: list[int]) -> int:
    total = 0
    for pid in pids:
        with contextlib.suppress(OSError):
            for line in Path(f"/proc/{pid}/status").read_text().splitlines():
                if line.startswith("VmRSS:"):
                    total += int(line.split()[1]) * 1024
                    break
    return total


class RssSampler:
    """Samples the summed RSS of a process tree every ``interval`` seconds; ``peak`` is the largest."""

    def __init__(self, pid: int, interval: float = 0.25) -> None:
        self.pid, self.interval = pid, interval
        self.peak = 0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True, name="rss-sampler")

    def _run(self) -> None:
        pids = tree(self.pid)
        next_tree = time.monotonic() + 2
        while not self._stop.is_set():
            if time.monotonic() > next_tree:  # workers may come and go
                pids, next_tree = tree(self.pid), time.monotonic() + 2
            self.peak = max(self.peak, rss_bytes(pids))
            self._stop.wait(self.interval)

    def __enter__(self) -> RssSampler:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join()


def stop(process: subprocess.Popen[bytes], timeout: float = 15) -> None:
    """Stop ``process`` and its descendants, by PID: SIGTERM, then SIGKILL whatever is left."""
    pids = tree(process.pid) if process.poll() is None else []
    for pid in pids:
        with contextlib.suppress(ProcessLookupError):
            os.kill(pid, signal.SIGTERM)
    with contextlib.suppress(subprocess.TimeoutExpired):
        process.wait(timeout)
    for pid in pids:  # descendants that ignored SIGTERM, or the process itself
        if Path(f"/proc/{pid}").exists():
            with contextlib.suppress(ProcessLookupError):
                os.kill(pid, signal.SIGKILL)
    if process.poll() is None:
        process.wait(5)


def wait_until_answers(
    url: str, process: subprocess.Popen[bytes], body: bytes | None = None, timeout: float = 90
) -> None:
    """Poll ``url`` (GET, or POST ``body`` as JSON) until it answers over HTTP; fail if ``process`` exits.

    Any status counts when a body is posted (whether the answers are right is checked separately);
    a GET must answer 200.
    """
    deadline = time.monotonic() + timeout
    last: object = None
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"the process for {url} exited with {process.returncode}")
        request = urllib.request.Request(
            url, data=body, headers={"Content-Type": "application/json"} if body else {}
        )
        try:
            with urllib.request.urlopen(request, timeout=2) as response:
                if response.status == 200:
                    return
        except urllib.error.HTTPError as exc:
            if body is not None:
                return
            last = exc
        except (urllib.error.URLError, OSError) as exc:
            last = exc
        time.sleep(0.2)
    raise RuntimeError(f"{url} did not answer within {timeout:.0f} s: {last}")


@contextlib.contextmanager
def running(process: subprocess.Popen[bytes]) -> Iterator[subprocess.Popen[bytes]]:
    """Stop ``process`` (and its descendants) on the way out, whatever happens."""
    try:
        yield process
    finally:
        stop(process)
