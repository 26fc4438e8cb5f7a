"""Approvals against the plans' git history (history.py, analysis/stale.py).

Golden cases in cases/history/ (see its README): each a small history of
one plan, made into a git repository here, and the exact lint output."""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

import pytest
import yaml

from conftest import CASES
from site_helpers import AS_OF, plangen

HERE = CASES / "history"
CLEAN = (CASES / "lint" / "clean.yaml").read_text(encoding="utf-8")
NAMES = sorted(p.stem for p in HERE.glob("*.yaml"))


def git(repo: Path, *args: str, day: str = "2026-11-01") -> str:
    stamp = f"{day}T12:00:00+00:00"
    env = {**os.environ, "GIT_AUTHOR_NAME": "Plan author", "GIT_AUTHOR_EMAIL": "author@example.com",
           "GIT_COMMITTER_NAME": "Plan author", "GIT_COMMITTER_EMAIL": "author@example.com",
           "GIT_AUTHOR_DATE": stamp, "GIT_COMMITTER_DATE": stamp, "GIT_CONFIG_GLOBAL": os.devnull,
           "GIT_CONFIG_NOSYSTEM": "1"}
    done = subprocess.run(["git", "-C", str(repo), *args], env=env, capture_output=True, text=True, check=True)
    return done.stdout


def make_repo(root: Path, name: str) -> Path:
    """The case's commits, one per entry, into a new repository at `root`."""
    repo = root / "repo"
    (repo / "plans").mkdir(parents=True)
    shutil.copytree(CASES / "site_config", repo / "site_config")
    git(repo, "init", "-q", "-b", "main")
    for commit in yaml.safe_load((HERE / f"{name}.yaml").read_text(encoding="utf-8")):
        text = CLEAN
        for old, new in commit["replace"]:
            assert text.count(old) == 1, (name, old)
            text = text.replace(old, new)
        (repo / "plans" / "plan.yaml").write_text(text, encoding="utf-8")
        day = str(commit["day"])
        git(repo, "add", "-A", day=day)
        git(repo, "commit", "-q", "-m", commit["message"], day=day)
    return repo


@pytest.mark.parametrize("name", NAMES)
def test_history_case(name: str, tmp_path: Path, update_goldens: bool) -> None:
    repo = make_repo(tmp_path, name)
    result = plangen("lint", "--as-of", AS_OF, cwd=repo)
    expected = HERE / f"{name}.out"
    if update_goldens:
        expected.write_text(result.stdout, encoding="utf-8")
    assert result.stdout == expected.read_text(encoding="utf-8")
    assert "not checked against" not in result.stderr
    stale = "approval-stale" in result.stdout
    assert stale != name.endswith("-passes")


def test_the_finding_names_the_change_and_the_commits(tmp_path: Path) -> None:
    repo = make_repo(tmp_path, "traffic-raised")
    first, second = git(repo, "log", "--format=%H", "--reverse").split()
    (line,) = [x for x in plangen("lint", "--as-of", AS_OF, cwd=repo).stdout.splitlines() if "approval-stale" in x]
    assert "approval 'cab-pilot' was decided on 2026-11-10" in line
    assert f"at commit {first[:7]}" in line and f"since: {second[:7]}" in line
    assert "phase pilot traffic 10% -> 25%" in line and "phase pilot regions uk -> uk, ie" in line


def test_an_uncommitted_change_counts_too(tmp_path: Path) -> None:
    repo = make_repo(tmp_path, "narrowed-passes")
    plan = repo / "plans" / "plan.yaml"
    plan.write_text(plan.read_text(encoding="utf-8").replace("      traffic: 5\n", "      traffic: 40\n", 1),
                    encoding="utf-8")
    out = plangen("lint", "--as-of", AS_OF, cwd=repo).stdout
    assert "phase pilot traffic 10% -> 40%" in out and "since" not in out.split("approval-stale", 1)[1].split(":")[0]


@pytest.mark.parametrize("where", ["no-git", "shallow"])
def test_without_history_it_says_so_once_and_stays_quiet(tmp_path: Path, where: str) -> None:
    repo = make_repo(tmp_path, "traffic-raised")
    if where == "no-git":
        shutil.rmtree(repo / ".git")
        reason = "the plans are not in a git repository"
    else:
        clone = tmp_path / "clone"
        subprocess.run(["git", "clone", "-q", "--depth", "1", f"file://{repo}", str(clone)], check=True)
        repo, reason = clone, "this is a shallow clone"
    result = plangen("lint", "--as-of", AS_OF, cwd=repo, env={"GIT_CEILING_DIRECTORIES": str(tmp_path)})
    assert "approval-stale" not in result.stdout
    assert result.stderr.count("approvals were not checked against the plans' history") == 1
    assert reason in result.stderr


def test_the_site_shows_a_stale_approval_in_the_matrix(tmp_path: Path) -> None:
    repo = make_repo(tmp_path, "traffic-raised")
    assert plangen("render", "--as-of", AS_OF, "--out", "out", cwd=repo).returncode == 0
    page = (repo / "out" / "docs" / "plans" / "plan" / "index.md").read_text(encoding="utf-8")
    row = next(line for line in page.splitlines() if "approval-cab-pilot" in line)
    assert "⚠️ **Stale**" in row
    first = git(repo, "log", "--format=%H", "--reverse").split()[0]
    stale = page.split("**Stale:** ", 1)[1].split(" |", 1)[0]
    assert stale == (f"decided at commit {first[:7]}; changed since&#58; phase pilot regions uk -&#62; uk, ie; "
                     "phase pilot traffic 10% -&#62; 25%")


def test_the_audit_pack_lists_every_approval_check_and_waiver_as_the_plan_and_its_history_say(tmp_path: Path) -> None:
    import hashlib
    import json

    repo = make_repo(tmp_path, "traffic-raised")
    first, second = git(repo, "log", "--format=%H", "--reverse").split()
    at_decision = subprocess.run(["git", "-C", str(repo), "show", f"{first}:plans/plan.yaml"], capture_output=True,
                                 check=True).stdout
    result = plangen("audit", "plan", "--format", "json", "--as-of", AS_OF, cwd=repo)
    assert result.returncode == 0, result.stderr
    pack = json.loads(result.stdout)
    plan = yaml.safe_load((repo / "plans" / "plan.yaml").read_text(encoding="utf-8"))
    now = (repo / "plans" / "plan.yaml").read_bytes()
    assert (pack["id"], pack["file"], pack["as_of"]) == ("plan", "plans/plan.yaml", AS_OF)
    assert pack["sha256"] == hashlib.sha256(now).hexdigest() and pack["commit"] == second
    assert [a["id"] for a in pack["approvals"]] == [a["id"] for a in plan["approvals"]]
    for got, want in zip(pack["approvals"], plan["approvals"]):
        assert got["approver"]["id"] == want["approver"] and got["gate_ids"] == want["before"]
        assert got["decided_on"] == str(want.get("decided_on") or "")
        assert got["expires_on"] == str(want.get("expires_on") or "")
        assert got["evidence"] == want.get("evidence") and got["conditions"] == want.get("conditions", [])
        decided = want.get("decided_on") is not None
        assert (got["commit"], got["sha256"]) == ((first, hashlib.sha256(at_decision).hexdigest()) if decided else ("", ""))
    stale = {a["id"]: a["stale"] for a in pack["approvals"]}
    assert stale == {"dpia": [], "cab-pilot": ["phase pilot regions uk -> uk, ie", "phase pilot traffic 10% -> 25%"],
                     "go-live": []}
    assert [(c["id"], c["status"], c["evidence"]) for c in pack["checks"]] == [
        (c["id"], c["status"], c.get("evidence")) for c in plan["validation"]]
    assert [(e["item"], e["where"], e["retain"]) for e in pack["evidence"]] == [
        (e["item"], e["where"], e["retain"]) for e in plan["evidence"]]
    assert [(w["rule"], w["approved_by"]["id"], w["reason"]) for w in pack["waivers"]] == [
        (w["rule"], w["approved_by"], w["reason"]) for w in plan.get("waivers", [])]
    lint = plangen("lint", "--format", "json", "--as-of", AS_OF, cwd=repo)
    assert [(f["rule"], f["line"]) for f in pack["findings"]] == [(f["rule"], f["line"]) for f in json.loads(lint.stdout)]
    # Deterministic, and written where asked.
    assert plangen("audit", "plan", "--format", "json", "--as-of", AS_OF, cwd=repo).stdout == result.stdout
    assert plangen("audit", "plans/plan.yaml", "--out", "packs", "--as-of", AS_OF, cwd=repo).returncode == 0
    text = (repo / "packs" / "plan.audit.md").read_text(encoding="utf-8")
    assert f"commit {first}, sha256 {hashlib.sha256(at_decision).hexdigest()}" in text
    assert "⚠️ **Changed since the decision:** phase pilot traffic 10% -&#62; 25%" in text
