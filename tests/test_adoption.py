"""Starting from nothing: `plangen init`, `plangen new`, and the pre-commit hooks."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from itertools import product
from pathlib import Path

import pytest
import yaml

from conftest import REPO
from site_helpers import plangen

STRATEGIES = ["pilot", "phased", "shadow", "canary", "blue-green", "full"]
RISKS = ["low", "medium", "high", "critical"]


def test_init_makes_a_repository_that_builds_strictly(tmp_path: Path) -> None:
    repo = tmp_path / "plans-repo"
    made = plangen("init", str(repo))
    assert made.returncode == 0, made.stderr
    for name in ("plans/example.yaml", "site_config/site.yaml", ".gitignore", ".pre-commit-config.yaml",
                 ".github/workflows/plans.yml", ".gitlab-ci.yml", "plan.schema.json"):
        assert (repo / name).is_file(), name
    for ci in (".github/workflows/plans.yml", ".gitlab-ci.yml", ".pre-commit-config.yaml"):
        yaml.safe_load((repo / ci).read_text(encoding="utf-8"))  # each is YAML a CI service can read
    workflow = (repo / ".github/workflows/plans.yml").read_text(encoding="utf-8")
    assert "plangen validate --strict --format github" in workflow and "deploy-pages" in workflow
    assert "plangen diff --format markdown" in workflow
    built = plangen("build", "--strict", cwd=repo)
    assert built.returncode == 0, built.stderr
    assert (repo / "site" / "plans" / "example" / "runbook" / "index.html").is_file()


def test_init_refuses_a_folder_that_is_not_empty(tmp_path: Path) -> None:
    (tmp_path / "notes.txt").write_text("mine", encoding="utf-8")
    refused = plangen("init", str(tmp_path))
    assert refused.returncode == 1 and "is not empty (notes.txt)" in refused.stderr and "--force" in refused.stderr
    assert sorted(p.name for p in tmp_path.iterdir()) == ["notes.txt"]
    assert plangen("init", str(tmp_path), "--force").returncode == 0
    assert (tmp_path / "notes.txt").read_text(encoding="utf-8") == "mine"


def test_every_new_skeleton_validates_lists_its_gaps_and_builds(tmp_path: Path, run) -> None:
    repo = tmp_path / "repo"
    assert plangen("init", str(repo)).returncode == 0
    for strategy, risk in product(STRATEGIES, RISKS):
        made = run(["new", f"{strategy}-{risk}", "--strategy", strategy, "--risk", risk], cwd=repo)
        assert made.exit_code == 0, made.output
    first = (repo / "plans" / "canary-high.yaml").read_text(encoding="utf-8").splitlines()[0]
    assert first == "# yaml-language-server: $schema=../plan.schema.json"
    valid = run(["validate", "--strict"], cwd=repo)
    assert valid.exit_code == 0 and "25 plans valid" in valid.stderr, valid.output
    lint = run(["lint"], cwd=repo)
    for strategy, risk in product(STRATEGIES, RISKS):  # the gaps are findings until filled in
        mine = [line for line in lint.stdout.splitlines() if line.startswith(f"plans/{strategy}-{risk}.yaml:")]
        rules = {line.split(": ")[1].split(" ")[1] for line in mine}
        assert {"rollback-triggers", "rollback-steps", "rollback-authority", "validation-missing",
                "support-escalation"} <= rules, (strategy, risk, rules)
    assert "phase-scope" in lint.stdout and "phase-exit" in lint.stdout
    built = plangen("build", cwd=repo)  # drafts with findings still publish (not --strict)
    assert built.returncode == 0, built.stderr
    assert (repo / "site" / "plans" / "blue-green-critical" / "index.html").is_file()
    again = run(["new", "canary-high", "--strategy", "canary"], cwd=repo)
    assert again.exit_code == 1 and "exists already" in again.output


@pytest.mark.slow
def test_the_pre_commit_hooks_run_from_this_repository(tmp_path: Path) -> None:
    """pre-commit (from PyPI) installs plangen from this repository's HEAD and
    runs its hooks against a plan repository."""
    head = subprocess.run(["git", "rev-parse", "HEAD"], cwd=REPO, capture_output=True, text=True, check=True).stdout
    repo = tmp_path / "repo"
    assert plangen("init", str(repo)).returncode == 0
    (repo / ".pre-commit-config.yaml").write_text(
        f"repos:\n  - repo: {REPO}\n    rev: {head.strip()}\n"
        "    hooks: [{id: plangen-validate}, {id: plangen-lint}]\n", encoding="utf-8")
    env = {**os.environ, "PRE_COMMIT_HOME": str(tmp_path / "pre-commit-home"), "GIT_AUTHOR_NAME": "t",
           "GIT_AUTHOR_EMAIL": "t@example.com", "GIT_COMMITTER_NAME": "t", "GIT_COMMITTER_EMAIL": "t@example.com"}
    for args in (["init", "-q"], ["add", "-A"], ["commit", "-qm", "plans"]):
        subprocess.run(["git", *args], cwd=repo, check=True, env=env)
    pre_commit = [sys.executable, "-m", "pre_commit", "run", "--all-files"]
    ok = subprocess.run(pre_commit, cwd=repo, capture_output=True, text=True, env=env, timeout=900)
    assert ok.returncode == 0, ok.stdout + ok.stderr
    assert "plangen validate" in ok.stdout and "Passed" in ok.stdout
    plan = repo / "plans" / "example.yaml"
    plan.write_text(plan.read_text(encoding="utf-8").replace("traffic: 10", "trafic: 10"), encoding="utf-8")
    bad = subprocess.run(pre_commit, cwd=repo, capture_output=True, text=True, env=env, timeout=900)
    assert bad.returncode == 1
    assert "plans/example.yaml:" in bad.stdout and "unknown field 'trafic'" in bad.stdout
    shutil.rmtree(tmp_path / "pre-commit-home", ignore_errors=True)
