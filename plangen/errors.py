"""What plangen says to people: findings that point at a line, and fatal errors.

A `Finding` is one problem in one input file, compiler style. A
`PlangenError` is a user-fixable problem that stops a command (exit 1, no
traceback); anything else that escapes is a bug and keeps its traceback.
"""

from __future__ import annotations

import re
from functools import lru_cache
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Literal, Sequence, Union

PathPart = Union[str, int]
FieldPath = tuple[PathPart, ...]
Severity = Literal["error", "warning", "note", "waived"]

_IDENTIFIER = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")


def format_path(path: Sequence[PathPart]) -> str:
    """`("rollout", "phases", 2, "traffic")` -> `rollout.phases[2].traffic`.

    Keys that are not identifiers (people ids such as `priya.n`) are quoted so
    the path stays unambiguous: `people["priya.n"].team`.
    """
    out = ""
    for part in path:
        if isinstance(part, str) and len(part) > 60:  # a key can be any text: never echo it whole
            part = part[:57] + "..."
        if isinstance(part, int):
            out += f"[{part}]"
        elif _IDENTIFIER.fullmatch(part):
            out += f".{part}" if out else part
        else:
            out += '["' + part.replace("\\", "\\\\").replace('"', '\\"') + '"]'
    return out


def plural(n: int, word: str) -> str:
    """'1 day', '3 days': counts in messages and on pages."""
    return f"{n} {word}" if n == 1 else f"{n} {word}s"


NAME_LIMIT = 80
# Characters that Markdown, its common extensions (emoji, tilde, caret, mark,
# arithmatex) or HTML read as syntax anywhere in a line. render/escape.py
# writes each as an entity; Python-Markdown spends on each about what it
# spends on a line of text, so a reference may hold fewer of them than letters.
MARKDOWN_SYNTAX = frozenset("&<>\\`*_[]{}|~^=:$+")
SYNTAX_LIMIT = 16


def short(name: object, limit: int = NAME_LIMIT) -> str:
    """A name as it is shown where something refers to it (a blocker, a list
    of gated phases): at most `limit` characters, and at most SYNTAX_LIMIT of
    them Markdown syntax, so a page listing every reference grows with the
    number of references, not with their lengths. The full name is shown
    once, where the thing is defined."""
    return _short(str(name), limit)


@lru_cache(maxsize=1 << 16)  # a name is referred to from many places
def _short(name: str, limit: int) -> str:
    text = " ".join(name.split())
    syntax = 0
    for i, c in enumerate(text):
        syntax += c in MARKDOWN_SYNTAX
        if syntax > SYNTAX_LIMIT or i >= limit:
            return text[: min(i, limit - 1)].rstrip() + "…"
    return text


def quote(value: object, limit: int = 60) -> str:
    """A value as it can be shown in a one-line message: quoted, escaped, cut."""
    text = str(value)
    text = text if len(text) <= limit else text[: limit - 3] + "..."
    return repr(text)


@dataclass(frozen=True, order=True)
class Finding:
    """One problem at one place in one file."""

    file: str
    line: int
    col: int
    path: str
    message: str
    hint: str = ""
    severity: Severity = "error"
    rule: str | None = field(default=None)
    waived_by: str = ""  # for severity "waived": who accepted the finding, and why
    waiver_reason: str = ""

    def location(self) -> str:
        return f"{self.file}:{self.line}:{self.col}"


class PlangenError(Exception):
    """A problem the user can fix; the CLI prints it and exits 1."""

    def __init__(self, message: str, hint: str = "") -> None:
        super().__init__(message)
        self.message = message
        self.hint = hint


# What may never reach a terminal or a CI log raw: every control character
# (a line break in a value could start a line of its own, such as a forged
# "::error::" workflow command; ESC starts terminal escape sequences), and
# the invisible and bidirectional format characters the loader refuses.
UNPRINTABLE = re.compile(
    "[\x00-\x1f\x7f-\x9f\u00ad\u061c\u180e\u200b-\u200f\u202a-\u202e\u2028-\u202e\u2060-\u206f"
    "\ufeff\ufff9-\ufffb\ufffe\uffff\U000e0000-\U000e007f\ud800-\udfff]"
)


def printable(text: str) -> str:
    """`text` with every control or invisible character written as an escape
    (\\n, \\x1b, \\u202e): one line, shown exactly as it reads."""
    return UNPRINTABLE.sub(_escape_char, str(text))


def _escape_char(match: re.Match[str]) -> str:
    ch = match.group()
    return {"\n": "\\n", "\r": "\\r", "\t": "\\t"}.get(ch) or (
        f"\\x{ord(ch):02x}" if ord(ch) < 0x100 else f"\\u{ord(ch):04x}" if ord(ch) < 0x10000 else f"\\U{ord(ch):08x}")


def printable_block(text: str, indent: str = "  ") -> str:
    """Several lines for a person: each escaped, and every line after the
    first indented, so none can pass for a line of its own (such as a
    workflow command, which must start the line)."""
    first, *rest = str(text).split("\n")
    return printable(first) + "".join(f"\n{indent}{printable(line.lstrip())}" for line in rest)


def human_duration(delta: timedelta) -> str:
    """timedelta -> '1 h 25 min', '3 d', '2 w 1 d', '1 min 30 s' (the largest units that fit)."""
    seconds = int(delta.total_seconds())
    parts = []
    for unit, size in (("w", 7 * 86400), ("d", 86400), ("h", 3600), ("min", 60), ("s", 1)):
        if seconds >= size:
            parts.append(f"{seconds // size} {unit}")
            seconds %= size
    return " ".join(parts) or "0 min"
