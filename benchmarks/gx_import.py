"""What importing Great Expectations costs `lapak run`, plain and as lapak imports it (quality/gx_import.py).

    .venv/bin/python benchmarks/gx_import.py              # 5 rounds
    .venv/bin/python benchmarks/gx_import.py --rounds 9

Every measurement runs in a fresh Python process (an import happens once per process), and the variants
take turns so that a slower minute of the machine hits all of them:

- `import`: the import alone, `import great_expectations` against `quality.gx_import.import_gx()` (pyspark
  blocked, scipy.stats and altair deferred).
- `instance`: what `lapak run` does while GX imports in its background thread: create the Dagster instance
  of a new home, with no import beside it, with the plain import, and with lapak's. An import holds the GIL,
  so the instance (on the run's critical path) waits for the import's Python too.

Prints each variant's median seconds and the ratios to the plain import.
"""

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

IMPORT = """
import json, sys, time
sys.path.insert(0, {root!r})
started = time.perf_counter()
if {lapak}:
    from quality.gx_import import import_gx
    import_gx()
else:
    import great_expectations
took = time.perf_counter() - started
loaded = [m for m in ("pyspark", "scipy.stats._stats_py", "altair.vegalite") if sys.modules.get(m) is not None]
print(json.dumps({{"seconds": took, "loaded": loaded}}))
"""

INSTANCE = """
import json, os, sys, threading, time
sys.path.insert(0, {root!r})
import dagster as dg
from lapak.cli import _dagster_home
from orchestration.definitions import defs
from pathlib import Path
defs.resolve_job_def("lapak_ingest"), defs.resolve_job_def("lapak_build")
_dagster_home(Path({home!r}))
if {beside!r} == "lapak":
    from quality.gx_import import prefetch_gx
    thread = prefetch_gx()
elif {beside!r} == "plain":
    thread = threading.Thread(target=lambda: __import__("great_expectations"))
    thread.start()
started = time.perf_counter()
with dg.DagsterInstance.get():
    took = time.perf_counter() - started
if {beside!r} != "none":
    thread.join()
print(json.dumps({{"seconds": took}}))
"""


def measure(code: str, work: Path) -> dict:
    # a script file, not `python -c`: pyspark exits a process whose main module has no file (it takes it
    # for a doctest run)
    script = work / "measure.py"
    script.write_text(code)
    env = {**os.environ, "GX_ANALYTICS_ENABLED": "false", "TQDM_DISABLE": "1"}
    out = subprocess.run([sys.executable, str(script)], capture_output=True, text=True, check=True, env=env, cwd=work)
    return json.loads(out.stdout.strip().splitlines()[-1])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=5)
    args = parser.parse_args()
    imports: dict[str, list[float]] = {"plain": [], "lapak": []}
    instances: dict[str, list[float]] = {"none": [], "plain": [], "lapak": []}
    loaded: dict[str, list[str]] = {}
    with tempfile.TemporaryDirectory(prefix="lapak-gx-import-") as tmp:
        work = Path(tmp)
        for round_ in range(args.rounds):
            for variant in imports:
                result = measure(IMPORT.format(root=str(ROOT), lapak=variant == "lapak"), work)
                imports[variant].append(result["seconds"])
                loaded[variant] = result["loaded"]
            for beside in instances:
                home = work / f"{beside}-{round_}"
                code = INSTANCE.format(root=str(ROOT), home=str(home), beside=beside)
                instances[beside].append(measure(code, work)["seconds"])
            print(
                f"round {round_ + 1}: import plain {imports['plain'][-1]:.2f}s lapak {imports['lapak'][-1]:.2f}s; "
                f"instance alone {instances['none'][-1]:.2f}s, beside plain {instances['plain'][-1]:.2f}s, "
                f"beside lapak {instances['lapak'][-1]:.2f}s",
                flush=True,
            )
    med = {k: statistics.median(v) for k, v in imports.items()}
    imed = {k: statistics.median(v) for k, v in instances.items()}
    print(f"\nmedians of {args.rounds} rounds (fresh processes, taking turns)")
    print(f"import great_expectations: plain {med['plain']:.2f}s, lapak's {med['lapak']:.2f}s = "
          f"{med['lapak'] / med['plain']:.2f}x")  # fmt: skip
    for variant, mods in loaded.items():
        print(f"  {variant}: loaded {', '.join(mods) or 'none'} of pyspark, scipy.stats, altair")
    print(f"new home's Dagster instance: alone {imed['none']:.2f}s; beside the plain import {imed['plain']:.2f}s; "
          f"beside lapak's {imed['lapak']:.2f}s = {imed['lapak'] / imed['plain']:.2f}x")  # fmt: skip


if __name__ == "__main__":
    main()
