"""A quiet Dagster logger for terminals: one line per finished stage and per failed check."""

import logging
import sys

import dagster as dg

_STEP_LABELS = {
    "ingest_landing": "ingest exports",
    "dbt_daily_facts": "dbt daily facts",
    "dbt_models": "dbt staging views, intermediate + marts",
}


class _ProgressHandler(logging.Handler):
    def emit(self, record: logging.LogRecord) -> None:
        event = getattr(record, "dagster_event", None)
        if event is None:
            return
        step = event.step_key or ""
        label = _STEP_LABELS.get(step, step)
        kind = event.event_type_value
        line = None
        if kind == "STEP_START" and step in _STEP_LABELS:
            line = f"  … {label}"
        elif kind == "STEP_SUCCESS" and step in _STEP_LABELS:
            line = f"  ✓ {label}"
        elif kind == "STEP_FAILURE":
            line = f"  ✗ {label} failed"
        elif kind == "ASSET_CHECK_EVALUATION":
            data = event.event_specific_data
            evaluation = getattr(data, "asset_check_evaluation", data)
            if not evaluation.passed:
                key = "/".join(evaluation.asset_key.path)
                line = f"  ✗ check {evaluation.check_name} on {key} ({evaluation.severity.value.lower()})"
        if line:
            print(line, file=sys.stderr, flush=True)


@dg.logger(description="One line per stage and per failed check, for terminals (lapak run).")
def progress_logger(init_context: dg.InitLoggerContext) -> logging.Logger:
    log = logging.getLogger("lapak.progress")
    log.setLevel(logging.DEBUG)
    log.propagate = False
    if not log.handlers:
        log.addHandler(_ProgressHandler())
    return log
