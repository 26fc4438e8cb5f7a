"""How long `plangen build` takes for N plans, and the size of the site.

Run: .venv/bin/python bench/build.py [PLANS]   (default 100)

Generates the plan set of bench/portfolio.py in a temporary project, then times
the real command (validation, analysis, rendering, MkDocs + Material, the
atomic publish) in a process of its own. Numbers go to docs/performance.md.
"""

from __future__ import annotations

import os
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from portfolio import generate


def main(count: int) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        generate(count, root)  # the portfolio benchmark's plan set
        start = time.perf_counter()
        done = subprocess.run([sys.executable, "-m", "plangen", "build", "--as-of", "2026-11-22", "--out", "site"],
                              cwd=root, capture_output=True, text=True, env={**os.environ, "NO_MKDOCS_2_WARNING": "1"})
        elapsed = time.perf_counter() - start
        assert done.returncode == 0, done.stderr[-2000:]
        size = sum(p.stat().st_size for p in (root / "site").rglob("*") if p.is_file())
        pages = sum(1 for _ in (root / "site").rglob("*.html"))
    peak = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
    print(f"plans: {count}, pages: {pages}, site: {size / 1e6:.1f} MB")
    print(f"build: {elapsed:.1f} s ({elapsed / count * 1000:.0f} ms per plan), peak memory {peak:.0f} MB")


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 100)
