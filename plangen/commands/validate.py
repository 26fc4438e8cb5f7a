"""`plangen validate`: load and check everything, print every problem."""

from __future__ import annotations

from pathlib import Path

import click

from plangen.commands.report import emit
from plangen.errors import plural
from plangen.project import load_project


def run(paths: list[Path], site_config: Path | None, fmt: str, strict: bool = False) -> int:
    project = load_project(paths, site_config)
    errors = [f for f in project.findings if f.severity == "error" or (strict and f.severity == "warning")]
    emit(project.findings, fmt)
    files = len({f.file for f in errors})
    checked = plural(project.files, "file")
    if errors:
        what = "problem" if strict else "error"
        click.echo(f"plangen: {plural(len(errors), what)} in {plural(files, 'file')} ({checked} checked)", err=True)
        return 1
    warnings = sum(f.severity == "warning" for f in project.findings)
    noted = f" ({plural(warnings, 'warning')}; --strict fails on them)" if warnings else ""
    click.echo(f"plangen: {checked} checked, {plural(len(project.plans), 'plan')} valid{noted}", err=True)
    return 0
