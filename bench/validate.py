"""How long `plangen validate` takes on many plans, and how much memory.

Run: .venv/bin/python bench/validate.py [PLANS]   (default 500)

It copies the example plans under new ids into a temporary project, then
times load + validate + cross-check in this process and reports peak memory.
Numbers go to docs/performance.md, never into tests.
"""

from __future__ import annotations

import resource
import shutil
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from plangen.project import load_project  # noqa: E402


def main(count: int) -> None:
    sources = sorted((REPO / "plans").rglob("*.yaml"))
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        shutil.copytree(REPO / "site_config", root / "site_config")
        (root / "plans").mkdir()
        total_bytes = 0
        for i in range(count):
            text = sources[i % len(sources)].read_text(encoding="utf-8")
            text = "\n".join(line for line in text.splitlines() if not line.startswith("id: "))
            path = root / "plans" / f"group-{i % 20}" / f"plan-{i:05d}.yaml"
            path.parent.mkdir(exist_ok=True)
            path.write_text(text + "\n", encoding="utf-8")
            total_bytes += len(text)
        start = time.perf_counter()
        project = load_project([root / "plans"], root / "site_config")
        elapsed = time.perf_counter() - start
    assert project.ok, project.findings[:3]
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"plans: {count}, YAML: {total_bytes / 1e6:.1f} MB")
    print(f"validate: {elapsed:.2f} s ({elapsed / count * 1000:.1f} ms per plan)")
    print(f"peak memory of the process: {peak_mb:.0f} MB")


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 500)
