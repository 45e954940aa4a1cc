"""dbt_steps.py, run as a script on a target folder it reads: how busy a dbt step's threads were, how long tests
waited after their models."""

import json
import subprocess
import sys
from pathlib import Path

SCRIPT = Path(__file__).resolve().parent.parent / "benchmarks" / "dbt_steps.py"


def _node(uid: str, thread: str, start: float, end: float) -> dict:
    stamp = lambda s: f"2026-12-02T04:50:{s:06.3f}Z"  # noqa: E731
    return {
        "unique_id": uid,
        "thread_id": thread,
        "execution_time": end - start,
        "timing": [
            {"name": "compile", "started_at": stamp(start), "completed_at": stamp(start)},
            {"name": "execute", "started_at": stamp(start), "completed_at": stamp(end)},
        ],
    }


RESULTS = {
    "elapsed_time": 5.0,
    "results": [
        _node("model.lapak.a", "Thread-1", 10.0, 12.0),
        _node("model.lapak.b", "Thread-2", 10.0, 11.0),
        _node("test.lapak.t_b", "Thread-2", 11.0, 12.0),  # started as `b` ended: no wait
        _node("test.lapak.t_a", "Thread-1", 13.0, 14.0),  # waited 1 s after `a` ended
        _node("operation.lapak.lapak-on-run-end-0", "main", 14.0, 14.5),
    ],
}
MANIFEST = {
    "nodes": {
        "test.lapak.t_a": {"depends_on": {"nodes": ["model.lapak.a"]}},
        "test.lapak.t_b": {"depends_on": {"nodes": ["model.lapak.b"]}},
    }
}


def _describe(tmp_path: Path) -> str:
    target = tmp_path / "dbt_marts-run-1"
    target.mkdir()
    (target / "run_results.json").write_text(json.dumps(RESULTS))
    (target / "manifest.json").write_text(json.dumps(MANIFEST))
    done = subprocess.run(
        [sys.executable, str(SCRIPT), "--target", str(target), "--top", "3"], capture_output=True, text=True
    )
    assert done.returncode == 0, done.stderr
    return done.stdout


def test_a_models_wait_is_from_its_end_to_its_first_tests_start(tmp_path):
    out = _describe(tmp_path)
    assert "dbt_marts-run-1: dbt elapsed 5.00s, 5 nodes" in out
    # every node that ran, by kind: two models, two tests and the on-run-end hook
    assert "2 models 3.00s (median 1.500s), 1 operations 0.50s (median 0.500s), 2 tests 2.00s (median 1.000s)" in out
    waits = out.split("longest waits from a model's end to its first data test's start:\n")[1]
    assert waits.split() == ["1.00s", "a"]  # `a` waited 1 s; `b`'s test started as it ended


def test_threads_busy_leaves_out_the_hooks_on_the_main_thread(tmp_path):
    out = _describe(tmp_path)
    # nodes but hooks: 10.0-14.0 s on two threads, 5 s of their time = 5 / (2 x 4) = 62%
    assert "span 4.00s on 2 threads; their time 5.00s = 62% of threads x span" in out
    slowest = out.split("slowest nodes")[1].split("longest waits")[0]
    assert " 2.00s   0.00- 2.00  a\n" in slowest  # start and end from the first node's start
