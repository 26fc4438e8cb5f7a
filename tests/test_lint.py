"""`plangen lint` as CI and authors use it, and the analysis behind it."""

from __future__ import annotations

import json
from datetime import date

import pytest

from conftest import CASES, REPO
from plangen.analysis.analyse import analyse
from plangen.analysis.registry import PILLARS, rules
from plangen.analysis.score import overall, pillar_scores
from plangen.commands.lint import rules_markdown
from plangen.errors import Finding
from plangen.model.plan import RULE_IDS
from plangen.project import load_project

AS_OF = "2026-11-22"


def _lint(run, *args: str):
    return run(["lint", "--as-of", AS_OF, *args])


def test_examples_show_the_findings_their_authors_intended(run) -> None:
    result = _lint(run, "--format", "json")
    got = sorted((f["file"], f["rule"], f["severity"]) for f in json.loads(result.stdout))
    assert got == [
        # Sam Kowalski, the one release manager, has rollback authority over the invoice shadow run and
        # the checkout canary, which overlap on 1 and 2 December: a conflict across plans.
        ("plans/finance/invoice-risk-review.yaml", "conflict-person", "warning"),
        ("plans/finance/invoice-risk-review.yaml", "unused-waiver", "note"),  # the spec's own waiver
        ("plans/internal/meeting-notes-summariser.yaml", "monitoring-drift", "waived"),
        ("plans/internal/meeting-notes-summariser.yaml", "rollback-authority", "warning"),
        ("plans/internal/meeting-notes-summariser.yaml", "support-readiness", "warning"),
        *[("plans/platform/checkout-canary.yaml", "conflict-person", "warning")] * 3,  # one per phase
    ]
    assert result.exit_code == 0


def test_strict_fails_on_warnings(run) -> None:
    assert _lint(run, "--strict", "plans/internal").exit_code == 1
    assert _lint(run, "--strict", "plans/support").exit_code == 0


def test_waived_findings_carry_who_and_why_in_json(run) -> None:
    (waived,) = [f for f in json.loads(_lint(run, "--format", "json", "plans/internal").stdout)
                 if f["severity"] == "waived"]
    assert waived["waiver"] == {
        "approved_by": "release-manager",
        "reason": "Summaries are optional drafts; the discard rate is the only quality signal worth watching",
    }


def test_github_format(run) -> None:
    lines = _lint(run, "--format", "github", "plans/internal").stdout.splitlines()
    assert lines[0] == (
        "::warning file=plans/internal/meeting-notes-summariser.yaml,line=58,col=3,"
        "title=rollback-authority authority.rollback::rollback authority resolves to 1 person (kai.l); name a second"
    )
    assert lines[1].startswith("::notice ") and "%0Awaived by release-manager: " in lines[1]


def test_build_date_comes_from_source_date_epoch(run, monkeypatch) -> None:
    plan = "plans/finance/invoice-risk-review.yaml"
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1800000000")  # 2027-01-15T08:00Z: review_by passes the next day
    assert "review-stale" not in run(["lint", plan]).stdout
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1800100000")  # 2027-01-16
    result = run(["lint", plan])
    assert "11:1: warning review-stale: the plan was due for review on 2027-01-15" in result.stdout
    assert "(as of 2027-01-16)" in result.stderr


def test_bad_dates_are_usage_errors(run, monkeypatch) -> None:
    assert run(["lint", "--as-of", "22/11/2026"]).exit_code == 2
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "yesterday")
    result = run(["lint"])
    assert result.exit_code == 1 and "SOURCE_DATE_EPOCH" in result.stderr


def test_invalid_plans_are_reported_and_the_others_still_linted(run, tmp_path) -> None:
    plans = tmp_path / "plans"
    plans.mkdir()
    source = (REPO / "plans" / "internal" / "meeting-notes-summariser.yaml").read_text(encoding="utf-8")
    (plans / "ok.yaml").write_text(source, encoding="utf-8")
    (plans / "broken.yaml").write_text(source.replace("risk: low", "risk: lo"), encoding="utf-8")
    result = run(["lint", "--as-of", AS_OF, "--site-config", str(REPO / "site_config"), "plans"], cwd=tmp_path)
    assert result.exit_code == 1
    assert result.stdout.startswith("plans/broken.yaml:10:7: risk: expected one of low, medium, high, critical")
    assert "plans/ok.yaml:58:3: warning rollback-authority" in result.stdout


def test_explain_every_rule(run) -> None:
    for rule_id in RULE_IDS:
        result = run(["lint", "--explain", rule_id])
        assert result.exit_code == 0
        assert result.stdout.startswith(f"{rule_id} (")
        for part in ("Finds: ", "Why it matters: ", "How to fix: "):
            assert part in result.stdout


def test_explain_unknown_rule_is_a_usage_error(run) -> None:
    result = run(["lint", "--explain", "gate-opn"])
    assert result.exit_code == 2 and "did you mean 'gate-open'?" in result.stderr


def test_rules_page_is_generated_from_the_registry() -> None:
    assert (REPO / "docs" / "rules.md").read_text(encoding="utf-8") == rules_markdown(), "run make docs"


def test_every_rule_belongs_to_a_pillar_and_every_pillar_has_rules() -> None:
    assert list(rules()) == list(RULE_IDS)
    assert {r.pillar for r in rules().values()} == set(PILLARS)


def test_unknown_rule_in_site_config_is_a_validation_error(run) -> None:
    result = run(["validate", "--site-config", "../site_config", "unknown-lint-rule"],
                 cwd=CASES / "validate")
    assert result.exit_code == 1


def _finding(rule: str, severity: str) -> Finding:
    return Finding("f", 1, 1, "", "m", severity=severity, rule=rule)  # type: ignore[arg-type]


def test_scores() -> None:
    findings = [_finding("rollback-steps", "error"), _finding("rollback-authority", "warning"),
                _finding("phase-exit", "note"), _finding("audit-evidence", "waived")]
    scores = pillar_scores(findings, {}, lambda rule: rule.applies is None)  # a plan using no 1.1 part
    assert scores["rollback"] == 50  # (0 + 0.5 + 1) / 3
    assert pillar_scores(findings, {})["rollback"] == round(100 * 2.5 / 4)  # rollback-window counted too
    assert scores["rollout"] == 100 and scores["safeguards"] == 100
    assert overall(scores) == round((50 + 500) / 6)
    assert "safeguards" in pillar_scores([], {"validation-missing": "off"})
    assert pillar_scores([_finding("rollback-steps", "error")], {"rollback-steps": "off"})["rollback"] == 100


@pytest.fixture
def spec_analysis():
    def at(day: date):
        project = load_project([REPO / "plans" / "finance"], REPO / "site_config")
        return analyse(project, day).plans[0]
    return at


def test_go_no_go_per_phase(spec_analysis) -> None:
    decision = spec_analysis(date(2026, 11, 22)).decision
    gates = decision.phases
    assert gates["shadow"].go == "GO" and gates["shadow"].state == "next"
    assert [(b.kind, b.ref, b.who) for b in gates["pilot"].blockers] == [
        ("approval", "cab-pilot", "cab"), ("dependency", "sso-group", "iam-team")]
    assert gates["pilot"].go == "NO-GO" and gates["pilot"].state == "later"
    assert [b.text for b in gates["eu"].blockers] == ["approval 'Steering committee go decision' is pending"]
    assert (decision.next, decision.next_day, decision.go) == ("shadow", date(2026, 12, 1), "GO")


def test_go_no_go_sees_expiry_and_overdue(spec_analysis) -> None:
    gates = spec_analysis(date(2027, 5, 11)).decision.phases
    assert gates["shadow"].blockers[0].text == "approval 'Data protection impact assessment' expired on 2027-05-10"
    assert "overdue since 2026-11-28" in gates["pilot"].blockers[-1].text
    assert gates["shadow"].schedule == "late to start" and gates["shadow"].slip_days == 161
