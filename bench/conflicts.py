"""How the checks across plans grow: conflicts between phases and approvers' load.

Run: .venv/bin/python bench/conflicts.py [PLANS ...]   (default 100 1000)

For each count it generates the plan set of bench/portfolio.py (copies of
the examples on the same days, so every copy conflicts with every other
copy of the same example: the densest case there is), analyses it, and
times the footprints and the check across plans on their own. Then it
times the check on made-up phases (random days over a year, a hundred
shared things) from 10,000 to 1,000,000 phases, to show the growth: time
per phase should stay about flat (n log n). Numbers go to
docs/performance.md, never into tests.
"""

from __future__ import annotations

import random
import sys
import tempfile
import time
from datetime import date, timedelta
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from plangen.analysis import conflicts  # noqa: E402
from plangen.analysis.analyse import analyse  # noqa: E402
from plangen.analysis.conflicts import Due, Footprint, Use, Window, find, footprint  # noqa: E402
from plangen.project import load_project  # noqa: E402
from portfolio import AS_OF, generate  # noqa: E402


def plans(count: int) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        generate(count, root)
        project = load_project([root / "plans"], root / "site_config")
        analysis = analyse(project, date.fromisoformat(AS_OF))
        contexts = [p.context for p in analysis.plans]
        start = time.perf_counter()
        prints = [footprint(ctx) for ctx in contexts]
        made = time.perf_counter() - start
        start = time.perf_counter()
        result = find(prints, approvals_per_week=5)
        found = time.perf_counter() - start
        start = time.perf_counter()
        told = sum(len(conflicts.findings(result, fp, {})) for fp in prints)
        worded = time.perf_counter() - start
        phases = sum(len(fp.windows) for fp in prints)
        print(f"| {count} plans | {phases} | {made:.2f} s | {found:.2f} s | {worded:.2f} s | "
              f"{len(result.conflicts)} | {told} |")


def made_up(phases: int, seed: int = 1) -> None:
    rng = random.Random(seed)
    things = [Use("system", f"system {i}", f"System {i}") for i in range(100)]
    start_day = date(2027, 1, 1)
    prints = []
    for p in range(phases // 4):
        windows = []
        for n in range(4):
            first = start_day + timedelta(days=rng.randrange(365))
            windows.append(Window(f"ph{n}", f"Phase {n}", first, first + timedelta(days=rng.randrange(14)),
                                  ("rollout", "phases", n), 1, 1, tuple(rng.sample(things, 2))))
        due = (Due("cab", "CAB", f"approver-{rng.randrange(50)}", windows[0].first - timedelta(days=windows[0].first.weekday()),
                   ("approvals", 0), 1, 1),)
        prints.append(Footprint(f"plan-{p}", f"Plan {p}", f"plans/plan-{p}.yaml", tuple(windows), due))
    start = time.perf_counter()
    result = find(prints, approvals_per_week=5)
    took = time.perf_counter() - start
    print(f"| {phases} made-up phases | {took:.2f} s | {took / phases * 1e6:.1f} us | {len(result.overlaps)} overlaps |")


def main(counts: list[int]) -> None:
    print("| plans | phases | footprints | check | findings | conflicts | findings |")
    print("|---|---|---|---|---|---|---|")
    for count in counts:
        plans(count)
    print()
    print("| phases | check | per phase | found |")
    print("|---|---|---|---|")
    for phases in (10_000, 100_000, 1_000_000):
        made_up(phases)


if __name__ == "__main__":
    main([int(a) for a in sys.argv[1:]] or [100, 1000])
