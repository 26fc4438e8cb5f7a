"""Resource bounds: oversized input is refused quickly; oversized diagrams become tables."""

from __future__ import annotations

import time
from pathlib import Path

import pytest
import yaml

from conftest import REPO
from site_helpers import AS_OF, parse, plangen, project_copy

pytestmark = pytest.mark.slow


def test_a_plan_over_the_size_cap_is_refused_in_bounded_time(tmp_path: Path) -> None:
    project = project_copy(tmp_path)
    (project / "plans" / "huge.yaml").write_text("format: plangen/v1\nsummary: " + "x" * 3_000_000 + "\n")
    start = time.perf_counter()
    result = plangen("validate", cwd=project)
    assert result.returncode == 1
    assert "plans/huge.yaml:1:1: the file is 3000029 bytes, over the limit of 1048576" in result.stdout
    assert time.perf_counter() - start < 30


def test_a_diagram_over_mermaids_limits_becomes_a_table(tmp_path: Path) -> None:
    project = project_copy(tmp_path)
    # 100 phases (the most a plan may list), each after every phase before it:
    # 4,950 links, far over Mermaid's 500.
    phases = [{"id": f"p{i}", "name": f"Phase {i} of a very long rollout", "kind": "segment", "scope": "s",
               "duration": "1d", "exit_criteria": ["ok"], "after": [f"p{j}" for j in range(i)]} for i in range(100)]
    phases[0]["start"] = "2027-01-04"
    plan = yaml.safe_load((REPO / "plans" / "internal" / "meeting-notes-summariser.yaml").read_text())
    plan.update(id="long-rollout", title="Long rollout", risk="low")
    plan["rollout"]["phases"] = phases
    plan["approvals"][0]["before"] = ["p0"]
    plan["validation"][0]["before"] = ["p0"]
    plan["release_window"] = {"start": "2027-01-04", "end": "2028-12-31"}
    (project / "plans" / "long.yaml").write_text(yaml.safe_dump(plan), encoding="utf-8")
    start = time.perf_counter()
    result = plangen("build", "--as-of", AS_OF, "--out", "site", cwd=project)
    assert result.returncode == 0, result.stderr
    assert time.perf_counter() - start < 300
    page = parse(project / "site" / "plans" / "long-rollout" / "index.html")
    text = " ".join(page.text)
    assert "This diagram is too large to draw" in text
    assert "Phase 99 of a very long rollout" in text
    assert text.count("This diagram is too large to draw") == 1  # the flowchart: 4,950 links
    pres = [a for tag, a in page.elements if tag == "pre" and "mermaid" in (a.get("class") or "")]
    assert len(pres) == 2  # the timeline (under 50,000 characters) and the workflow are still drawn
