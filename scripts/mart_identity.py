"""Are the marts the same, row for row, when two checkouts of lapak build them from the same exports?

    git worktree add /tmp/before <commit>
    .venv/bin/python scripts/mart_identity.py --baseline /tmp/before                  # the demo's exports
    .venv/bin/python scripts/mart_identity.py --baseline /tmp/before --scales demo,1m # and a 1M-line run

For each scale it writes the sample exports once (this checkout's generator; the demo's are `make demo`'s, the
1M-line ones benchmarks/run.py's shape), runs `lapak run` on them with each checkout in a home of its own, and
compares every table of the `marts` schema: its row count and an order-free hash of its rows. Column names are
listed, not hashed, so a renamed column shows as a rename and its values still count. Doubles are rounded to 9
significant digits first: DuckDB's parallel sums may differ in the last bit from one run to the next.

Exits 1 when a mart is missing or differs. `--keep DIR` leaves the exports and homes there, and a later call
with the same DIR and baseline commit reuses the exports and the baseline's hashes.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

import duckdb

ROOT = Path(__file__).resolve().parent.parent
# generator arguments: the demo's (Makefile `sample`, with a fixed last day) and benchmarks/run.py's 1M shape
SCALES = {
    "demo": ["--shops", "3", "--days", "120", "--seed", "7"],
    "1m": ["--shops", "5", "--days", "365", "--orders-per-day", "288", "--seed", "3"],
}
PII_KEY = "identity-0123456789abcdef0123456789abcdef"
FLOATS = ("DOUBLE", "FLOAT", "REAL")


def lapak(root: Path, *args: str) -> subprocess.CompletedProcess:
    """The lapak CLI of the checkout at `root`, with its own code first on the path."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("LAPAK_", "DAGSTER_"))}
    env |= {"LAPAK_PII_KEY": PII_KEY, "PYTHONPATH": str(root)}
    return subprocess.run([sys.executable, "-m", "lapak.cli", *args], cwd=root, env=env, capture_output=True, text=True)


def commit(root: Path) -> str:
    return subprocess.run(["git", "-C", str(root), "rev-parse", "HEAD"], capture_output=True, text=True).stdout.strip()


def mart_hashes(warehouse: Path) -> dict[str, dict]:
    """Each marts table's columns, row count and order-free hash of its rows."""
    out = {}
    with duckdb.connect(str(warehouse), read_only=True) as con:
        tables = con.execute(
            "select table_name from information_schema.tables where table_schema = 'marts' order by 1"
        ).fetchall()
        for (table,) in tables:
            columns = con.execute(
                "select column_name, data_type from information_schema.columns"
                " where table_schema = 'marts' and table_name = ? order by ordinal_position",
                [table],
            ).fetchall()
            values = [
                f"round({q}, 9 - cast(ceil(log10(abs({q}) + 1e-300)) as int))" if kind in FLOATS else q
                for name, kind in columns
                for q in [f'"{name}"']
            ]
            rows, digest = con.execute(
                f"select count(*), coalesce(sum(hash({', '.join(values)})::hugeint), 0)::varchar from marts.{table}"
            ).fetchone()
            out[table] = {"columns": [name for name, _ in columns], "rows": rows, "hash": digest}
    return out


def compare(baseline: dict[str, dict], this: dict[str, dict]) -> list[str]:
    """What differs between two checkouts' marts (empty: identical)."""
    problems = []
    for table in sorted(baseline.keys() | this.keys()):
        before, after = baseline.get(table), this.get(table)
        if before is None or after is None:
            problems.append(f"{table}: only in {'this checkout' if before is None else 'the baseline'}")
        elif (before["rows"], before["hash"]) != (after["rows"], after["hash"]):
            problems.append(f"{table}: {before['rows']:,} rows -> {after['rows']:,}, values differ")
        elif before["columns"] != after["columns"]:
            renamed = [f"{a}->{b}" for a, b in zip(before["columns"], after["columns"], strict=False) if a != b]
            print(f"  {table}: same rows, columns renamed {', '.join(renamed)}")
    return problems


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--baseline", required=True, type=Path, help="a checkout of the commit to compare against")
    parser.add_argument("--scales", default="demo", help=f"comma-separated, of {', '.join(SCALES)}")
    parser.add_argument("--keep", type=Path, help="write exports and homes here and leave them")
    args = parser.parse_args()
    work = args.keep or Path(tempfile.mkdtemp(prefix="mart-identity-"))
    checkouts = {"baseline": args.baseline.resolve(), "this": ROOT}
    failed = False
    try:
        for scale in args.scales.split(","):
            landing, cache = work / scale / "landing", work / scale / "baseline.json"
            cached = json.loads(cache.read_text()) if cache.exists() else {}
            if cached.get("commit") != commit(checkouts["baseline"]):
                shutil.rmtree(landing, ignore_errors=True)
                made = lapak(ROOT, "generate", "--out", str(landing), *SCALES[scale])
                if made.returncode:
                    raise SystemExit(f"lapak generate failed:\n{made.stderr[-3000:]}")
                cached = {}
            hashes = {"baseline": cached["marts"]} if cached else {}
            for name, root in checkouts.items():
                if name in hashes:
                    continue
                home = work / scale / name
                shutil.rmtree(home, ignore_errors=True)
                run = lapak(root, "run", "--landing", str(landing), "--home", str(home), "--json")
                if not (home / "warehouse.duckdb").exists():
                    raise SystemExit(f"{scale}: lapak run of {name} made no warehouse:\n{run.stderr[-3000:]}")
                if run.returncode:
                    print(f"{scale}: lapak run of {name} exited {run.returncode} (see {home}/logs)")
                hashes[name] = mart_hashes(home / "warehouse.duckdb")
            cache.write_text(json.dumps({"commit": commit(checkouts["baseline"]), "marts": hashes["baseline"]}))
            problems = compare(hashes["baseline"], hashes["this"])
            rows = sum(t["rows"] for t in hashes["this"].values())
            verdict = "identical" if not problems else f"{len(problems)} differ"
            print(f"{scale}: {len(hashes['this'])} marts, {rows:,} rows: {verdict}")
            for problem in problems:
                print(f"  {problem}")
            failed |= bool(problems)
    finally:
        if args.keep is None:
            shutil.rmtree(work, ignore_errors=True)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
