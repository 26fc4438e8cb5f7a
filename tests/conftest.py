"""Shared fixtures: the repo layout, a CLI runner, the spec (when beside the repo)."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from plangen.cli import cli

pytest_plugins = ["browser_helpers"]  # the `chromium` fixture

REPO = Path(__file__).resolve().parent.parent
CASES = REPO / "tests" / "cases"
SPEC = REPO.parent / "shared" / "PLAN_FORMAT.md"


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption(
        "--update-goldens", action="store_true",
        help="Rewrite the expected outputs of golden cases from the actual ones (review the diff!).",
    )


@pytest.fixture
def update_goldens(request: pytest.FixtureRequest) -> bool:
    return bool(request.config.getoption("--update-goldens"))


@pytest.fixture
def run(monkeypatch: pytest.MonkeyPatch):
    """Run the CLI in-process: run(args, cwd=...) -> click Result."""

    def _run(args: list[str], cwd: Path = REPO) -> Result:
        monkeypatch.chdir(cwd)
        return CliRunner().invoke(cli, args, prog_name="plangen", catch_exceptions=False)

    return _run


@pytest.fixture(scope="session")
def spec_text() -> str:
    """The product spec. CI always has it beside the repo; a clone on its own may not."""
    if not SPEC.is_file():
        if os.environ.get("CI") == "true":
            pytest.fail(f"the spec {SPEC} is missing: CI must have ../shared beside the repo")
        pytest.skip("../shared/PLAN_FORMAT.md is not beside this clone")
    return SPEC.read_text(encoding="utf-8")
