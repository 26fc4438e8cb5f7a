"""`plangen diff`: golden cases as data, git revisions, JSON, and the pure comparison.

`cases/diff/<name>/base/` and `head/` are two versions of some plans;
`text.out` and `markdown.out` hold the exact output of `plangen diff base
head` as of 2026-11-22 in those formats. `pytest --update-goldens` rewrites them.
"""

from __future__ import annotations

import html
import json
import re
import shlex
import shutil
import subprocess
from datetime import date
from pathlib import Path

import pytest
from markdown_it import MarkdownIt

from conftest import CASES, REPO
from plangen.analysis.analyse import analyse
from plangen.analysis.compare import compare
from plangen.project import load_project

HERE = CASES / "diff"
SITE = CASES / "site_config"
AS_OF = "2026-11-22"
NAMES = sorted(p.name for p in HERE.iterdir() if p.is_dir())
PLAN = "card-fraud-triage.yaml"


def _diff(run, *args: str, cwd: Path):
    return run(["diff", *args, "--as-of", AS_OF, "--site-config", str(SITE)], cwd=cwd)


@pytest.mark.parametrize("fmt", ["text", "markdown"])
@pytest.mark.parametrize("name", NAMES)
def test_diff_case(name: str, fmt: str, run, update_goldens: bool) -> None:
    result = _diff(run, "base", "head", "--format", fmt, cwd=HERE / name)
    assert result.exit_code == 0, result.output
    expected = HERE / name / f"{fmt}.out"
    if update_goldens:
        expected.write_text(result.stdout, encoding="utf-8")
    assert result.stdout == expected.read_text(encoding="utf-8")


@pytest.mark.parametrize("name", NAMES)
def test_markdown_reads_as_the_text_says(name: str) -> None:
    """Rendered, each bullet is exactly a line of the text output: escaping
    keeps every character and no plan text becomes markup."""
    tokens = MarkdownIt("commonmark").parse((HERE / name / "markdown.out").read_text(encoding="utf-8"))
    bullets, in_item = [], False
    for tok in tokens:
        in_item = {"list_item_open": True, "list_item_close": False}.get(tok.type, in_item)
        if in_item and tok.type == "inline":
            assert [c.type for c in tok.children or []] == ["text"], tok.children
            bullets.append(html.unescape(tok.content))
    text = (HERE / name / "text.out").read_text(encoding="utf-8")
    assert bullets == [line[2:] for line in text.splitlines() if line.startswith("  ")]


def test_the_cases_cover_what_reviewers_ask_about() -> None:
    """Each case shows the change it is named for (guards against a golden
    regenerated into saying nothing)."""
    said = {name: (HERE / name / "text.out").read_text(encoding="utf-8") for name in NAMES}
    assert "phase pilot traffic 10% -> 25%" in said["traffic-raised"]
    assert "phase eu added after pilot" in said["phase-added-after-pilot"]
    assert "approval cab-pilot removed" in said["approval-removed"]
    assert "rollback step 2 owner changed from ml-platform to on-call-ml" in said["rollback-owner-changed"]
    assert "new release-critical dependency sso-group" in said["new-release-critical-dependency"]
    assert "go/no-go of pilot: GO -> NO-GO" in said["go-no-go-changed"]
    assert "readiness error added: rollback-steps" in said["lint-error-added"]
    assert said["file-moved"].count("\n  ") == 1 and "moved from card-fraud-triage.yaml to fraud/triage.yaml" in \
        said["file-moved"]
    assert "plan removed" in said["plan-added-and-removed"] and "plan added" in said["plan-added-and-removed"]
    assert said["formatting-only"] == ""


def test_exit_code_option(run) -> None:
    assert _diff(run, "base", "head", "--exit-code", cwd=HERE / "traffic-raised").exit_code == 1
    assert _diff(run, "base", "head", "--exit-code", cwd=HERE / "formatting-only").exit_code == 0


def test_json_is_parseable_and_typed(run) -> None:
    result = _diff(run, "base", "head", "--format", "json", cwd=HERE / "traffic-raised")
    assert result.exit_code == 0
    data = json.loads(result.stdout)
    assert (data["as_of"], data["base"], data["head"]) == (AS_OF, "base", "head")
    (plan,) = data["plans"]
    assert (plan["id"], plan["file"]) == ("card-fraud-triage", PLAN)
    traffic, go, lint = plan["changes"]
    assert traffic == {"plan": "card-fraud-triage", "kind": "changed", "subject": "phase pilot", "field": "traffic",
                       "before": 10, "after": 25, "text": "phase pilot traffic 10% -> 25%"}
    assert (go["subject"], go["before"], go["after"]) == ("go/no-go of pilot", "GO", "NO-GO")
    assert (lint["kind"], lint["field"]) == ("added", "approval-scope")


def test_two_files_compare_by_id_without_a_rename_line(run, tmp_path: Path) -> None:
    shutil.copy(HERE / "traffic-raised" / "head" / PLAN, tmp_path / "raised.yaml")
    result = _diff(run, str(HERE / "traffic-raised" / "base" / PLAN), "raised.yaml", cwd=tmp_path)
    assert result.exit_code == 0
    assert result.stdout == (HERE / "traffic-raised" / "text.out").read_text(encoding="utf-8").replace(
        f"({PLAN})", "(raised.yaml)")


def test_a_side_that_does_not_validate_exits_1_with_its_findings(run, tmp_path: Path) -> None:
    shutil.copytree(HERE / "traffic-raised", tmp_path, dirs_exist_ok=True)
    head = tmp_path / "head" / PLAN
    head.write_text(head.read_text(encoding="utf-8").replace("traffic: 25", "traffic: 250"), encoding="utf-8")
    result = _diff(run, "base", "head", cwd=tmp_path)
    assert result.exit_code == 1
    assert "head/card-fraud-triage.yaml:" in result.stdout and "traffic" in result.stdout
    assert "head: 1 validation error" in result.stderr


def test_plan_text_stays_text_in_markdown(run, tmp_path: Path) -> None:
    shutil.copytree(HERE / "traffic-raised", tmp_path, dirs_exist_ok=True)
    head = tmp_path / "head" / PLAN
    hostile = "'<img src=x onerror=alert(1)> **now** [all](https://evil.example) ::error::x'"
    head.write_text(head.read_text(encoding="utf-8").replace("scope: UK fraud desk, 8 analysts", f"scope: {hostile}"),
                    encoding="utf-8")
    result = _diff(run, "base", "head", "--format", "markdown", cwd=tmp_path)
    assert result.exit_code == 0, result.output
    rendered = MarkdownIt("commonmark").render(result.stdout)
    assert "<img" not in rendered and "<strong>" not in rendered and "<a " not in rendered
    assert html.escape("<img src=x onerror=alert(1)> **now** [all](https://evil.example)") in rendered
    text = _diff(run, "base", "head", cwd=tmp_path).stdout
    assert "  phase pilot scope 'UK fraud desk, 8 analysts' -> '<img src=x" in text
    assert not any(line.startswith("::") for line in text.splitlines())


def test_one_path_and_one_typo_is_a_clear_error(run) -> None:
    result = _diff(run, "base", "hed", cwd=HERE / "traffic-raised")
    assert result.exit_code == 1
    assert "hed: no such file or folder (and base is one)" in result.stderr


# -- git revisions ---------------------------------------------------------------

def _git(cwd: Path, *args: str) -> None:
    subprocess.run(["git", "-c", "user.name=t", "-c", "user.email=t@example.com", "-c", "commit.gpgsign=false",
                    *args], cwd=cwd, check=True, capture_output=True)


@pytest.fixture
def repo(tmp_path: Path) -> Path:
    """A project in git: plans/ and site_config/, two commits (pilot traffic
    raised and the file moved), then a working-tree edit not committed."""
    (tmp_path / "plans").mkdir()
    shutil.copytree(SITE, tmp_path / "site_config")
    shutil.copy(HERE / "traffic-raised" / "base" / PLAN, tmp_path / "plans" / PLAN)
    _git(tmp_path, "init", "-q", "-b", "main")
    _git(tmp_path, "add", ".")
    _git(tmp_path, "commit", "-q", "-m", "first")
    (tmp_path / "plans" / "fraud").mkdir()
    (tmp_path / "plans" / PLAN).rename(tmp_path / "plans" / "fraud" / "triage.yaml")
    shutil.copy(HERE / "traffic-raised" / "head" / PLAN, tmp_path / "plans" / "fraud" / "triage.yaml")
    _git(tmp_path, "add", "-A")
    _git(tmp_path, "commit", "-q", "-m", "second")
    moved = tmp_path / "plans" / "fraud" / "triage.yaml"
    moved.write_text(moved.read_text(encoding="utf-8").replace("owner: ml-platform\n", "owner: on-call-ml\n"),
                     encoding="utf-8")
    return tmp_path


def test_git_revisions(run, repo: Path) -> None:
    result = run(["diff", "HEAD~1", "HEAD", "--as-of", AS_OF], cwd=repo)
    assert result.exit_code == 0, result.output
    assert result.stdout == (
        "card-fraud-triage (plans/fraud/triage.yaml)\n"
        "  plan file moved from plans/card-fraud-triage.yaml to plans/fraud/triage.yaml\n"
        "  phase pilot traffic 10% -> 25%\n"
        "  go/no-go of pilot: GO -> NO-GO (exceeds the scope of approval 'Change advisory board, pilot': "
        "traffic 25% (approved: 10%))\n"
        "  readiness error added: approval-scope: phase 'pilot' exceeds approval 'cab-pilot': traffic 25% "
        "(approved: 10%)\n"
    )
    assert "from HEAD~1 to HEAD" in result.stderr
    docs = (REPO / "docs" / "cli.md").read_text(encoding="utf-8")
    section = docs[docs.index("## plangen diff"):]
    assert re.search(r"```text\n(.*?)```", section[section.index("in the words"):], flags=re.S).group(1) == result.stdout


def test_git_revision_against_the_working_tree(run, repo: Path) -> None:
    result = run(["diff", "HEAD", "--as-of", AS_OF], cwd=repo)
    assert result.exit_code == 0, result.output
    assert result.stdout == ("card-fraud-triage (plans/fraud/triage.yaml)\n"
                             "  rollback step 2 owner changed from ml-platform to on-call-ml\n")
    whole = run(["diff", "HEAD~1", "--as-of", AS_OF, "--format", "json"], cwd=repo)
    texts = [c["text"] for c in json.loads(whole.stdout)["plans"][0]["changes"]]
    assert "phase pilot traffic 10% -> 25%" in texts
    assert "rollback step 2 owner changed from ml-platform to on-call-ml" in texts
    assert "from HEAD~1 to the working tree" in whole.stderr


def test_a_revision_without_plans_has_every_plan_added(run, repo: Path) -> None:
    empty = subprocess.run(["git", "hash-object", "-t", "tree", "/dev/null"], cwd=repo, check=True,
                           capture_output=True, text=True).stdout.strip()
    _git(repo, "tag", "empty", subprocess.run(
        ["git", "-c", "user.name=t", "-c", "user.email=t@example.com", "commit-tree", empty, "-m", "empty"],
        cwd=repo, check=True, capture_output=True, text=True).stdout.strip())
    result = run(["diff", "empty", "HEAD", "--as-of", AS_OF], cwd=repo)
    assert result.exit_code == 0, result.output
    assert "plan added: 'Card fraud triage assistant'" in result.stdout


def test_unknown_revision_and_not_a_repository(run, repo: Path, tmp_path_factory: pytest.TempPathFactory) -> None:
    result = run(["diff", "no-such-branch", "--as-of", AS_OF], cwd=repo)
    assert result.exit_code == 1
    assert "unknown revision 'no-such-branch'" in result.stderr
    result = run(["diff", "--as-of", AS_OF, "--", "--output=x"], cwd=repo)
    assert (result.exit_code, result.stderr.count("is not a revision")) == (1, 1)
    outside = tmp_path_factory.mktemp("not-a-repo")
    result = run(["diff", "main"], cwd=outside)
    assert result.exit_code == 1
    assert "not inside a git repository" in result.stderr


# -- the comparison itself -----------------------------------------------------

def _analysed(folder: Path):
    return analyse(load_project([folder], SITE), date.fromisoformat(AS_OF))


def test_comparing_a_version_with_itself_finds_nothing() -> None:
    for folder in (REPO / "plans", HERE / "phase-added-after-pilot" / "head"):
        assert compare(_analysed(folder), _analysed(folder)) == ()


def test_changes_are_symmetric_in_count_and_ordered_by_plan_id() -> None:
    a, b = _analysed(HERE / "plan-added-and-removed" / "base"), _analysed(HERE / "plan-added-and-removed" / "head")
    forward, backward = compare(a, b), compare(b, a)
    # The plans are made from one template (same days, same dependency and people), so the plan
    # that stays swaps its conflicts with the removed plan for conflicts with the added one.
    assert [p.plan for p in forward] == ["card-fraud-triage", "kb-search", "reply-drafts"] == [p.plan for p in backward]
    assert [c.kind for p in forward[1:] for c in p.changes] == ["removed", "added"]
    assert [c.kind for p in backward[1:] for c in p.changes] == ["added", "removed"]
    assert sorted(c.kind for c in forward[0].changes) == sorted(c.kind for c in backward[0].changes)
    assert len(forward[0].changes) == 6


@pytest.mark.parametrize("template", ["github-workflow.yml", "gitlab-ci.yml"])
def test_the_ci_templates_run_diff_as_it_is_documented(template: str, run, repo: Path) -> None:
    """Every `plangen diff` line of the starter CI, with the CI's base
    revision variable standing for HEAD~1, runs and tells the change."""
    text = (REPO / "plangen" / "starter" / template).read_text(encoding="utf-8")
    lines = re.findall(r"plangen (diff [^>|\n]*)", text)
    assert lines
    for line in lines:
        line = re.sub(r'"[^"]*(\$\{\{ github\.base_ref \}\}|\$CI_MERGE_REQUEST_DIFF_BASE_SHA)[^"]*"', "HEAD~1", line)
        result = run([*shlex.split(line), "--as-of", AS_OF], cwd=repo)
        assert result.exit_code == 0, (line, result.output)
        assert "phase pilot traffic 10% -&#62; 25%" in result.stdout or "phase pilot traffic 10% -> 25%" in result.stdout
