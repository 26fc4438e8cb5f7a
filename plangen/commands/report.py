"""Print findings as text for people, JSON for tools, or GitHub annotations."""

from __future__ import annotations

import json
from collections.abc import Sequence

import click

from plangen.errors import Finding


def _text(f: Finding) -> str:
    if f.rule:  # a readiness finding: file:line:col: severity rule-id: message
        waiver = f" (waived by {f.waived_by}: {f.waiver_reason})" if f.severity == "waived" else ""
        return f"{f.location()}: {f.severity} {f.rule}: {f.message}{waiver}"
    where = f"{f.location()}: {f.path}: " if f.path else f"{f.location()}: "
    return where + f.message + (f"\n    hint: {f.hint}" if f.hint else "")


def _escape_data(text: str) -> str:
    return text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def _escape_property(text: str) -> str:
    return _escape_data(text).replace(":", "%3A").replace(",", "%2C")


def _github(f: Finding) -> str:
    level = {"error": "error", "warning": "warning", "note": "notice", "waived": "notice"}[f.severity]
    title = " ".join(x for x in (f.rule, f.path) if x) or "plangen"
    props = f"file={_escape_property(f.file)},line={f.line},col={f.col},title={_escape_property(title)}"
    body = f.message + (f"\nhint: {f.hint}" if f.hint else "")
    if f.severity == "waived":
        body += f"\nwaived by {f.waived_by}: {f.waiver_reason}"
    return f"::{level} {props}::{_escape_data(body)}"


def as_dict(f: Finding) -> dict[str, object]:
    return {
        "file": f.file, "line": f.line, "col": f.col, "path": f.path, "message": f.message,
        "hint": f.hint, "severity": f.severity, "rule": f.rule,
        "waiver": {"approved_by": f.waived_by, "reason": f.waiver_reason} if f.severity == "waived" else None,
    }


def emit(findings: Sequence[Finding], fmt: str) -> None:
    """Write findings to stdout in the chosen format."""
    if fmt == "json":
        click.echo(json.dumps([as_dict(f) for f in findings], indent=2, ensure_ascii=False))
    elif fmt == "github":
        for f in findings:
            click.echo(_github(f))
    else:
        for f in findings:
            click.echo(_text(f))


def plural(n: int, word: str) -> str:
    return f"{n} {word}" if n == 1 else f"{n} {word}s"
