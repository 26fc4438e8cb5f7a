"""The project's documentation: it builds, its command reference matches the
commands, and its getting-started steps work as written."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import click
import pytest

from conftest import REPO
from plangen.cli import cli

pytestmark = pytest.mark.slow

DOCS = REPO / "docs"


def test_the_docs_build_with_mkdocs_strict(tmp_path: Path) -> None:
    result = subprocess.run([sys.executable, "-m", "mkdocs", "build", "--strict", "-f", "mkdocs.yml",
                             "-d", str(tmp_path / "docs")], cwd=REPO, capture_output=True, text=True,
                            env={**os.environ, "NO_MKDOCS_2_WARNING": "1"}, timeout=300)
    assert result.returncode == 0, result.stderr
    ci = (tmp_path / "docs" / "ci" / "index.html").read_text(encoding="utf-8")
    assert "plangen validate --strict --format github" in ci  # the starter workflow, included as shipped
    assert "--8&lt;--" not in ci and "--8<--" not in ci


def test_every_page_is_in_the_nav() -> None:
    config = (REPO / "mkdocs.yml").read_text(encoding="utf-8")
    listed = set(re.findall(r"([\w-]+\.md)\s*$", config, flags=re.M))
    assert listed == {p.name for p in DOCS.glob("*.md")}


def _sections(text: str) -> dict[str, str]:
    """The text under each `## plangen VERB` heading of the command reference."""
    parts = re.split(r"^## plangen (\S+)\s*$", text, flags=re.M)
    return dict(zip(parts[1::2], parts[2::2]))


COMMANDS = sorted(cli.commands)


def test_the_command_reference_has_a_section_per_command() -> None:
    assert sorted(_sections((DOCS / "cli.md").read_text(encoding="utf-8"))) == COMMANDS


@pytest.mark.parametrize("name", COMMANDS)
def test_the_command_reference_matches_help(name: str) -> None:
    """Every option --help lists is documented in the command's section, and
    the section's synopsis names no option the command does not have."""
    section = _sections((DOCS / "cli.md").read_text(encoding="utf-8"))[name]
    command = cli.commands[name]
    options = {opt for p in command.params if isinstance(p, click.Option) and not p.hidden
               for opt in p.opts if opt.startswith("--")}
    options.discard("--help")
    missing = sorted(o for o in options if not re.search(re.escape(o) + r"(?![\w-])", section))
    assert not missing, f"{name}: documented nowhere in docs/cli.md: {missing}"
    synopsis = re.search(r"```text\n(.*?)```", section, flags=re.S)
    assert synopsis, f"{name}: no synopsis block"
    named = set(re.findall(r"--[a-z][a-z-]*", synopsis.group(1)))
    assert named <= options, f"{name}: the synopsis names options --help does not know: {sorted(named - options)}"
    for argument in (p for p in command.params if isinstance(p, click.Argument)):
        word = (argument.metavar or argument.name or "").upper().rstrip("S")  # PATHS... is written PATH...
        assert word in synopsis.group(1), f"{name}: argument {word} not in the synopsis"


def _steps(text: str) -> list[str]:
    return re.findall(r"```sh\n(.*?)```", text, flags=re.S)


def test_getting_started_works_as_written(tmp_path: Path) -> None:
    """Each command of the guide, in order, in one shell, from an empty folder;
    `pip install` is the test environment's own install, and a command the
    guide says runs until Ctrl+C is not run."""
    steps = _steps((DOCS / "getting-started.md").read_text(encoding="utf-8"))
    script = ["set -u"]
    for block in steps:
        for line in block.splitlines():
            command = line.split("   #")[0].strip()
            if not command or command.startswith("pip install") or "until Ctrl+C" in line:
                continue
            expected = 1 if "# exits 1" in line else 0
            script.append(f'{command} > "$LOG" 2>&1; rc=$?; cat "$LOG"; '
                          f'[ $rc -eq {expected} ] || {{ echo "STEP FAILED ({expected} expected, got $rc): {command}"; exit 1; }}')
    bin_dir = Path(sys.executable).parent
    env = {**os.environ, "PATH": f"{bin_dir}{os.pathsep}{os.environ['PATH']}", "LOG": str(tmp_path / "step.log"),
           "NO_MKDOCS_2_WARNING": "1", "HOME": str(tmp_path)}
    work = tmp_path / "work"
    work.mkdir()
    result = subprocess.run(["bash", "-c", "\n".join(script)], cwd=work, capture_output=True, text=True, env=env,
                            timeout=600)
    assert result.returncode == 0, result.stdout[-4000:] + result.stderr[-2000:]
    assert (work / "release-plans" / "site" / "index.html").is_file()
    assert (work / "release-plans" / "plans" / "checkout-canary.yaml").is_file()
    assert "25%" in result.stdout  # the diff names the traffic change
