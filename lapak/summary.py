"""The summary of a `lapak run` or `lapak backfill`, as the terminal shows it."""

from __future__ import annotations

import json
import sys
from pathlib import Path

from lapak.pipeline import EXIT_OK


def print_summary(s: dict) -> None:
    f = s["files"]
    ok = s["exit_code"] == EXIT_OK
    print()
    print(f"lapak run {'OK' if ok else 'FAILED'} in {s['seconds']}s  (run {s['run_id'][:8]})")
    print(
        f"  files:   {f.get('files_loaded', 0)} loaded, {f.get('files_unchanged', 0)} unchanged, "
        f"{f.get('files_duplicate', 0)} duplicate, {f.get('files_rejected', 0)} rejected"
    )
    print(
        f"  rows:    {f.get('rows_loaded', 0):,} loaded, {f.get('rows_quarantined', 0):,} quarantined "
        f"(of {f.get('rows_read', 0):,} read)"
    )
    for r in s["rejected_files"]:
        print(f"  rejected: {r['file']}: {r['reason']}")
    for r in s.get("skipped_files", []):
        print(f"  skipped: {r['file']}: {r['reason']}")
    for q in s["quarantined_files"]:
        print(f"  quarantined: {q['rows']} rows of {q['file']}  (see `lapak quarantine`)")
    for h in s.get("held_files", []):
        print(f"  held out: {h['file']} ({h['reason']}); shop {h['shop']} keeps its last good data")
    drift: dict[tuple[str, ...], list[str]] = {}
    for file, cols in s["schema_drift"].items():
        drift.setdefault(tuple(cols), []).append(file)
    for cols, files in drift.items():
        where = files[0] if len(files) == 1 else f"{len(files)} files, e.g. {files[0]}"
        print(f"  columns lapak does not know yet, kept in _extra: {', '.join(cols)} ({where})")
    if s.get("days_rebuilt"):
        first, last = s["days_rebuilt"]
        span = first if first == last else f"{first} .. {last}"
        print(f"  days:    {span} ({'backfill' if s['backfill'] else 'the days the new exports cover'})")
    if s.get("marts_rebuilt_for"):
        shops = s["marts_rebuilt_for"]["shops"]
        who = "every shop" if shops == "all" else ", ".join(shops) or "no shop"
        print(f"  marts:   rebuilt for {who} ({s['marts_rebuilt_for']['reason']})")
    marts = ", ".join(m.split("/")[1] for m in s["marts_built"]) or "none"
    print(f"  models:  {s['models_built']} dbt models built; marts: {marts}")
    n_failed = len(s["checks_failed"])
    print(f"  checks:  {s['checks_passed']} passed, {n_failed} failed")
    for c in s["checks_failed"]:
        details = json.dumps(c["details"], default=str)[:300]
        print(f"    ✗ {c['check']} on {c['asset']} [{c['severity'].lower()}]: {details}")
    for step in s["failed_steps"]:
        error = s.get("step_errors", {}).get(step)
        print(f"  failed step: {step}{f': {error}' if error else ''} (see the run in the Dagster UI)")
    for step in s["skipped_steps"]:
        print(f"  skipped: {step} (an upstream blocking check failed)")
    print(f"  warehouse: {s['warehouse']}  (written by runs; BI reads the published copy)")
    if s.get("published"):
        pub = s["published"]
        print(f"  published: {pub['path']}  (read-only copy for BI; Parquet in {pub['parquet_dir']})")
        if pub.get("reorder_signals_csv"):
            actions = pub.get("reorder_actions") or []
            counts = {st: sum(a["status"] == st for a in actions) for st in ("oversold", "urgent", "reorder")}
            print(
                f"  reorder signals: {counts['oversold']} oversold, {counts['urgent']} urgent, "
                f"{counts['reorder']} to reorder  ({pub['reorder_signals_csv']})"
            )
            for a in actions[:8]:
                cover = "-" if a["days_of_cover"] is None else f"{float(a['days_of_cover']):.1f}"
                print(
                    f"    {a['status']:<8} {a['shop_id']} / {a['product_name']} (SKU {a['sku_id']}): "
                    f"stock {a['stock_on_hand']}, {cover} days of cover, order {a['suggested_order_qty']}"
                )
    else:
        print("  published: nothing new (the last good copy stays in place)")
    dagster = Path(sys.executable).parent / "dagster"
    root = Path(__file__).resolve().parent.parent
    print(f"  Dagster UI: make ui  (or: cd {root} && DAGSTER_HOME={s['dagster_home']} {dagster} dev -w workspace.yaml)")
