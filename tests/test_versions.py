"""Format versions: plangen/v1.1 adds to plangen/v1 and changes nothing in it."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from browser_helpers import open_page, serve, wait_for_diagrams
from conftest import REPO
from site_helpers import AS_OF, plangen, project_copy

pytestmark = pytest.mark.slow


def _pages(folder: Path) -> dict[str, str]:
    # An audit pack names the file's content hash, which the edited format line changes; nothing else may.
    return {p.relative_to(folder).as_posix(): re.sub(r"(?m)^- \*\*Content \(sha256\):\*\* \w+$", "",
                                                     p.read_text(encoding="utf-8"))
            for p in sorted(folder.rglob("*.md"))}


def test_a_v1_plan_read_as_v1_1_renders_the_same(tmp_path: Path) -> None:
    project = project_copy(tmp_path)
    assert plangen("render", "--quiet", "--as-of", AS_OF, "--out", "v1", cwd=project).returncode == 0
    v1 = [path for path in (project / "plans").rglob("*.yaml")
          if "\nformat: plangen/v1\n" in "\n" + path.read_text(encoding="utf-8")]
    assert len(v1) >= 4  # the examples written before 1.1
    for path in v1:
        text = path.read_text(encoding="utf-8")
        path.write_text(text.replace("format: plangen/v1\n", "format: plangen/v1.1\n", 1), encoding="utf-8")
    assert plangen("render", "--quiet", "--as-of", AS_OF, "--out", "v11", cwd=project).returncode == 0
    assert _pages(project / "v11" / "docs") == _pages(project / "v1" / "docs")


def _seconds_plan(project: Path) -> None:
    source = (REPO / "plans" / "finance" / "invoice-risk-review.yaml").read_text(encoding="utf-8")
    plan = source.replace("format: plangen/v1\n", "format: plangen/v1.1\n")
    plan = re.sub(r"duration: 5d .*", "duration: 90s", plan, count=1)  # the shadow phase
    plan = re.sub(r"(\n      time: )\S+", r"\g<1>40s", plan, count=1)  # the first rollback step
    assert "duration: 90s" in plan and "time: 40s" in plan
    (project / "plans" / "finance" / "invoice-risk-review.yaml").write_text(plan, encoding="utf-8")


def test_seconds_show_on_the_runbook_and_the_timeline(tmp_path: Path) -> None:
    project = project_copy(tmp_path)
    _seconds_plan(project)
    assert plangen("validate", cwd=project).returncode == 0
    result = plangen("render", "--quiet", "--as-of", AS_OF, "--out", "out", cwd=project)
    assert result.returncode == 0, result.stdout + result.stderr
    page = (project / "out" / "docs" / "plans" / "invoice-risk-review" / "index.md").read_text(encoding="utf-8")
    assert "dateFormat YYYY-MM-DD HH:mm:ss" in page
    assert ", 2026-12-01 00:00:00, 2026-12-01 00:01:30" in page  # the 90-second shadow phase
    assert not re.search(r":(?:\w+, )?\w+, \d{4}-\d\d-\d\d, ", page)  # every date in the one dateFormat
    runbook = (project / "out" / "docs" / "plans" / "invoice-risk-review" / "runbook.md").read_text(encoding="utf-8")
    assert "40 s" in runbook


def test_a_timeline_in_seconds_draws_every_bar(chromium, tmp_path: Path) -> None:
    """Mermaid reads every date with the chart's one format: a date written
    at another precision is dropped without a word (the freeze was)."""
    project = project_copy(tmp_path)
    _seconds_plan(project)
    assert plangen("build", "--quiet", "--as-of", AS_OF, "--out", "site", cwd=project).returncode == 0
    with serve(project / "site") as base:
        ctx, page, seen = open_page(chromium, base + "plans/invoice-risk-review/")
        wait_for_diagrams(page)
        bars = page.evaluate("""() => Array.from(document.querySelectorAll('div.mermaid')).map(d =>
            Array.from(d.shadowRoot.querySelectorAll('rect')).filter(r => /\\btask\\d*\\b/.test(r.getAttribute('class') || ''))
              .map(r => [r.getAttribute('class'), Number(r.getAttribute('width'))])).filter(b => b.length)""")
        ctx.close()
    assert seen["errors"] == []
    (timeline,) = bars
    assert len(timeline) == 5, timeline  # four phases and the year-end freeze
    assert all(width > 0 for _, width in timeline[1:]), timeline  # all but the 90-second phase have a length
