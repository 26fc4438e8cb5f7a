"""Golden readiness cases: each plan and the exact output of `plangen lint`.

`cases/lint/<name>.yaml` is a plan, or `<name>/` a folder with a plan and its
own site.yaml; `<name>.out` is the exact stdout of
`plangen lint --as-of 2026-11-22`. Case names say which rule fires, or, ending
in `-passes`, which narrowly does not. Exit code: 1 if any error, else 0.
`pytest --update-goldens` rewrites the .out files.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from conftest import CASES
from plangen.model.plan import RULE_IDS

HERE = CASES / "lint"
AS_OF = "2026-11-22"
NAMES = sorted(p.name for p in HERE.iterdir() if p.suffix != ".out")


def _expected_file(name: str) -> Path:
    return HERE / f"{Path(name).stem if name.endswith('.yaml') else name}.out"


@pytest.mark.parametrize("name", NAMES)
def test_lint_case(name: str, run, update_goldens: bool) -> None:
    path = HERE / name
    args = sorted(str(p.relative_to(HERE)) for p in path.iterdir()) if path.is_dir() else [name]
    result = run(["lint", "--as-of", AS_OF, "--site-config", "../site_config", *args], cwd=HERE)
    expected_file = _expected_file(name)
    if update_goldens:
        expected_file.write_text(result.stdout, encoding="utf-8")
    expected = expected_file.read_text(encoding="utf-8")
    assert result.stdout == expected
    invalid = "\n    hint: " in expected  # a validation error (they come with a hint): not linted, exit 1
    assert result.exit_code == (1 if ": error " in expected or invalid else 0), result.stderr


def _rules_in(name: str) -> set[str]:
    text = _expected_file(name).read_text(encoding="utf-8")
    # Readiness lines only: "file:line:col: severity rule-id: message".
    return {line.split(": ")[1].split(" ")[1] for line in text.splitlines()
            if len(line.split(": ")) > 1 and len(line.split(": ")[1].split(" ")) == 2}


HISTORY = CASES / "history"  # approval-stale needs a git history: its cases are there (tests/test_history.py)


def _history_rules(name: str) -> set[str]:
    text = (HISTORY / f"{name}.out").read_text(encoding="utf-8")
    return {line.split(": ")[1].split(" ")[1] for line in text.splitlines() if line.count(": ") >= 2}


@pytest.mark.parametrize("rule_id", RULE_IDS)
def test_every_rule_has_a_triggering_and_a_narrowly_passing_case(rule_id: str) -> None:
    if rule_id == "approval-stale":
        names = [p.stem for p in HISTORY.glob("*.yaml")]
        assert any(rule_id in _history_rules(n) for n in names), f"no case makes {rule_id} fire"
        assert any(rule_id not in _history_rules(n) for n in names if n.endswith("-passes"))
        return
    triggering = [n for n in NAMES if rule_id in _rules_in(n)]
    assert triggering, f"no case makes {rule_id} fire"
    passing = [n for n in NAMES if n.removesuffix(".yaml").endswith("-passes") and n.startswith(rule_id)]
    assert any(rule_id not in _rules_in(n) for n in passing), f"no narrowly passing case for {rule_id}"


def test_the_clean_plan_is_clean() -> None:
    assert _expected_file("clean.yaml").read_text(encoding="utf-8") == ""
