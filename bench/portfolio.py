"""plangen at portfolio scale: every stage, timed against its floor, in one run.

Run: .venv/bin/python bench/portfolio.py [N ...] [--repeat R] [--write]
     (default N: 10 100 1000; R: 2)

For each N it generates a plan set (the example plans under new ids and
titles, spread over 10 folders, with their shared directory) and measures,
each in a process of its own, wall time and peak memory of:

- validate, lint, render (Markdown only), build (the whole site);
- bare: `mkdocs build` of the pages `plangen render` wrote, the cost of MkDocs
  + Material alone;
- floor: parsing the same YAML with the C loader and writing the files render
  writes (as many, as large, under the same names), the least any tool must
  do;
- rebuild: `plangen build` into the existing site after editing one plan:
  its summary (a text edit), then another's title (shown across plans too),
  then a third's first pending approval, granted (its go / no-go and the
  pending approvals change, and what the checks across plans read);
  EDITS (5) rounds of the three, or R if more, the median of each kind (a
  rebuild takes seconds: more rounds cost little and steady the median);
- serve: `plangen serve` on a loopback port, the summary edited three
  times: the median of the rebuild times the server reports (its first
  build is not timed).

build and bare alternate (R times each) and the medians are reported, so a
busy neighbour slows both alike. The ratios are the targets of
docs/performance.md; `--write` puts the table there.
"""

from __future__ import annotations

import json
import os
import platform
import re
import socket
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import yaml

REPO = Path(__file__).resolve().parent.parent
# As installed: Python's compiled bytecode is written and used (pip compiles on install), so a
# rebuild is not charged for compiling plangen's and MkDocs' sources again on every run.
ENV = {**{k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}, "NO_MKDOCS_2_WARNING": "1"}
AS_OF = "2026-11-22"
EDITS = 5  # rounds of edit-rebuilds
START, END = "<!-- bench/portfolio.py: start -->", "<!-- bench/portfolio.py: end -->"

FLOOR = """
import os, sys, yaml
from pathlib import Path
for path in sorted(Path(sys.argv[1]).rglob("*.yaml")):
    yaml.load(path.read_bytes(), Loader=yaml.CSafeLoader)
source, out = Path(sys.argv[2]), Path(sys.argv[3])
for path in sorted(p for p in source.rglob("*") if p.is_file()):
    target = out / path.relative_to(source)
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_bytes(b"x" * path.stat().st_size)
"""

def generate(count: int, root: Path) -> None:
    """`count` plans made from the examples, under new ids and titles. Copy
    i of an example is `<stem>-<batch>`; a reference to another plan points
    at the same batch's copy (batch 0's where this batch has none)."""
    sources = sorted((REPO / "plans").rglob("*.yaml"))
    stems = [s.stem for s in sources]
    shutil.copytree(REPO / "site_config", root / "site_config",
                    ignore=shutil.ignore_patterns("mkdocs.base.yml", "assets", "overrides"))
    for i in range(count):
        batch, source = divmod(i, len(sources))
        text = sources[source].read_text(encoding="utf-8")
        text = re.sub(r"^id: .*\n", "", text, flags=re.M)
        title = re.search(r"^title: (.*)$", text, flags=re.M)
        name = yaml.safe_load(title.group(1)) if title else "Plan"
        text = text.replace(title.group(0), f"title: {json.dumps(f'{name} ({i:04d})')}", 1) if title else text

        def ref(match: re.Match[str]) -> str:
            stem = match.group(2)
            if stem not in stems:
                return match.group(0)
            own = batch * len(sources) + stems.index(stem) < count
            return f"{match.group(1)}{stem}-{batch if own else 0:04d}"

        text = re.sub(r"^(\s+plan: )([a-z0-9-]+)", ref, text, flags=re.M)
        path = root / "plans" / f"group-{i % 10}" / f"{sources[source].stem}-{batch:04d}.yaml"
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")


def timed(args: list[str], cwd: Path) -> tuple[float, float]:
    """Seconds and peak memory (MB) of one command in a process of its own."""
    start = time.perf_counter()
    proc = subprocess.Popen(args, cwd=cwd, env=ENV, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    _, status, usage = os.wait4(proc.pid, 0)
    elapsed = time.perf_counter() - start
    if os.waitstatus_to_exitcode(status) not in ((0, 1) if args[2:4] == ["plangen", "lint"] else (0,)):  # lint: 1 on readiness errors
        raise SystemExit(f"{' '.join(args)} failed: {proc.stderr.read().decode()[-2000:] if proc.stderr else ''}")
    return elapsed, usage.ru_maxrss / 1024


def served(root: Path, edits: list[Path]) -> list[float]:
    """Seconds of each rebuild `plangen serve` reports, after each edit of
    `edits` (a file toggled by `toggle`), its first build not counted."""
    with socket.socket() as probe:  # a free loopback port
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    proc = subprocess.Popen(plangen("serve", "--port", str(port)), cwd=root, env=ENV, stdout=subprocess.DEVNULL,
                            stderr=subprocess.PIPE, text=True)
    times = []
    try:
        assert proc.stderr is not None
        for line in proc.stderr:
            if line.startswith("plangen: serving on"):
                break
        for path in edits:
            time.sleep(1.0)  # the watcher sees a change after the server is up
            toggle(path)
            for line in proc.stderr:
                if line.startswith("plangen: rebuilt in"):
                    times.append(float(line.split()[3]))
                    break
                if "still serving the last good version" in line:
                    raise SystemExit(f"serve could not rebuild: {line}")
    finally:
        proc.terminate()
        proc.wait(timeout=60)
    if len(times) != len(edits):
        raise SystemExit("serve ended before every rebuild was reported")
    return times


def toggle(path: Path) -> None:
    """An edit that shows on the plan's own pages only: a word of its summary."""
    text = path.read_text(encoding="utf-8")
    edited = re.sub(r"(?m)^(summary: [|>]-?\n\s+)(Reviewed again\. )?",
                    lambda m: m.group(1) + ("" if m.group(2) else "Reviewed again. "), text, count=1)
    path.write_text(edited, encoding="utf-8")


def grant(path: Path) -> bool:
    """An edit that shows across plans and may move the checks across plans:
    the plan's first pending approval granted (its go / no-go, the pending
    approvals page, the conflicts it gates). False when it has none."""
    text = path.read_text(encoding="utf-8")
    at = text.find("\napprovals:")
    if at < 0:
        return False
    end = re.compile(r"(?m)^\S").search(text, at + 2)  # the next top-level key: the approvals end there
    found = re.compile(r"(?m)^(\s+status: )pending\b").search(text, at, end.start() if end else len(text))
    if found is None:
        return False
    path.write_text(text[:found.start()] + found.group(1) + "granted" + text[found.end():], encoding="utf-8")
    return True


def plangen(*args: str) -> list[str]:
    dated = () if args[0] == "validate" else ("--as-of", AS_OF)  # validate does not judge dates
    return [sys.executable, "-m", "plangen", *args, *dated]


def folder_bytes(folder: Path) -> int:
    return sum(p.stat().st_size for p in folder.rglob("*") if p.is_file())


def measure(count: int, repeat: int) -> dict[str, tuple[float, float]]:
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        generate(count, root)
        out: dict[str, tuple[float, float]] = {}
        out["validate"] = timed(plangen("validate"), root)
        out["lint"] = timed(plangen("lint"), root)
        out["render"] = timed(plangen("render", "--out", "site-src"), root)
        out["floor"] = timed([sys.executable, "-c", FLOOR, "plans", "site-src", "floor-out"], root)
        builds, bares = [], []
        for i in range(repeat):  # alternating, so both see the same machine
            builds.append(timed(plangen("build", "--out", f"site-{i}"), root))
            bares.append(timed([sys.executable, "-m", "mkdocs", "build", "-q", "-f", "site-src/mkdocs.yml",
                                "-d", str(root / f"bare-{i}")], root))
        out["build"] = (statistics.median(t for t, _ in builds), max(m for _, m in builds))
        out["bare"] = (statistics.median(t for t, _ in bares), max(m for _, m in bares))
        # A text edit (a plan's summary: its own pages change), a title edit (the title is on the pages
        # across plans and in the sidebar of its section too) and an approval granted, each followed by
        # a rebuild; each kind EDITS times (another edit each time), the median reported.
        texted = next((root / "plans" / "group-1").glob("*.yaml"))
        edited = next((root / "plans" / "group-0").glob("*.yaml"))
        others = [path for path in sorted((root / "plans").rglob("*.yaml")) if path not in (texted, edited)]
        granting = sorted(others, key=lambda path: path.parent.name != "group-2")  # each round: the first with one pending
        assert re.search(r'(?m)^title: "', edited.read_text(encoding="utf-8"))
        rebuilds: dict[str, list[tuple[float, float]]] = {"text": [], "title": [], "approval": []}
        for i in range(max(EDITS, repeat)):
            toggle(texted)
            rebuilds["text"].append(timed(plangen("build", "--out", "site-0"), root))
            text = re.sub(r'(?m)^title: "(Edited \d+ )?', f'title: "Edited {i} ', edited.read_text(encoding="utf-8"), 1)
            edited.write_text(text, encoding="utf-8")
            rebuilds["title"].append(timed(plangen("build", "--out", "site-0"), root))
            assert any(grant(path) for path in granting), "no pending approval left to grant"
            rebuilds["approval"].append(timed(plangen("build", "--out", "site-0"), root))
        for kind, runs in rebuilds.items():
            out[f"rebuild ({kind} edit)"] = (statistics.median(t for t, _ in runs), max(m for _, m in runs))
        times = served(root, [texted] * 3)
        out["serve rebuild (text edit)"] = (statistics.median(times), 0.0)
        out["plans"] = (float(count), float(folder_bytes(root / "plans")))
        return out


def table(results: dict[int, dict[str, tuple[float, float]]]) -> str:
    stages = ("validate", "lint", "render", "floor", "build", "bare", "rebuild (text edit)", "rebuild (title edit)",
              "rebuild (approval edit)", "serve rebuild (text edit)")
    lines = ["| stage | " + " | ".join(f"{n} plans" for n in results) + " |",
             "|---|" + "---|" * len(results)]
    for stage in stages:
        cells = [f"{r[stage][0]:.1f} s" + (f", {r[stage][1]:.0f} MB" if r[stage][1] else "") for r in results.values()]
        lines.append(f"| {stage} | " + " | ".join(cells) + " |")
    ratios = (("build / bare (target < 1.0)", "build", "bare"), ("render / floor (target <= 3)", "render", "floor"),
              ("rebuild after a text edit / build (target <= 0.05)", "rebuild (text edit)", "build"),
              ("rebuild after a title edit / build (target <= 0.05)", "rebuild (title edit)", "build"),
              ("rebuild after an approval granted / build (target <= 0.05)", "rebuild (approval edit)", "build"),
              ("serve's rebuild after a text edit / build (target <= 0.05)", "serve rebuild (text edit)", "build"))
    for name, a, b in ratios:
        lines.append(f"| {name} | " + " | ".join(f"{r[a][0] / r[b][0]:.3f}" for r in results.values()) + " |")
    machine = f"{os.cpu_count()} cores, Python {platform.python_version()}, {platform.system()} {platform.machine()}"
    return "\n".join(lines) + (f"\n\nMeasured on {time.strftime('%Y-%m-%d')} ({machine}); medians of the alternating "
                               "builds and of the repeated edits.\n")


def write(text: str) -> None:
    page = REPO / "docs" / "performance.md"
    current = page.read_text(encoding="utf-8")
    if START in current:
        before, rest = current.split(START, 1)
        after = rest.split(END, 1)[1]
        current = before + START + "\n" + text + END + after
    else:
        current += f"\n## Portfolio scale\n\n{START}\n{text}{END}\n"
    page.write_text(current, encoding="utf-8")


def main(argv: list[str]) -> None:
    repeat = int(argv[argv.index("--repeat") + 1]) if "--repeat" in argv else 2
    counts = [int(a) for i, a in enumerate(argv) if a.isdigit() and (i == 0 or argv[i - 1] != "--repeat")]
    results = {}
    for count in counts or [10, 100, 1000]:
        print(f"bench: {count} plans...", file=sys.stderr, flush=True)
        results[count] = measure(count, repeat)
    text = table(results)
    print(text)
    if "--write" in argv:
        write(text)


if __name__ == "__main__":
    main(sys.argv[1:])
