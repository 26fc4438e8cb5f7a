"""`plangen build`: validate, render, build with MkDocs, publish atomically."""

from __future__ import annotations

from datetime import date, datetime, time, timezone
from pathlib import Path

import click

from plangen.commands.pipeline import USER_TEMPLATES, Generated, generate
from plangen.commands.report import emit, plural, say
from plangen.project import DEFAULT_PLANS, DEFAULT_SITE_CONFIG
from plangen.site import engine
from plangen.site.writer import check_output, publish, staging, write_tree


def protected() -> list[Path]:
    return [Path.cwd(), DEFAULT_PLANS, DEFAULT_SITE_CONFIG, USER_TEMPLATES]


def run(paths: list[Path], site_config: Path | None, out: Path, *, strict: bool, as_of: date | None,
        offline: bool) -> int:
    check_output(out, protected=protected())
    say("plangen: reading and checking plans...")
    result = generate(paths, site_config, as_of=as_of, offline=offline, strict=strict)
    if not isinstance(result, Generated):
        emit(result, "text")
        reason = "errors" if not strict else "errors (--strict also stops on readiness errors)"
        say(f"plangen: {plural(len(result), 'error')}; nothing was built or changed ({reason})")
        return 1
    emit([f for f in result.analysis.project.findings if f.severity == "warning"], "text")
    day = result.analysis.as_of
    epoch = int(datetime.combine(day, time(), timezone.utc).timestamp())  # the same input, the same bytes
    with staging(out) as stage:
        write_tree(stage / "src", result.files)
        say(f"plangen: building {plural(len(result.analysis.plans), 'plan')} with MkDocs...")
        warnings = engine.build(stage / "src" / "mkdocs.yml", stage / "site", strict=strict, epoch=epoch)
        for message in warnings:
            say(f"mkdocs: {message}")
        publish(stage / "site", out)
    say(f"plangen: site written to {out} (as of {day})")
    return 0
