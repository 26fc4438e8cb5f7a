"""The command line as users and CI meet it: help, exit codes, output formats."""

from __future__ import annotations

import json
import re
import subprocess
import sys

import pytest

from conftest import CASES, REPO
from plangen import __version__
from plangen.cli import cli

VERBS = sorted(cli.commands)
BAD = CASES / "validate"


@pytest.mark.parametrize("verb", VERBS)
def test_every_verb_has_help(run, verb: str) -> None:
    result = run([verb, "--help"])
    assert result.exit_code == 0
    assert result.stdout.startswith(f"Usage: plangen {verb}")
    assert len(result.stdout.splitlines()) > 4


def test_top_level_help_lists_every_verb(run) -> None:
    result = run(["--help"])
    assert result.exit_code == 0
    for verb in VERBS:
        assert re.search(rf"^  {verb}\s+\S", result.stdout, flags=re.M)


@pytest.mark.parametrize("verb", VERBS)
def test_every_verb_is_documented(verb: str) -> None:
    docs = (REPO / "docs" / "cli.md").read_text(encoding="utf-8")
    assert f"## plangen {verb}" in docs


def test_python_dash_m_and_version() -> None:
    out = subprocess.run([sys.executable, "-m", "plangen", "--version"], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == f"plangen, version {__version__}"


def test_usage_errors_exit_2(run) -> None:
    assert run(["validate", "no/such/file.yaml"]).exit_code == 2
    assert run(["validate", "--format", "xml"]).exit_code == 2
    assert run(["no-such-verb"]).exit_code == 2


def test_clean_project_exits_0_and_findings_exit_1(run) -> None:
    assert run(["validate"]).exit_code == 0
    result = run(["validate", "--site-config", "../site_config", "after-cycle.yaml", "bad-enum.yaml"], cwd=BAD)
    assert result.exit_code == 1
    assert "2 errors in 2 files (3 files checked)" in result.stderr  # and site.yaml


def test_nothing_to_check_is_a_clear_error(run, tmp_path) -> None:
    result = run(["validate"], cwd=tmp_path)
    assert result.exit_code == 1
    assert "nothing to check" in result.stderr and "hint:" in result.stderr
    assert "Traceback" not in result.stderr


def test_all_problems_of_all_files_are_reported_at_once(run) -> None:
    names = ["bad-enum.yaml", "latin1.yaml", "unknown-person.yaml", "duplicate-key.yaml"]
    result = run(["validate", "--site-config", "../site_config", *names], cwd=BAD)
    reported = {line.split(":")[0] for line in result.stdout.splitlines() if not line.startswith(" ")}
    assert reported == set(names)


def test_json_format(run) -> None:
    result = run(["validate", "--format", "json", "--site-config", "../site_config",
                  "missing-required.yaml", "latin1.yaml"], cwd=BAD)
    assert result.exit_code == 1
    items = json.loads(result.stdout)
    assert len(items) == 6
    for item in items:
        assert {"file", "line", "col", "path", "message"} <= set(item)
        assert isinstance(item["line"], int) and isinstance(item["col"], int)
    assert items[-1] == {
        "file": "missing-required.yaml", "line": 1, "col": 1, "path": "title",
        "message": "required field 'title' is missing", "hint": "add 'title: ...' here (Plan title)",
        "severity": "error", "rule": None, "waiver": None,
    }


def test_json_format_of_a_clean_project_is_an_empty_list(run) -> None:
    result = run(["validate", "--format", "json"])
    assert (result.exit_code, json.loads(result.stdout)) == (0, [])


def test_github_format(run) -> None:
    result = run(["validate", "--format", "github", "--site-config", "../site_config", "traffic-over-100.yaml"],
                 cwd=BAD)
    assert result.exit_code == 1
    assert result.stdout == (
        "::error file=traffic-over-100.yaml,line=9,col=55,title=rollout.phases[0].traffic::"
        "must be at most 100, got '150'%0Ahint: traffic is a percentage of eligible volume, from 0 to 100\n"
    )


def test_github_format_escapes_commas_colons_and_newlines(run) -> None:
    result = run(["validate", "--format", "github", "--site-config", "../site_config", "site-config-refs"],
                 cwd=BAD)
    for line in result.stdout.splitlines():
        head, _, body = line.partition("::")[2].partition("::")
        assert re.fullmatch(r"error file=[^,:]+,line=\d+,col=\d+,title=[^,:]+", head), head
        assert "\n" not in body


def test_schema_is_json_schema_with_the_field_docs(run) -> None:
    result = run(["schema"])
    assert result.exit_code == 0
    schema = json.loads(result.stdout)
    assert schema["$schema"].startswith("https://json-schema.org/")
    assert schema["required"] == ["format", "title", "owner", "status", "risk", "rollout"]
    assert schema["properties"]["review_by"]["description"] == "The plan must be re-reviewed by then."
    phase = schema["$defs"]["Phase"]["properties"]
    assert phase["traffic"]["anyOf"][0] == {"maximum": 100.0, "minimum": 0.0, "type": "number"}
    assert "pattern" in phase["id"]


def test_site_schema(run) -> None:
    schema = json.loads(run(["schema", "--site"]).stdout)
    assert set(schema["properties"]) == {"site", "people", "teams", "roles", "automations", "freezes", "lint", "limits"}


def test_a_file_named_twice_is_read_once(run) -> None:
    result = run(["validate", "plans", "plans/finance/invoice-risk-review.yaml"])
    assert (result.exit_code, result.stdout) == (0, "")


def test_a_folder_without_plans_is_an_error_not_a_silent_pass(run, tmp_path) -> None:
    (tmp_path / "plans").mkdir()
    result = run(["validate", "plans"], cwd=tmp_path)
    assert result.exit_code == 1
    assert "plans: no plan files (*.yaml, *.yml) in this folder" in result.stderr


def test_no_value_can_print_a_line_of_its_own(run, tmp_path) -> None:
    """A title with line breaks (text may hold them) and a file name with a
    line break and an escape sequence: every command and format prints them
    escaped, so no plan can forge a workflow command or drive the terminal."""
    plans = tmp_path / "plans"
    plans.mkdir()
    forged = "\n::error file=x.yaml,line=1::Rollback APPROVED\n::stop-commands::tok"
    plan = (CASES / "lint" / "clean.yaml").read_text(encoding="utf-8")
    plan = plan.replace("title: ", 'title: "T' + forged.replace("\n", "\\n") + '" #', 1)
    (plans / "forged.yaml").write_text(plan, encoding="utf-8")
    (plans / "bad\n::error::x\x1b[2J.yaml").write_text("format: plangen/v1\n", encoding="utf-8")
    site = ["--site-config", str(CASES / "site_config")]
    for args in (["validate"], ["lint"], ["status"], ["validate", "--format", "github"],
                 ["validate", "--format", "json"], ["status", "--format", "json"]):
        result = run([*args, *site, "plans"], cwd=tmp_path)
        for line in (result.stdout + result.stderr).splitlines():
            assert not line.startswith("::") or args[-1] == "github" and line.startswith(("::error file=", "::warning file=")), (args, line)
            assert "\x1b" not in line, (args, line)


@pytest.mark.parametrize("verb", ["lint", "status", "render"])
def test_a_plan_failing_a_cross_check_is_reported_not_analysed(run, tmp_path, verb: str) -> None:
    """An unknown phase in `needed_for` used to reach a readiness rule and crash it."""
    case = CASES / "validate" / "unknown-phase-gated-by-dependency.yaml"
    args = [verb, "--as-of", "2026-11-22", "--site-config", str(CASES / "site_config"), str(case)]
    result = run(args + (["--out", str(tmp_path / "out")] if verb == "render" else []))
    assert result.exit_code == 1
    assert "unknown phase 'pilto'" in result.stdout
