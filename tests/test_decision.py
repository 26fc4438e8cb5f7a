"""The decision model: golden whole-plan cases, and proof that lint, `status`,
plans.json, calendar.ics and the pages say the same about every phase.

`cases/decision/<name>.yaml` is a plan in a realistic state; `<name>.out`
holds, as of 2026-11-22, the exact output of `plangen status`, of `plangen
lint`, and the decision card of its plan page. `pytest --update-goldens`
rewrites the .out files.
"""

from __future__ import annotations

import html
import json
import re
from pathlib import Path

import pytest
from markdown_it import MarkdownIt

from conftest import CASES, REPO
from plangen.commands.pipeline import Generated, generate

HERE = CASES / "decision"
AS_OF = "2026-11-22"
SITE = REPO / "site_config"
NAMES = sorted(p.stem for p in HERE.glob("*.yaml"))


def _generate(paths: list[Path], site_config: Path) -> Generated:
    from datetime import date

    result = generate(paths, site_config, as_of=date.fromisoformat(AS_OF), offline=False, strict=False,
                      templates=REPO / "no-user-templates")
    assert isinstance(result, Generated), result
    return result


def _card(page: str) -> str:
    """The decision card: from its admonition line to the explanation under it."""
    start = page.index("\n!!! ") + 1
    return page[start:page.index("\n*Go / no-go says", start)].rstrip() + "\n"


@pytest.mark.parametrize("name", NAMES)
def test_decision_case(name: str, run, update_goldens: bool) -> None:
    args = ["--as-of", AS_OF, "--site-config", str(SITE), f"{name}.yaml"]
    status = run(["status", *args], cwd=HERE)
    lint = run(["lint", *args], cwd=HERE)
    assert status.exit_code == 0, status.output
    generated = _generate([HERE / f"{name}.yaml"], SITE)
    plan_id = generated.analysis.plans[0].context.plan.id
    card = _card(str(generated.files[f"docs/plans/{plan_id}/index.md"]))
    actual = f"== status\n{status.stdout}== lint\n{lint.stdout}== card\n{card}"
    expected_file = HERE / f"{name}.out"
    if update_goldens:
        expected_file.write_text(actual, encoding="utf-8")
    assert actual == expected_file.read_text(encoding="utf-8")


# -- agreement -------------------------------------------------------------------

def _projects() -> list[tuple[str, list[Path], Path]]:
    lint_cases = CASES / "lint"
    out = [("examples", [REPO / "plans"], SITE)]
    out += [(f"decision/{n}", [HERE / f"{n}.yaml"], SITE) for n in NAMES]
    out += [(f"lint/{p.name}", [p], CASES / "site_config") for p in sorted(lint_cases.glob("*.yaml"))]
    return out


def _cells(markdown: str, heading: str) -> list[list[str]]:
    """The body rows of the first table after a heading, as cell texts."""
    tokens = MarkdownIt("commonmark").enable("table").parse(markdown[markdown.index(heading):])
    rows: list[list[str]] = []
    in_body = False
    for tok in tokens:
        if tok.type == "tbody_open":
            in_body = True
        elif tok.type == "tbody_close":
            return rows
        elif in_body and tok.type == "tr_open":
            rows.append([])
        elif in_body and tok.type == "inline":
            rows[-1].append(tok.content)
    return rows


def _phases_named(findings: list[dict[str, object]], rule: str) -> set[str]:
    return {re.match(r"phase '([a-z0-9-]+)'", str(f["message"])).group(1)  # type: ignore[union-attr]
            for f in findings if f["rule"] == rule}


@pytest.mark.parametrize(("label", "paths", "site"), _projects(), ids=[p[0] for p in _projects()])
def test_lint_status_exports_and_pages_agree(label: str, paths: list[Path], site: Path, run) -> None:
    generated = _generate(paths, site)
    exported = {p["id"]: p for p in json.loads(generated.exports["plans.json"])["plans"]}
    status = run(["status", "--format", "json", "--as-of", AS_OF, "--site-config", str(site), *map(str, paths)])
    stated = {p["id"]: p for p in json.loads(status.stdout)["plans"]}
    lint = json.loads(run(["lint", "--format", "json", "--as-of", AS_OF, "--site-config", str(site),
                           *map(str, paths)]).stdout)
    home = _cells(str(generated.files["docs/index.md"]), "## Plans")
    ics = generated.exports["calendar.ics"].replace("\r\n ", "").replace("\\;", ";").replace("\\,", ",")
    assert exported.keys() == stated.keys() and exported
    for plan_id, plan in exported.items():
        phases = plan["phases"]
        assert phases == stated[plan_id]["phases"] and plan["decision"] == stated[plan_id]["decision"]
        # lint reports exactly the open gates and the slips the model found
        mine = [f for f in lint if f["file"] == plan["file"]]
        assert _phases_named(mine, "gate-open") == {p["id"] for p in phases if p["open_gates"]}
        assert _phases_named(mine, "schedule-slip") == {p["id"] for p in phases if p["slip_days"]}
        # the plan page's phase table: a verdict where judged, an outcome otherwise
        page = str(generated.files[f"docs/plans/{plan_id}/index.md"])
        rows = _cells(page, "### Phases")
        assert len(rows) == len(phases)
        for row, phase in zip(rows, phases):
            verdict = row[-1]
            if phase["go"] == "GO":
                assert "✅ GO" in verdict and "NO-GO" not in verdict, (phase, verdict)
            elif phase["go"] == "NO-GO":
                assert "⛔ NO-GO" in verdict, (phase, verdict)
            else:
                assert "GO" not in verdict and "Ready" not in verdict and "Blocked" not in verdict, (phase, verdict)
            assert phase["state"] not in ("done", "skipped", "rolled-back", "live") or phase["go"] is None
        # the home page's go/no-go column is the next phase's verdict
        row = next(r for r in home if f"plans/{plan_id}/index.md)" in r[0])
        go = plan["decision"]["go"]
        assert row[3] == {"GO": "✅ GO", "NO-GO": "⛔ NO-GO", None: "none to judge"}[go], (plan_id, row)
        # the calendar tells the same verdict or outcome for each dated phase
        for phase in phases:
            if phase["first_day"]:
                event = ics.split(f"UID:{plan_id}.{phase['id']}@plangen", 1)[1].split("END:VEVENT", 1)[0]
                said = event.split("DESCRIPTION:", 1)[1]
                if phase["go"] == "GO":
                    assert re.search(r"(?<!NO-)\bGO\b", said), (plan_id, phase["id"], said)
                elif phase["go"] == "NO-GO":
                    assert "NO-GO" in said, (plan_id, phase["id"], said)
                else:
                    assert "GO" not in said, (plan_id, phase["id"], said)


def test_open_work_pages_leave_out_history() -> None:
    """Dependencies and approvals of finished phases, or of a plan that is
    over, are not listed as open work."""
    generated = _generate([HERE / "complete.yaml", HERE / "rolled-back.yaml"], SITE)
    dependencies = str(generated.files["docs/dependencies.md"])
    approvals = str(generated.files["docs/approvals.md"])
    assert "Wiki plugin slot" not in dependencies and "Data processing agreement" not in dependencies
    assert "AI governance board" not in approvals


def test_a_comment_one_space_after_a_value_is_reported(run, tmp_path: Path) -> None:
    plan = (REPO / "plans" / "finance" / "invoice-risk-review.yaml").read_text(encoding="utf-8")
    plan = plan.replace("expect: Scores disappear from the AP UI within one minute",
                        "expect: Notice posted in #fraud-ops\n      time: 5m  # two spaces: a real comment")
    plan = plan.replace("      time: 5m\n    - do: Redeploy", "    - do: Redeploy", 1)
    (tmp_path / "plan.yaml").write_text(plan, encoding="utf-8")
    args = ["--site-config", str(SITE), "plan.yaml"]
    line = plan[: plan.index("in #fraud-ops")].count("\n") + 1
    plain = run(["validate", *args], cwd=tmp_path)
    assert plain.exit_code == 0
    assert plain.stdout.startswith(f"plan.yaml:{line}:32: rollback.steps[0].expect: the text '#fraud-ops' after")
    assert plain.stdout.count("read as a YAML comment") == 1  # the two-space comment stays quiet
    assert run(["validate", "--strict", *args], cwd=tmp_path).exit_code == 1


def test_runbooks_say_how_to_reach_people_and_who_stands_in(tmp_path: Path) -> None:
    """On call first, then the contact, then people with tel: and mailto:
    links; a step or trigger with no owner names the incident owner."""
    plan = (HERE / "slipped.yaml").read_text(encoding="utf-8")
    plan = plan.replace("owner: sre-on-call, command: helm", "command: helm")  # a step with no owner
    (tmp_path / "plan.yaml").write_text(plan, encoding="utf-8")
    generated = _generate([tmp_path / "plan.yaml"], SITE)
    book = html.unescape(str(generated.files["docs/plans/plan/runbook.md"]))  # entities: escaped plan text
    reach = ("On call: pagerduty:platform-sre · Contact: [+44 20 7946 0958](tel:+442079460958) · "
             "Raj Patel: x4471, [raj.p@example.com](mailto:raj.p@example.com)")  # an extension is not a tel: link
    assert reach in book
    step = book[book.index("### Step 1:"):]
    assert step.index("[SRE on-call engineer]") < step.index("no owner named: the incident owner stands in")
    assert "{ #step-1 }" in book and "pg-clear-ticks" in book


def test_an_empty_runbook_opens_with_whom_to_call(run, tmp_path: Path) -> None:
    plan = (HERE / "slipped.yaml").read_text(encoding="utf-8")
    plan = plan[: plan.index("\nrollback:\n") + 1] + plan[plan.index("\nsupport:\n") + 1:]
    (tmp_path / "plan.yaml").write_text(plan, encoding="utf-8")
    generated = _generate([tmp_path / "plan.yaml"], SITE)
    book = str(generated.files["docs/plans/plan/runbook.md"])
    assert book.index('!!! danger "Incomplete runbook') < book.index("- **Incident owner:**") < book.index("## Triggers")
    assert "**Escalation level 1:** [Platform SRE]" in book
    index = str(generated.files["docs/runbooks.md"])
    assert "⚠️ **incomplete**" in index
    lint = run(["lint", "--as-of", AS_OF, "--site-config", str(SITE), "plan.yaml"], cwd=tmp_path)
    assert lint.exit_code == 1
    assert "error rollback-triggers" in lint.stdout and "error rollback-steps" in lint.stdout
