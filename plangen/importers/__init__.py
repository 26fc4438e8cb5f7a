"""Importers: other tools' deployment manifests -> plan data.

An importer is pure: it turns already-parsed manifests into a plan dict and
a list of what it could not map, and never reads or writes a file (that is
`plangen.commands.import_`). What every importer needs lives here: ids,
durations and text made to fit the plan format's limits, without silently
changing what they say.
"""

from __future__ import annotations

import re
from fractions import Fraction

from plangen.load import FORBIDDEN, describe_char

# Kept in step with plangen.model.base (not imported: that pulls in pydantic,
# and the command checks the finished plan against the model anyway).
MAX_TEXT = 2_000
MAX_LONG_TEXT = 20_000
MAX_ITEMS = 100
MAX_DURATION_SECONDS = 3653 * 86400
RESERVED_IDS = frozenset(
    {"index", "assets", "search", "sitemap", "404", "con", "prn", "aux", "nul", "conin$", "conout$"}
    | {f"com{i}" for i in range(10)}
    | {f"lpt{i}" for i in range(10)}
)

_NOT_SLUG = re.compile(r"[^a-z0-9]+")


def slug(text: str, fallback: str = "item", limit: int = 64) -> str:
    """A plan id made from a name: lower-case letters, digits and inner hyphens."""
    out = _NOT_SLUG.sub("-", str(text).lower()).strip("-")[:limit].strip("-") or fallback
    return f"{out[: limit - 5].strip('-')}-item" if out in RESERVED_IDS else out


class Ids:
    """Ids of one plan: they share a namespace, so each new one is made unique."""

    def __init__(self) -> None:
        self.taken: set[str] = set()

    def new(self, text: str, fallback: str = "item") -> str:
        base = slug(text, fallback)
        ident, n = base, 1
        while ident in self.taken:
            n += 1
            ident = f"{base[: 64 - len(str(n)) - 1].strip('-')}-{n}"
        self.taken.add(ident)
        return ident


_UNITS = (("d", 86400), ("h", 3600), ("m", 60), ("s", 1))


def plan_duration(seconds: int) -> str | None:
    """Whole seconds as the largest exact plan unit: 5400 -> '90m', 86400 ->
    '1d'. None when no plan duration says it (negative, over ten years, or
    more than six digits in every exact unit)."""
    if seconds < 0 or seconds > MAX_DURATION_SECONDS:
        return None
    for unit, size in _UNITS:
        if seconds % size == 0 and seconds // size < 1_000_000:
            return f"{seconds // size}{unit}"
    return None


_GO_PART = re.compile(r"(\d+\.?\d*|\.\d+)(ns|us|µs|μs|ms|s|m|h)")
_GO_UNITS = {"ns": Fraction(1, 10**9), "us": Fraction(1, 10**6), "µs": Fraction(1, 10**6),
             "μs": Fraction(1, 10**6), "ms": Fraction(1, 1000), "s": Fraction(1), "m": Fraction(60),
             "h": Fraction(3600)}


def go_duration(text: str) -> Fraction | None:
    """Seconds in a Go duration string ('1h30m', '1.5s', '500ms', '0'), exactly;
    None if it is not one (Go has no d or w, and no bare numbers but 0)."""
    if text == "0":
        return Fraction(0)
    if not text or len(text) > 64:
        return None
    pos, total = 0, Fraction(0)
    while pos < len(text):
        part = _GO_PART.match(text, pos)
        if part is None:
            return None
        total += Fraction(part.group(1)) * _GO_UNITS[part.group(2)]
        pos = part.end()
    return total


def clean(text: str, limit: int = MAX_TEXT) -> tuple[str, list[str]]:
    """Text as a plan may hold it, and what was changed to get there: control
    and invisible characters are written as visible escapes, and text over
    the limit is cut."""
    notes = []
    bad = FORBIDDEN.search(text)
    if bad:
        notes.append(f"{describe_char(bad.group())} written as an escape")
        text = FORBIDDEN.sub(lambda m: m.group().encode("unicode_escape").decode("ascii"), text)
    if len(text) > limit:
        notes.append(f"cut to {limit} characters (it had {len(text)})")
        text = text[: limit - 1] + "…"
    if not text.strip():
        text = "(empty)"
    return text, notes
