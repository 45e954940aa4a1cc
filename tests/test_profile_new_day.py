"""benchmarks/profile_new_day.py reads py-spy's collapsed samples per process (the profile itself needs py-spy)."""

from benchmarks.profile_new_day import label, profile

LAPAK = 'process 10:".venv/bin/python -m lapak.cli run --landing L --home H --json"'
DBT = 'process 12:"/venv/bin/python -m orchestration.warm_dbt /tmp/x/dbt.sock"'


def test_samples_count_once_per_function_in_the_innermost_process(tmp_path):
    raw = tmp_path / "samples.txt"
    raw.write_text(
        "\n".join(
            [
                # a dbt command forked by the warm server, itself under lapak: the sample is the dbt command's
                f"{LAPAK};{DBT};Thread._bootstrap (threading.py:1002);execute (dbt/x.py:10);execute (dbt/x.py:12) 3",
                f"{LAPAK};{DBT};Thread._bootstrap (threading.py:1002);compile (dbt/y.py:5) 1",
                f"{LAPAK};_run_module_as_main (<frozen runpy>:198);main (lapak/cli.py:9) 2",
                "a line without a process 7",
            ]
        )
        + "\n"
    )
    per = profile(raw)
    assert set(per) == {DBT, LAPAK}
    dbt = per[DBT]
    assert dbt["(all)"] == 4
    assert dbt["execute (dbt/x.py)"] == 3  # two lines of one function in one sample count once
    assert dbt["compile (dbt/y.py)"] == 1
    assert "Thread._bootstrap (threading.py)" not in dbt  # plumbing every thread starts with
    assert per[LAPAK]["(all)"] == 2 and per[LAPAK]["main (lapak/cli.py)"] == 2
    assert "main (lapak/cli.py)" not in dbt  # frames above the innermost process are not its own


def test_processes_are_named_by_what_they_run():
    assert label(LAPAK).startswith("10 lapak run")
    assert label(DBT).startswith("12 warm dbt")
    assert label('process 13:"/venv/bin/python /venv/bin/lapak-dbt build --select x"').startswith("13 dbt client")
