"""Build time and peak memory of the worst-case plans of tests/test_cost.py.

Run: .venv/bin/python bench/worst_case.py

Each case is one plan near the caps (see tests/test_cost.py for how each is
made), built alone by the real `plangen build` in a process of its own.
"dense": every text field at its cap, every character one Markdown must
escape; "wide": 100 phases, 20 approvals, checks and dependencies each
gating every phase, every name 2,000 such characters; "refs" at two sizes:
every gate gating every phase with names as long as a reference shows, so
references cost the most. Numbers go to docs/performance.md.
"""

from __future__ import annotations

import os
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import yaml

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO / "tests"))

import test_cost  # noqa: E402  (the generators live beside the test that bounds them)

CASES = {
    "dense": lambda: test_cost._dense_plan("dense"),
    "wide": lambda: test_cost._wide_plan("wide"),
    "refs, 50 phases x 48 gates": lambda: test_cost._refs_plan("refs", 50, 16),
    "refs, 100 phases x 99 gates": lambda: test_cost._refs_plan("refs", 100, 33),
}


def one(name: str) -> None:
    """Build one case; print plan bytes, seconds and the build's peak memory."""
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        shutil.copytree(REPO / "site_config", root / "site_config")
        (root / "plans").mkdir()
        text = yaml.dump(CASES[name](), Dumper=test_cost._NoAliases, allow_unicode=True, sort_keys=False,
                         width=100_000)
        (root / "plans" / "case.yaml").write_text(text, encoding="utf-8")
        start = time.perf_counter()
        done = subprocess.run([sys.executable, "-m", "plangen", "build", "--as-of", "2026-11-22", "--out", "site"],
                              cwd=root, capture_output=True, text=True, env={**os.environ, "NO_MKDOCS_2_WARNING": "1"})
        elapsed = time.perf_counter() - start
        assert done.returncode == 0, done.stderr[-2000:]
    peak = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
    print(f"{len(text.encode())}\t{elapsed:.1f}\t{peak:.0f}")


def main() -> None:
    print("| case | plan | build | per KiB of plan | peak memory |")
    print("|---|---|---|---|---|")
    for name in CASES:
        out = subprocess.run([sys.executable, __file__, "--one", name], capture_output=True, text=True, check=True)
        size, seconds, peak = out.stdout.split()
        kib = int(size) / 1024
        print(f"| {name} | {kib:.0f} KiB | {float(seconds):.1f} s | {float(seconds) / kib * 1000:.0f} ms | {peak} MB |",
              flush=True)


if __name__ == "__main__":
    if sys.argv[1:2] == ["--one"]:
        one(sys.argv[2])
    else:
        main()
