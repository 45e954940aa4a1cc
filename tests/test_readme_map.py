"""The README's map of the code names every module, and only modules that exist."""

import re
import subprocess
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
MAPPED = ("ingestion", "quality", "orchestration", "lapak", "dashboard", "benchmarks")


def test_the_readme_map_names_every_module_and_no_other():
    readme = (ROOT / "README.md").read_text()
    section = readme[readme.index("## Where things are") : readme.index("## Using it")]
    tracked = subprocess.run(["git", "ls-files", *MAPPED], cwd=ROOT, capture_output=True, text=True).stdout.split()
    modules = {p for p in tracked if p.endswith(".py") and not p.endswith("__init__.py")}
    named, unknown, folder = set(), [], None
    for line in section.splitlines():
        if heading := re.match(r"\*\*`([a-z_]+)/`\*\*", line):
            folder = heading.group(1)
        if folder not in MAPPED:
            continue
        for name in re.findall(r"`([a-z0-9_]+\.py)`", line):  # a module's name, within its folder
            found = {m for m in modules if m.startswith(f"{folder}/") and m.endswith(f"/{name}")}
            named |= found
            if not found:
                unknown.append(f"{folder}/…/{name}")
    assert sorted(modules - named) == [], "modules the README's map does not name"
    assert unknown == [], "the map names modules that do not exist"
