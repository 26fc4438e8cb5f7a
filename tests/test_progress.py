"""Progress of long commands: bars on a terminal, a line per quarter in logs,
nothing with --quiet; MkDocs reports every page it builds."""

from __future__ import annotations

import os
import pty
import re
import subprocess
import sys
from pathlib import Path

import pytest

from conftest import REPO
from plangen.site import engine
from site_helpers import AS_OF, plangen, project_copy

pytestmark = pytest.mark.slow


def _portfolio(root: Path, total: int) -> Path:
    """The examples and copies of them under new ids: `total` plans in all, with their directory."""
    project = project_copy(root)
    sources = sorted((REPO / "plans").rglob("*.yaml"))
    for i in range(total - len(sources)):
        text = re.sub(r"^id: .*\n", "", sources[i % len(sources)].read_text(encoding="utf-8"), flags=re.M)
        (project / "plans" / f"copy-{i:03d}.yaml").write_text(text, encoding="utf-8")
    return project


def test_a_log_gets_a_line_per_quarter_of_a_long_stage(tmp_path: Path) -> None:
    project = _portfolio(tmp_path, 110)
    result = plangen("render", "--as-of", AS_OF, cwd=project, env={"CI": "true"})
    assert result.returncode == 0, result.stderr
    reading = re.findall(r"^plangen: reading plans: (\d+)/110$", result.stderr, flags=re.M)
    assert reading == ["1", "28", "55", "83", "110"]
    writing = re.findall(r"^plangen: writing pages: (\d+)/(\d+)$", result.stderr, flags=re.M)
    assert len(writing) == 5 and writing[-1][0] == writing[-1][1]


def test_quiet_prints_only_problems(tmp_path: Path) -> None:
    project = _portfolio(tmp_path, 110)
    result = plangen("render", "--quiet", "--as-of", AS_OF, cwd=project, env={"CI": "true"})
    assert (result.returncode, result.stderr) == (0, "")
    (project / "plans" / "copy-000.yaml").write_text("format: plangen/v1\ntitle: [\n", encoding="utf-8")
    broken = plangen("render", "--quiet", "--out", "again", "--as-of", AS_OF, cwd=project, env={"CI": "true"})
    assert broken.returncode == 1 and "plans/copy-000.yaml:" in broken.stdout and "nothing was written" in broken.stderr


def test_a_small_site_logs_no_progress(tmp_path: Path) -> None:
    result = plangen("render", "--as-of", AS_OF, cwd=project_copy(tmp_path), env={"CI": "true"})
    assert result.returncode == 0 and "reading plans" not in result.stderr and "writing pages" not in result.stderr


def test_a_terminal_gets_progress_bars(tmp_path: Path) -> None:
    project = _portfolio(tmp_path, 10)
    env = {k: v for k, v in os.environ.items() if k != "CI"} | {"NO_MKDOCS_2_WARNING": "1", "COLUMNS": "100"}
    leader, follower = pty.openpty()
    proc = subprocess.Popen([sys.executable, "-m", "plangen", "render", "--as-of", AS_OF], cwd=project, env=env,
                            stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=follower)
    os.close(follower)
    output = b""
    while True:
        try:
            chunk = os.read(leader, 65536)
        except OSError:  # the child closed the terminal
            break
        if not chunk:
            break
        output += chunk
    os.close(leader)
    assert proc.wait(timeout=120) == 0
    text = output.decode("utf-8", errors="replace")
    assert "plangen: reading plans" in text and "plangen: writing pages" in text
    assert "100%" in text  # the bar reached its end


def test_mkdocs_reports_every_page_it_builds(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(engine, "_COST_PER_WORKER", 1)  # the pages are shared over two workers
    monkeypatch.setattr(engine, "cores", lambda: 2)
    project = project_copy(tmp_path)
    assert plangen("render", "--quiet", "--as-of", AS_OF, "--out", "src", cwd=project).returncode == 0
    pages = len(list((project / "src" / "docs").rglob("*.md")))
    heard: list[tuple[str, int, int]] = []
    engine.build(project / "src" / "mkdocs.yml", tmp_path / "site", strict=True,
                 progress=lambda stage, done, total: heard.append((stage, done, total)))
    assert heard[-1] == ("building pages", pages, pages)
    done = [d for _, d, _ in heard]
    # Reported as pages are built (this process counts its share for both workers), never backwards.
    assert done == sorted(done) and len(done) > pages // 3 and done[0] < pages // 2
