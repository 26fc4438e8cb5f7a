"""`plangen import argo-rollouts`: Argo Rollouts manifests (written here in
the shape of the project's published examples) become plans that validate
once the suggested automation is in site.yaml, with every placeholder and
every unmapped field listed. Golden files: tests/cases/import/<case>.out
hold the plan written and the report (refresh with --update-goldens)."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
import yaml

from conftest import CASES, REPO
from site_helpers import plangen

HERE = CASES / "import"
START = "2026-06-01"
AS_OF = "2026-05-20"
GOLDEN = ["canary-background", "canary-step", "blue-green", "experiment", "bundle", "unknown-steps"]


@pytest.fixture
def project(tmp_path: Path) -> Path:
    """A plan repository whose site.yaml has people and roles but no automations."""
    (tmp_path / "site_config").mkdir()
    shutil.copy(HERE / "site.yaml", tmp_path / "site_config" / "site.yaml")
    return tmp_path


def _files(project: Path, case: str) -> list[str]:
    shutil.copytree(HERE / case, project / case)
    return sorted(p.relative_to(project).as_posix() for p in (project / case).iterdir())


def _add_automation(project: Path, report: str) -> None:
    """Add what the import says to add to site.yaml (printed last), as a user would."""
    snippet = report[report.index("\nautomations:\n") + 1:]
    with (project / "site_config" / "site.yaml").open("a", encoding="utf-8") as site:
        site.write(snippet)


@pytest.mark.parametrize("case", GOLDEN)
def test_import_writes_the_plan_and_the_report_it_should(case: str, project: Path, run, update_goldens: bool) -> None:
    result = run(["import", "argo-rollouts", *_files(project, case), "--start", START], cwd=project)
    assert result.exit_code == 0, result.output
    (written,) = (project / "plans").iterdir()
    actual = written.read_text(encoding="utf-8") + "\n--- stderr ---\n" + result.stderr
    golden = HERE / f"{case}.out"
    if update_goldens:
        golden.write_text(actual, encoding="utf-8")
    assert actual == golden.read_text(encoding="utf-8")


@pytest.mark.parametrize("case", GOLDEN)
def test_the_plan_validates_once_the_suggested_automation_is_in_site_yaml(case: str, project: Path, run) -> None:
    result = run(["import", "argo-rollouts", *_files(project, case), "--start", START], cwd=project)
    before = run(["validate"], cwd=project)
    assert before.exit_code == 1 and "unknown person, team or role 'argo-rollouts'" in before.stdout
    _add_automation(project, result.stderr)
    after = run(["validate", "--strict"], cwd=project)
    assert after.exit_code == 0, after.output
    assert "1 plan valid" in after.stderr


def test_lint_runs_on_every_imported_plan_and_reports_the_todos(project: Path, run) -> None:
    files = [f for case in GOLDEN for f in _files(project, case)]
    result = run(["import", "argo-rollouts", *files, "--start", START], cwd=project)
    assert result.exit_code == 0, result.output
    _add_automation(project, result.stderr)
    lint = run(["lint", "--as-of", AS_OF], cwd=project)
    assert lint.exit_code in (0, 1) and f"in {len(GOLDEN)} plans" in lint.stderr, lint.output
    rules = {line.split(": ")[1].split(" ")[1] for line in lint.stdout.splitlines() if ": " in line}
    # The placeholders show as readiness findings, never as validation errors.
    assert {"rollback-steps", "support-escalation", "validation-missing", "phase-scope"} <= rules


def test_the_real_command_refuses_to_overwrite_unless_forced(project: Path) -> None:
    files = _files(project, "blue-green")
    first = plangen("import", "argo-rollouts", *files, "--start", START, cwd=project)
    assert first.returncode == 0, first.stderr
    assert "plangen: wrote plans/payments.yaml: Rollout/payments as a blue-green plan" in first.stderr
    plan = project / "plans" / "payments.yaml"
    plan.write_text("mine\n", encoding="utf-8")
    again = plangen("import", "argo-rollouts", *files, cwd=project)
    assert again.returncode == 1 and "plans/payments.yaml exists already" in again.stderr and "--force" in again.stderr
    assert plan.read_text(encoding="utf-8") == "mine\n"
    forced = plangen("import", "argo-rollouts", *files, "--start", START, "--force", cwd=project)
    assert forced.returncode == 0 and plan.read_text(encoding="utf-8").startswith("# Imported by")
    assert [p.name for p in plan.parent.iterdir()] == ["payments.yaml"]  # no temporary file left behind


def test_dash_prints_the_plan_and_writes_nothing(project: Path, run) -> None:
    result = run(["import", "argo-rollouts", *_files(project, "canary-step"), "-o", "-", "--risk", "high",
                  "--owner", "ana.p", "--start", START], cwd=project)
    assert result.exit_code == 0, result.output
    plan = yaml.safe_load(result.stdout)
    assert (plan["id"], plan["owner"], plan["risk"]) == ("search-api", "ana.p", "high")
    assert "owner:" not in result.stdout.split("format:")[0]  # chosen, so not a TODO
    assert not (project / "plans").exists()
    assert "plangen: printed Rollout/search-api" in result.stderr


def test_several_rollouts_make_one_plan_each_but_not_into_one_out(project: Path, run) -> None:
    files = _files(project, "canary-step") + _files(project, "blue-green")
    refused = run(["import", "argo-rollouts", *files, "--out", "plans/both.yaml"], cwd=project)
    assert refused.exit_code == 2 and "2 Rollouts" in refused.stderr
    result = run(["import", "argo-rollouts", *files, "--start", START], cwd=project)
    assert result.exit_code == 0, result.output
    assert sorted(p.name for p in (project / "plans").iterdir()) == ["payments.yaml", "search-api.yaml"]


def test_out_names_the_file_and_the_automation_may_already_exist(project: Path, run) -> None:
    site = project / "site_config" / "site.yaml"
    site.write_text(site.read_text(encoding="utf-8") + "automations:\n  rollouts-prod:\n    name: Argo Rollouts "
                    "(prod)\n    owner: shop-platform\n", encoding="utf-8")
    result = run(["import", "argo-rollouts", *_files(project, "bundle"), "--out", "plans/shop/web.yaml",
                  "--automation", "rollouts-prod", "--start", START], cwd=project)
    assert result.exit_code == 0, result.output
    assert "automations:" not in result.stderr  # nothing to add
    assert "decided_by: rollouts-prod" in (project / "plans" / "shop" / "web.yaml").read_text(encoding="utf-8")
    assert run(["validate", "--strict"], cwd=project).exit_code == 0


@pytest.mark.parametrize(("case", "code", "message"), [
    ("not-yaml.yaml", 1, "bad/not-yaml.yaml:9:1: not YAML: did not find expected ',' or '}', while parsing a "
                         "flow mapping at line 8"),
    ("no-strategy.yaml", 1, "bad/no-strategy.yaml:1: Rollout/no-strategy has no spec.strategy.canary or "
                            "spec.strategy.blueGreen"),
    ("missing.yaml", 2, "'missing.yaml' does not exist"),
])
def test_bad_input_is_refused_with_a_clear_message(case: str, code: int, message: str, project: Path, run) -> None:
    shutil.copytree(HERE / "bad", project / "bad")
    result = run(["import", "argo-rollouts", f"bad/{case}" if case != "missing.yaml" else case], cwd=project)
    assert result.exit_code == code
    assert message in result.stderr
    assert "Traceback" not in result.output and not (project / "plans").exists()


def test_files_plangen_will_not_read(project: Path, run) -> None:
    (project / "big.yaml").write_text("a: " + "x" * (2 * 1024 * 1024) + "\n", encoding="utf-8")
    (project / "latin1.yaml").write_bytes("name: caf\xe9\n".encode("latin-1"))
    (project / "alias.yaml").write_text("a: &x [1, 2]\nb: *x\n", encoding="utf-8")
    (project / "link.yaml").symlink_to(HERE / "bundle" / "all-in-one.yaml")
    (project / "prose.yaml").write_text("Just a note about the rollout.\n", encoding="utf-8")
    result = run(["import", "argo-rollouts", "big.yaml", "latin1.yaml", "alias.yaml", "link.yaml"], cwd=project)
    assert result.exit_code == 1
    for expected in ("big.yaml: over the limit of 2 MiB", "latin1.yaml:1: not UTF-8 (byte 0xE9)",
                     "alias.yaml:2:4: YAML aliases (*x) are not imported", "link.yaml: is a symbolic link"):
        assert expected in result.stderr
    prose = run(["import", "argo-rollouts", "prose.yaml"], cwd=project)
    assert prose.exit_code == 1 and "no Rollout (kind: Rollout, apiVersion: argoproj.io/v1alpha1) in prose.yaml" \
        in prose.stderr


def test_hostile_text_is_escaped_and_cut_not_written_raw(project: Path, run) -> None:
    rollout = {"apiVersion": "argoproj.io/v1alpha1", "kind": "Rollout",
               "metadata": {"name": "Index", "namespace": "a b; rm -rf /"},
               "spec": {"strategy": {"canary": {"steps": [{"setWeight": 10}, {"analysis": {"templates": [
                   {"templateName": "t"}]}}]}}}}
    template = {"apiVersion": "argoproj.io/v1alpha1", "kind": "AnalysisTemplate", "metadata": {"name": "t"},
                "spec": {"metrics": [{"name": "rate\u202e\x1b[31m", "successCondition": "x" * 3000,
                                      "provider": {"web": {"url": "https://example.com/"}}}]}}
    (project / "hostile.yaml").write_text(yaml.safe_dump_all([rollout, template]), encoding="utf-8")
    result = run(["import", "argo-rollouts", "hostile.yaml", "--start", START], cwd=project)
    assert result.exit_code == 0, result.output
    text = (project / "plans" / "index-item.yaml").read_text(encoding="utf-8")
    assert "\u202e" not in text and "\x1b" not in text and "\\u202e" in text
    assert "kubectl argo rollouts abort Index -n 'a b; rm -rf /'" in text
    assert "cut to 2000 characters (it had 3000)" in result.stderr
    _add_automation(project, result.stderr)
    assert run(["validate", "--strict"], cwd=project).exit_code == 0


def test_the_docs_example_is_real_output() -> None:
    page = (REPO / "docs" / "import.md").read_text(encoding="utf-8")
    shown = page.split("becomes (")[1].split("```yaml\n")[1].split("```")[0]
    assert shown in (HERE / "canary-step.out").read_text(encoding="utf-8")
    assert "setWeight: 5" in (HERE / "canary-step" / "rollout.yaml").read_text(encoding="utf-8")
