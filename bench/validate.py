"""How long `plangen validate` takes on many plans, and how much memory.

Run: .venv/bin/python bench/validate.py [PLANS]   (default 500)

It generates the plan set of bench/portfolio.py, then times load +
validate + cross-check and reports peak memory (this process and the
workers it forks, whichever is larger).
Numbers go to docs/performance.md, never into tests.
"""

from __future__ import annotations

import resource
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from plangen.project import load_project  # noqa: E402
from portfolio import generate  # noqa: E402


def main(count: int) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        generate(count, root)  # the portfolio benchmark's plan set
        total_bytes = sum(p.stat().st_size for p in (root / "plans").rglob("*.yaml"))
        start = time.perf_counter()
        project = load_project([root / "plans"], root / "site_config")
        elapsed = time.perf_counter() - start
    assert project.ok, project.findings[:3]
    peak_mb = max(resource.getrusage(who).ru_maxrss for who in (resource.RUSAGE_SELF, resource.RUSAGE_CHILDREN)) / 1024
    print(f"plans: {count}, YAML: {total_bytes / 1e6:.1f} MB")
    print(f"validate: {elapsed:.2f} s ({elapsed / count * 1000:.1f} ms per plan)")
    print(f"peak memory of the process: {peak_mb:.0f} MB")


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 500)
