"""Print findings as text for people, JSON for tools, or GitHub annotations."""

from __future__ import annotations

import json
import os
import re
import sys
from collections.abc import Sequence
from typing import Any

import click

from plangen.errors import UNPRINTABLE, Finding, printable, printable_block


def _text(f: Finding) -> str:
    """One line per finding (and one for its hint): every value in it is
    escaped, so no plan text or file name can start a line of its own."""
    p = printable
    if f.rule:  # a readiness finding: file:line:col: severity rule-id: message
        waiver = f" (waived by {p(f.waived_by)}: {p(f.waiver_reason)})" if f.severity == "waived" else ""
        return f"{p(f.location())}: {f.severity} {f.rule}: {p(f.message)}{waiver}"
    where = f"{p(f.location())}: {p(f.path)}: " if f.path else f"{p(f.location())}: "
    return where + p(f.message) + (f"\n    hint: {p(f.hint)}" if f.hint else "")


def _escape_data(text: str) -> str:
    # GitHub's own escapes for the line breaks it shows; every other control
    # or invisible character is written out.
    return printable(text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A"))


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
        # JSON escapes C0 controls itself; C1, bidirectional and invisible
        # characters are written as \u escapes too (they only occur inside strings).
        click.echo(dump_json([as_dict(f) for f in findings]))
    elif fmt == "github":
        for f in findings:
            click.echo(_github(f))
    else:
        for f in findings:
            click.echo(_text(f))


def dump_json(data: object) -> str:
    """JSON for a terminal or a pipe: json.dumps escapes C0 controls itself;
    C1, bidirectional and invisible characters become \\u escapes too (they
    can only occur inside strings)."""
    return UNPRINTABLE.sub(_json_escape, json.dumps(data, indent=2, ensure_ascii=False))


def _json_escape(match: re.Match[str]) -> str:
    ch = match.group()
    if ch == "\n":  # json.dumps escapes line breaks inside strings: this one is its indentation
        return ch
    return "".join(f"\\u{u:04x}" for u in _utf16(ch))


def _utf16(ch: str) -> list[int]:
    data = ch.encode("utf-16-be", errors="surrogatepass")
    return [int.from_bytes(data[i:i + 2], "big") for i in range(0, len(data), 2)]


def say(message: str) -> None:
    """A status line on stderr; any path or value in it is escaped."""
    click.echo(printable_block(message), err=True)




class Progress:
    """How far a long command has got, on stderr: a bar on a terminal, a
    line per quarter in a log (CI) for stages of at least LOG_FROM items,
    nothing with --quiet. Called as progress(stage, done, total) by the
    layers that do the work, which know nothing of terminals."""

    LOG_FROM = 100  # a log line per quarter is noise for a small site

    def __init__(self, *, quiet: bool = False) -> None:
        tty = sys.stderr.isatty() and not os.environ.get("CI")
        self.mode = "off" if quiet else ("bar" if tty else "lines")
        self._stage = ""
        self._bar: Any = None
        self._quarter = -1

    def __call__(self, stage: str, done: int, total: int) -> None:
        if self.mode == "off" or total <= 0:
            return
        if stage != self._stage:
            self.close()
            self._stage, self._quarter = stage, -1
            if self.mode == "bar":
                self._bar = click.progressbar(length=total, label=f"plangen: {stage}", file=sys.stderr)
                self._bar.__enter__()
        if self._bar is not None:
            self._bar.update(done - self._bar.pos)
        elif total >= self.LOG_FROM and done * 4 // total > self._quarter:
            self._quarter = done * 4 // total
            say(f"plangen: {stage}: {done}/{total}")
        if done >= total:
            self.close()

    def close(self) -> None:
        if self._bar is not None:
            self._bar.__exit__(None, None, None)
            self._bar = None
        self._stage = ""

    def say(self, message: str) -> None:
        """A status line, unless quiet."""
        if self.mode != "off":
            say(message)
