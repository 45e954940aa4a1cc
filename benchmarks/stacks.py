"""`lapak` with a memory sampler inside: which of the pipeline's code its process was in at its peak.

    .venv/bin/python benchmarks/stacks.py OUT.json run --landing <folder> --home <folder> --json

The tree sampler in benchmarks/run.py says which process holds the memory at the peak (lapak or a dbt
step); this says where in lapak's own process. A thread reads the process's RSS every 10 ms; at each new
peak at least `STEP` above the level of the stacks it kept last, it keeps every other thread's Python stack
(innermost frames first). When `lapak` exits, OUT.json gets the peak, when it came, and those stacks.
`benchmarks/run.py --stacks` runs lapak through this file and prints the pipeline's frames at its peak.
"""

import json
import os
import sys
import threading
import time
import traceback
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
INTERVAL_S = 0.01
STEP = 16 * 2**20  # a new peak must add this much before its stacks are taken again (each take costs ~1 ms)
DEPTH = 25


def rss() -> int:
    return int(Path("/proc/self/statm").read_text().split()[1]) * os.sysconf("SC_PAGE_SIZE")


class StackSampler:
    def __init__(self) -> None:
        self.started = time.perf_counter()
        self.peak, self.peak_at, self.stacks, self.stacks_at = 0, 0.0, {}, 0.0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True, name="lapak-stack-sampler")
        self._thread.start()

    def _run(self) -> None:
        me = threading.get_ident()
        names, kept = {}, 0
        while not self._stop.is_set():
            now = rss()
            if now > self.peak:
                self.peak, self.peak_at = now, time.perf_counter() - self.started
            if now >= kept + STEP:
                kept = now
                names.update({t.ident: t.name for t in threading.enumerate()})
                self.stacks_at = self.peak_at
                self.stacks = {
                    names.get(tid, str(tid)): [
                        f"{_short(f.filename)}:{f.lineno} {f.name}" for f in reversed(traceback.extract_stack(frame))
                    ][:DEPTH]
                    for tid, frame in sys._current_frames().items()
                    if tid != me
                }
            time.sleep(INTERVAL_S)

    def stop(self) -> dict:
        self._stop.set()
        self._thread.join()
        return {
            "peak_rss": self.peak,
            "peak_at_s": round(self.peak_at, 2),
            "stacks_at_s": round(self.stacks_at, 2),  # within STEP of the peak
            "stacks": self.stacks,
        }


def _short(filename: str) -> str:
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


def main() -> int:
    out, argv = Path(sys.argv[1]), sys.argv[2:]
    sys.path.insert(0, str(ROOT))
    sampler = StackSampler()
    from lapak.cli import main as lapak_main

    code = 1
    try:
        code = lapak_main(argv)
    finally:
        out.write_text(json.dumps(sampler.stop(), indent=1))
    return code


if __name__ == "__main__":
    sys.exit(main())
