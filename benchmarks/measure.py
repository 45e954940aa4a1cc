"""How the benchmarks run `lapak run` and measure it; a helper of run.py, ab.py and profile_new_day.py, not a script.

- `run_lapak`: `lapak run` in a subprocess, its JSON summary, its wall time and the peak memory of its process tree
  (`PeakRSS`: which processes, lapak's or a dbt command's, held the memory at the peak).
- With `stacks`, lapak's own process runs under `StackSampler`, which keeps its threads' Python stacks at its
  memory peak: where in lapak's code the memory went. This module imports only the standard library, so the
  sampled process holds nothing a plain `lapak run` would not.
"""

from __future__ import annotations

import contextlib
import json
import os
import subprocess
import sys
import threading
import time
import traceback
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PII_KEY = "bench-0123456789abcdef0123456789abcdef"
# lapak's CLI under the stack sampler; `python -c` in the checkout's folder finds this module there
SAMPLED_LAPAK = "import sys; from benchmarks.measure import sampled_lapak; sys.exit(sampled_lapak())"


def fmt_bytes(n: int) -> str:
    return f"{n / 2**30:.2f} GiB" if n >= 2**30 else f"{n / 2**20:.0f} MiB"


class PeakRSS:
    """Peak of the summed RSS of a process and all its descendants, sampled every 50 ms, with what made it up.

    RSS counts a page once per process that maps it: a child just forked (before its `exec`) shows all of
    its parent's memory again, and every Python process counts the shared libraries it maps. So the
    sampler also keeps the peak of the summed PSS (each shared page split among its sharers, from
    /proc/<pid>/smaps_rollup): the memory the tree really holds."""

    def __init__(self, pid: int):
        self.pid, self.peak, self.peak_pss, self._stop = pid, 0, 0, threading.Event()
        self.peak_at, self.parts, self.started = 0.0, [], time.perf_counter()
        self._thread = threading.Thread(target=self._run, daemon=True)
        self._thread.start()

    def _tree(self) -> list[int]:
        children: dict[int, list[int]] = {}
        for proc in Path("/proc").iterdir():
            if proc.name.isdigit():
                try:
                    ppid = int((proc / "stat").read_text().rsplit(")", 1)[1].split()[1])
                except (OSError, ValueError, IndexError):
                    continue
                children.setdefault(ppid, []).append(int(proc.name))
        out, todo = [], [self.pid]
        while todo:
            pid = todo.pop()
            out.append(pid)
            todo.extend(children.get(pid, []))
        return out

    @staticmethod
    def _pss(pid: int) -> int:
        for line in Path(f"/proc/{pid}/smaps_rollup").read_text().splitlines():
            if line.startswith("Pss:"):
                return int(line.split()[1]) * 1024
        return 0

    @staticmethod
    def _name(pid: int) -> str:
        args = Path(f"/proc/{pid}/cmdline").read_bytes().split(b"\0")
        words = [a.decode(errors="replace") for a in args if a]
        return " ".join(Path(w).name if i < 2 else w for i, w in enumerate(words[:4]))[:60]

    def _run(self) -> None:
        page = os.sysconf("SC_PAGE_SIZE")
        while not self._stop.is_set():
            total, total_pss, parts = 0, 0, []
            for pid in self._tree():
                with contextlib.suppress(OSError, ValueError, IndexError):
                    rss = int(Path(f"/proc/{pid}/statm").read_text().split()[1]) * page
                    total += rss
                    parts.append((rss, pid))
                with contextlib.suppress(OSError, ValueError, IndexError):
                    total_pss += self._pss(pid)
            if total > self.peak:
                self.peak, self.peak_at = total, time.perf_counter() - self.started
                self.parts = []
                for rss, pid in sorted(parts, reverse=True)[:3]:
                    with contextlib.suppress(OSError):
                        self.parts.append((rss, self._name(pid)))
            self.peak_pss = max(self.peak_pss, total_pss)
            time.sleep(0.05)

    def stop(self) -> int:
        self._stop.set()
        self._thread.join()
        return self.peak

    def describe(self) -> str:
        """Where the peak was: when, and the biggest processes then."""
        parts = ", ".join(f"{fmt_bytes(rss)} {name}" for rss, name in self.parts)
        return f"at {self.peak_at:.0f} s: {parts}; peak PSS {fmt_bytes(self.peak_pss)}"


def lapak_env() -> dict[str, str]:
    """The environment `lapak run` gets here: a fixed PII key, and no home or landing folder of the shell's."""
    env = {**os.environ, "LAPAK_PII_KEY": PII_KEY}
    env.pop("LAPAK_HOME", None)
    env.pop("LAPAK_LANDING", None)
    return env


def run_lapak(landing: Path, home: Path, stacks: Path | None = None, root: Path = ROOT) -> tuple[dict, int]:
    """`lapak run` in a subprocess: its summary (with `wall_s`, the process's whole life) and peak RSS.

    The summary's `seconds` are the jobs' time; `wall_s` adds interpreter start, imports, the Dagster
    instance and whatever else precedes the first step or follows the last: what a user waits for. With
    `stacks` (a JSON file), lapak runs under `StackSampler` and the summary's `lapak_peak` says where its own
    process was at its peak. `root`: the checkout whose lapak runs (ab.py runs another commit's beside this one's)."""
    entry = ["-m", "lapak.cli"] if stacks is None else ["-c", SAMPLED_LAPAK, str(stacks)]
    proc = subprocess.Popen(
        [sys.executable, *entry, "run", "--landing", str(landing), "--home", str(home), "--json"],
        # PYTHONPATH: the processes lapak starts (dbt) import the checkout's code too, not the venv's editable install
        cwd=root, env={**lapak_env(), "PYTHONPATH": str(root)}, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
        text=True,
    )  # fmt: skip
    started = time.perf_counter()
    rss = PeakRSS(proc.pid)
    out, err = proc.communicate()
    wall = time.perf_counter() - started
    peak = rss.stop()
    if proc.returncode != 0 and not out.strip():
        raise RuntimeError(f"lapak run failed:\n{err[-3000:]}")
    summary = {**json.loads(out), "wall_s": round(wall, 1), "peak": rss.describe(), "peak_pss": rss.peak_pss}
    if stacks is not None and stacks.exists():
        report = json.loads(stacks.read_text())
        summary["lapak_peak"] = {
            "rss": fmt_bytes(report["peak_rss"]), "at_s": report["peak_at_s"], "frames": pipeline_frames(report)
        }  # fmt: skip
    return summary, peak


class StackSampler:
    """Inside lapak's process: reads its RSS every 10 ms and, at each new peak at least `STEP` above the level of the
    stacks it kept last, keeps every other thread's Python stack (innermost frames first)."""

    INTERVAL_S, STEP, DEPTH = 0.01, 16 * 2**20, 25  # each take of the stacks costs about 1 ms

    def __init__(self) -> None:
        self.started = time.perf_counter()
        self.peak, self.peak_at, self.stacks, self.stacks_at = 0, 0.0, {}, 0.0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True, name="lapak-stack-sampler")
        self._thread.start()

    def _run(self) -> None:
        me, page = threading.get_ident(), os.sysconf("SC_PAGE_SIZE")
        names, kept = {}, 0
        while not self._stop.is_set():
            now = int(Path("/proc/self/statm").read_text().split()[1]) * page
            if now > self.peak:
                self.peak, self.peak_at = now, time.perf_counter() - self.started
            if now >= kept + self.STEP:
                kept = now
                names.update({t.ident: t.name for t in threading.enumerate()})
                self.stacks_at = self.peak_at
                self.stacks = {
                    names.get(tid, str(tid)): [
                        f"{short_path(f.filename)}:{f.lineno} {f.name}"
                        for f in reversed(traceback.extract_stack(frame))
                    ][: self.DEPTH]
                    for tid, frame in sys._current_frames().items()
                    if tid != me
                }
            time.sleep(self.INTERVAL_S)

    def stop(self) -> dict:
        self._stop.set()
        self._thread.join()
        return {
            "peak_rss": self.peak,
            "peak_at_s": round(self.peak_at, 2),
            "stacks_at_s": round(self.stacks_at, 2),  # within STEP of the peak
            "stacks": self.stacks,
        }


def short_path(filename: str) -> str:
    """A repo file relative to the repo, a library file from its package folder on."""
    path = Path(filename)
    if path.is_relative_to(ROOT) and ".venv" not in path.parts:
        return str(path.relative_to(ROOT))
    parts = path.parts
    return "/".join(parts[parts.index("site-packages") + 1 :]) if "site-packages" in parts else path.name


def pipeline_frames(report: dict, limit: int = 6) -> list[str]:
    """The innermost frames in lapak's own code (not libraries) of the thread that was in it at the peak."""
    own = ("orchestration/", "ingestion/", "quality/", "lapak/", "dashboard/")
    for frames in report["stacks"].values():
        mine = [f for f in frames if f.startswith(own)]
        if mine:
            return mine[:limit]
    return []


def sampled_lapak() -> int:
    """`python -c SAMPLED_LAPAK OUT.json run ...`: lapak's CLI with `StackSampler`; OUT.json gets its report."""
    out, argv = Path(sys.argv[1]), sys.argv[2:]
    sampler = StackSampler()
    from lapak.cli import main as lapak_main

    code = 1
    try:
        code = lapak_main(argv)
    finally:
        out.write_text(json.dumps(sampler.stop(), indent=1))
    return code
