"""The landing-folder sensor: new means not in the manifest, so the files of a failed run are requested again."""

import json
from datetime import UTC, datetime
from pathlib import Path

import dagster as dg
import pytest

from orchestration import automation
from orchestration.automation import FILES_TAG, files_key, new_file_set, new_files_run_key, retry_in
from tests.exports import order_row, write_orders_csv

KEY = "sensor-key-0123456789abcdef0123456789abcdef"


def write_export(landing: Path, day: int) -> Path:
    return write_orders_csv(
        landing / "toko" / f"Semua pesanan-2026-01-{day:02d}-08_00.csv", [order_row(**{"Order ID": str(day)})]
    )


def test_a_file_the_sensor_saw_is_new_until_the_manifest_lists_it(tmp_path):
    write_export(tmp_path, 1)
    fresh, cursor = new_file_set(tmp_path, {}, set())
    assert [rel for rel, _ in fresh] == ["toko/Semua pesanan-2026-01-01-08_00.csv"]
    again, _ = new_file_set(tmp_path, cursor, set())  # its run failed: the manifest still does not list it
    assert again == fresh
    assert new_file_set(tmp_path, cursor, {fresh[0][1]})[0] == []


def test_a_copy_of_new_content_is_new_once(tmp_path):
    path = write_export(tmp_path, 1)
    (tmp_path / "toko" / "copy.csv").write_bytes(path.read_bytes())
    fresh, _ = new_file_set(tmp_path, {}, set())
    assert len(fresh) == 1


def test_a_file_that_vanishes_after_the_listing_is_skipped(tmp_path, monkeypatch):
    kept = write_export(tmp_path, 1)
    gone = tmp_path / "toko" / "gone.csv"
    monkeypatch.setattr(automation, "discover", lambda landing: [("toko", gone), ("toko", kept)])
    fresh, cursor = new_file_set(tmp_path, {}, set())
    assert [rel for rel, _ in fresh] == ["toko/Semua pesanan-2026-01-01-08_00.csv"] and list(cursor) == [fresh[0][0]]


def test_the_run_key_changes_once_a_run_has_finished_without_loading_the_files():
    files = files_key([("a.csv", "1" * 64)])
    assert new_files_run_key(files, "run-1") == new_files_run_key(files, "run-1")  # one run while one is going
    assert new_files_run_key(files, "run-2") != new_files_run_key(files, "run-1")
    assert new_files_run_key(files_key([("b.csv", "2" * 64)]), "run-1") != new_files_run_key(files, "run-1")


def tick(sensor, instance, cursor):
    context = dg.build_sensor_context(instance=instance, cursor=cursor)
    result = sensor(context)
    return result, context.cursor


def test_the_files_of_a_failed_run_are_requested_again(tmp_path, monkeypatch):
    """A run the sensor started fails (here: a PII key that is too short): the files come back, after a pause."""
    from lapak.settings import resolve_paths
    from orchestration.definitions import defs

    landing, home = tmp_path / "landing", tmp_path / "home"
    write_export(landing, 1)
    resolve_paths(landing, home)
    sensor = defs.get_sensor_def("lapak_new_exports")
    ingest = defs.resolve_job_def("lapak_ingest")
    with dg.instance_for_test() as instance:
        first, cursor = tick(sensor, instance, None)
        assert isinstance(first, dg.RunRequest) and first.tags[FILES_TAG] == files_key(
            new_file_set(landing, {}, set())[0]
        )
        same, cursor = tick(sensor, instance, cursor)  # the run is queued or going: the same key, deduplicated
        assert same.run_key == first.run_key

        monkeypatch.setenv("LAPAK_PII_KEY", "too-short")
        failed = ingest.execute_in_process(instance=instance, tags=first.tags, raise_on_error=False)
        assert not failed.success
        paused, cursor = tick(sensor, instance, cursor)
        assert isinstance(paused, dg.SkipReason) and "requested again in 15 min" in paused.skip_message

        monkeypatch.setattr(automation, "RETRY_AFTER_S", 0)
        retry, cursor = tick(sensor, instance, cursor)
        assert isinstance(retry, dg.RunRequest) and retry.run_key != first.run_key
        assert retry.run_key == new_files_run_key(first.tags[FILES_TAG], failed.run_id)

        monkeypatch.setenv("LAPAK_PII_KEY", KEY)
        loaded = ingest.execute_in_process(instance=instance, tags=retry.tags, raise_on_error=False)
        assert loaded.get_step_success_events()
        done, cursor = tick(sensor, instance, cursor)
        assert isinstance(done, dg.SkipReason) and "no new files" in done.skip_message
        assert json.loads(cursor)  # the cursor still spares the next tick the hashing


@pytest.mark.parametrize(
    ("status", "tagged", "expected"),
    [("FAILURE", True, 600.0), ("FAILURE", False, 0.0), ("CANCELED", True, 600.0), ("SUCCESS", True, 0.0)],
)
def test_only_a_failed_run_for_the_same_files_pauses_them(status, tagged, expected):
    files = files_key([("a.csv", "1" * 64)])
    run = dg.DagsterRun(
        job_name="lapak_ingest",
        run_id="r",
        status=dg.DagsterRunStatus[status],
        tags={FILES_TAG: files} if tagged else {},
    )
    now = datetime.now(UTC)
    record = dg.RunRecord(storage_id=1, dagster_run=run, create_timestamp=now, update_timestamp=now, end_time=1000.0)
    assert retry_in(record, files, now=1000.0 + automation.RETRY_AFTER_S - 600) == expected
