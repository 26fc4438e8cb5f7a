"""Golden cases: each bad (or tricky) input and the exact output of `plangen validate`.

A case is `cases/validate/<name>.yaml`, or a folder `<name>/` of files
validated together; `<name>.out` is the exact stdout. An empty .out means the
input must be valid (exit 0); otherwise the exit code must be 1. Add a case,
not a test function. `pytest --update-goldens` rewrites the .out files.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from conftest import CASES

HERE = CASES / "validate"
NAMES = sorted(p.name for p in HERE.iterdir() if p.suffix != ".out")


def _args(name: str) -> list[str]:
    path = HERE / name
    if path.is_dir():
        return sorted(str(p.relative_to(HERE)) for p in path.iterdir())
    return [name]


@pytest.mark.parametrize("name", NAMES)
def test_validate_case(name: str, run, update_goldens: bool) -> None:
    result = run(["validate", "--site-config", "../site_config", *_args(name)], cwd=HERE)
    expected_file = HERE / (Path(name).stem if name.endswith((".yaml", ".yml")) else name)
    expected_file = expected_file.with_name(expected_file.name + ".out")
    if update_goldens:
        expected_file.write_text(result.stdout, encoding="utf-8")
    expected = expected_file.read_text(encoding="utf-8")
    assert result.stdout == expected
    assert result.exit_code == (1 if expected else 0), result.stderr


def test_every_expected_output_has_a_case() -> None:
    stems = {Path(n).stem if n.endswith(".yaml") else n for n in NAMES}
    orphans = [p.name for p in HERE.glob("*.out") if p.name[: -len(".out")] not in stems]
    assert orphans == []


def test_there_are_enough_cases() -> None:
    bad = [p for p in HERE.glob("*.out") if p.read_text(encoding="utf-8")]
    assert len(bad) >= 30


def test_every_reported_problem_has_a_position_a_path_or_a_hint() -> None:
    for out in HERE.glob("*.out"):
        lines = out.read_text(encoding="utf-8").splitlines()
        for i, line in enumerate(lines):
            if line.startswith("    hint: "):
                continue
            assert line.split(":")[1].isdigit() and line.split(":")[2].isdigit(), (out.name, line)
            assert i + 1 < len(lines) and lines[i + 1].startswith("    hint: ") and lines[i + 1][10:].strip(), \
                (out.name, line)
