"""The docs keep up with the tool: their examples run and their output is real."""

from __future__ import annotations

import re

from conftest import REPO

README = (REPO / "README.md").read_text(encoding="utf-8")


def _blocks(text: str, lang: str) -> list[str]:
    return re.findall(rf"```{lang}\n(.*?)```", text, flags=re.S)


def test_readme_plan_example_is_valid(run, tmp_path) -> None:
    (plan,) = [b for b in _blocks(README, "yaml") if b.startswith("format: plangen/v1")]
    (tmp_path / "readme-example.yaml").write_text(plan, encoding="utf-8")
    result = run(["validate", "--site-config", str(REPO / "site_config"), "readme-example.yaml"], cwd=tmp_path)
    assert (result.exit_code, result.stdout) == (0, "")


def test_readme_error_example_is_real_output(run, tmp_path) -> None:
    shown = _blocks(README, "text")[0]
    source = (REPO / "plans" / "finance" / "invoice-risk-review.yaml").read_text(encoding="utf-8")
    folder = tmp_path / "plans" / "finance"
    folder.mkdir(parents=True)
    (folder / "invoice-risk-review.yaml").write_text(source.replace("exit_criteria", "exit_criterias", 1))
    result = run(["validate", "--site-config", str(REPO / "site_config"), "plans"], cwd=tmp_path)
    assert result.stdout == shown


def test_readme_gives_the_two_setup_commands_that_ci_runs() -> None:
    assert "make site" in README and "make test" in README
    ci = (REPO / ".ci" / "run").read_text(encoding="utf-8")
    assert "make site" in ci and "make test" in ci


def test_readme_lint_example_is_real_output(run) -> None:
    shown = _blocks(README, "text")[1]
    result = run(["lint", "--as-of", "2026-11-22", "plans/internal"])
    assert shown in result.stdout
