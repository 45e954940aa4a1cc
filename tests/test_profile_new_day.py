"""profile_new_day.py, run as a script on py-spy samples kept earlier (`--samples`; recording them needs py-spy):
CPU per process, and the functions its samples were in."""

import subprocess
import sys
from pathlib import Path

SCRIPT = Path(__file__).resolve().parent.parent / "benchmarks" / "profile_new_day.py"
LAPAK = 'process 10:".venv/bin/python -m lapak.cli run --landing L --home H --json"'
DBT = 'process 12:"/venv/bin/python /venv/bin/dbt build --select x"'
WATCHER = 'process 13:"/venv/bin/python -m dagster._core.execution.watch_orphans 10"'


def _profile(tmp_path: Path) -> dict[str, list[str]]:
    """The printed profile at one sample a second: each process's heading, with its lines."""
    raw = tmp_path / "samples.txt"
    raw.write_text(
        "\n".join(
            [
                # a dbt command started under lapak: the sample is the dbt command's
                f"{LAPAK};{DBT};Thread._bootstrap (threading.py:1002);execute (dbt/x.py:10);execute (dbt/x.py:12) 3",
                f"{LAPAK};{DBT};Thread._bootstrap (threading.py:1002);compile (dbt/y.py:5) 1",
                f"{LAPAK};_run_module_as_main (<frozen runpy>:198);main (lapak/cli.py:9) 2",
                f"{LAPAK};{WATCHER};watch (watch_orphans.py:40) 1",
                "a line without a process 7",
            ]
        )
        + "\n"
    )
    done = subprocess.run(
        [sys.executable, str(SCRIPT), "--samples", str(raw), "--rate", "1", "--top", "10"],
        capture_output=True,
        text=True,
    )
    assert done.returncode == 0, done.stderr
    blocks = [b.splitlines() for b in done.stdout.split("\n\n")[1:]]
    return {b[0]: [line.strip() for line in b[1:]] for b in blocks}


def test_samples_count_once_per_function_in_the_innermost_process(tmp_path):
    per = _profile(tmp_path)
    dbt = per["12 dbt (a command dagster-dbt started): 4.0 s of CPU"]
    # two lines of one function in one sample count once; the plumbing every thread starts with is left out
    assert dbt == ["75.0%  execute (dbt/x.py)", "25.0%  compile (dbt/y.py)"]
    # frames above the innermost process are not its own
    assert per["10 lapak run (Dagster, ingestion, checks, publish): 2.0 s of CPU"] == ["100.0%  main (lapak/cli.py)"]
    assert len(per) == 3  # the line without a process counts nowhere


def test_processes_are_named_by_what_they_run(tmp_path):
    headings = sorted(_profile(tmp_path))
    assert headings[0].startswith("10 lapak run")
    assert headings[1].startswith("12 dbt (a command")
    assert headings[2].startswith("13 Dagster's orphan watcher")
