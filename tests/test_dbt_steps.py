"""benchmarks/dbt_steps.py reads a dbt step's run results: how busy its threads were, how long tests waited."""

import json

from benchmarks.dbt_steps import describe, node_spans, waits_for_tests


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
        _node("test.lapak.t_b", "Thread-2", 11.0, 12.0),
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


def test_a_models_wait_is_from_its_end_to_its_first_tests_start():
    spans = node_spans(RESULTS)
    assert [s["kind"] for s in spans] == ["model", "model", "test", "test", "operation"]
    waits = dict((m, w) for w, m in waits_for_tests(spans, MANIFEST))
    assert waits == {"model.lapak.a": 1.0, "model.lapak.b": 0.0}


def test_threads_busy_leaves_out_the_hooks_on_the_main_thread(tmp_path, capsys):
    (tmp_path / "run_results.json").write_text(json.dumps(RESULTS))
    (tmp_path / "manifest.json").write_text(json.dumps(MANIFEST))
    describe(tmp_path, top=3)
    out = capsys.readouterr().out
    # nodes but hooks: 10.0-14.0 s on two threads, 5 s of their time = 5 / (2 x 4) = 62%
    assert "span 4.00s on 2 threads; their time 5.00s = 62% of threads x span" in out
    assert "2 models 3.00s (median 1.500s), 1 operations 0.50s (median 0.500s), 2 tests 2.00s (median 1.000s)" in out
    assert "1.00s  a" in out.split("longest waits")[1]
