"""docs/reference.md: every key of a plan and of site.yaml, one table per
object, generated from the models' JSON Schemas so the page cannot drift.

The schemas already resolve aliases (`from`, not `from_`), enums and the
required keys of a plan file (`id` may be left out), so the page reads them
rather than the models' internals.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from functools import cache
from typing import Any

from pydantic import TypeAdapter

from plangen.model.base import (
    MAX_DAY,
    MAX_DURATION,
    MAX_ITEMS,
    MAX_LONG_TEXT,
    MAX_TEXT,
    MIN_DAY,
    RESERVED_IDS,
    SINCE,
    Day,
    DirectoryId,
    Duration,
    LongText,
    Moment,
    Slug,
    Text,
    Url,
)
from plangen.model.plan import Plan
from plangen.model.schema import plan_schema, site_schema
from plangen.model.site import SiteConfig

# The value types every field is made of, by the name a reader knows them by.
# A field's schema that equals one of these is shown by that name; the
# glossary (`_types`) says what each accepts.
_NAMED_TYPES: tuple[tuple[Any, str], ...] = (
    (Text, "text"),
    (LongText, "long text"),
    (Slug, "id"),
    (DirectoryId, "person, team or role id"),
    (Day, "date (YYYY-MM-DD)"),
    (Moment, "date, or date and time (YYYY-MM-DDTHH:MM, since 1.1)"),
    (Duration, "duration, like `5d`"),
    (Url, "URL"),
)
# Schema keywords that document a value rather than constrain it.
_ANNOTATIONS = frozenset({"description", "title", "default", SINCE})
_NULL = {"type": "null"}
_SCALARS = {"string": "text", "number": "number", "integer": "whole number", "boolean": "yes/no"}


@dataclass(frozen=True)
class _Use:
    """Where an object appears: `how` its parent holds it, with {key} for the key."""

    parent: str
    key: str
    how: str


@dataclass
class _Shape:
    """A value as the page shows it: its type, its limits, the objects it holds."""

    phrase: str
    limits: list[str] = field(default_factory=list)
    refs: list[tuple[str, str]] = field(default_factory=list)  # (definition, how: "each entry of {key}")
    values: list[Any] = field(default_factory=list)  # an enum's values, to drop their echo from notes


@dataclass
class _Row:
    key: str
    type: str
    required: bool
    notes: str


@dataclass
class _Section:
    title: str
    description: str
    place: str  # where it sits: a file's top level, else filled from its uses
    rows: list[_Row] = field(default_factory=list)
    uses: list[_Use] = field(default_factory=list)


def reference_markdown() -> str:
    """The whole page; `plangen schema --markdown` prints it, `make docs` saves it."""
    plan = _walk(plan_schema(), _title(Plan.__name__), "The top level of a plan file in `plans/`.")
    site = _walk(site_schema(), _title(SiteConfig.__name__), "The top level of `site_config/site.yaml`.")
    _check_anchors([*plan, *site])
    out = [*_intro(plan, site), *_types()]
    for section in plan:
        out += _section(section)
    out += ["---", "", "The keys of `site_config/site.yaml` follow.", ""]
    for section in site:
        out += _section(section)
    return "\n".join(out).rstrip("\n") + "\n"


# Walking the schema --------------------------------------------------------


def _walk(schema: dict[str, Any], root: str, place: str) -> list[_Section]:
    """The file's objects, depth first in key order: each right after the key
    that first reaches it, so a parent's children follow it."""
    defs = schema.get("$defs", {})
    sections: dict[str, _Section] = {}

    def visit(name: str, node: dict[str, Any], title: str, place: str) -> None:
        section = sections[name] = _Section(title, _sentence(node.get("description", "")), place)
        required = set(node.get("required", ()))
        for key, prop in node["properties"].items():
            shape = _shape(prop)
            section.rows.append(_Row(key, shape.phrase, key in required, _notes(prop, shape)))
            for ref, how in shape.refs:
                if ref not in sections:
                    visit(ref, defs[ref], _title(ref), "")
                sections[ref].uses.append(_Use(title, key, how))

    visit("", schema, root, place)
    return list(sections.values())


def _shape(fragment: dict[str, Any]) -> _Shape:
    """How one value's schema reads. A keyword this does not know raises, so
    a new kind of constraint cannot silently go missing from the page."""
    rest = {k: v for k, v in fragment.items() if k not in _ANNOTATIONS}
    for schema, name in _named_schemas():
        if rest == schema:
            return _Shape(name)
    if "anyOf" in rest:
        return _any_of(rest)
    if "$ref" in rest:
        name = rest.pop("$ref").rsplit("/", 1)[-1]
        _consumed(rest)
        return _Shape(_link(name), refs=[(name, "the value of {key}")])
    if "enum" in rest or "const" in rest:
        return _choice(rest)
    kind = rest.pop("type", None)
    if kind == "array":
        return _array(rest)
    if kind == "object":
        return _map(rest)
    if isinstance(kind, list) and "string" in kind:
        kind = "string"  # read as text whatever YAML makes of it
    if kind not in _SCALARS:
        raise ValueError(f"reference: no reading for the schema {fragment}")
    limits = _limits(rest)
    _consumed(rest)
    return _Shape(_SCALARS[kind], limits)


def _any_of(rest: dict[str, Any]) -> _Shape:
    # Optional fields are `X or null`: absence is what Required says.
    options = [_shape(option) for option in rest.pop("anyOf") if option != _NULL]
    _consumed(rest)
    return _Shape(
        " or ".join(o.phrase for o in options),
        [limit for o in options for limit in o.limits],
        [ref for o in options for ref in o.refs],
        [value for o in options for value in o.values],
    )


def _choice(rest: dict[str, Any]) -> _Shape:
    values = rest.pop("enum") if "enum" in rest else [rest.pop("const")]
    rest.pop("type", None)
    _consumed(rest)
    shown = " | ".join(f"`{_plain(v)}`" for v in values)
    return _Shape(shown if len(values) == 1 else f"one of {shown}", values=list(values))


def _array(rest: dict[str, Any]) -> _Shape:
    item = _shape(rest.pop("items"))
    count = _count(rest.pop("minItems", None), rest.pop("maxItems", None))
    _consumed(rest)
    limits = [f"Each entry: {limit[0].lower()}{limit[1:]}" for limit in item.limits]
    return _Shape(f"list of {item.phrase}{count}", limits, [(ref, "each entry of {key}") for ref, _ in item.refs])


def _count(low: int | None, high: int | None) -> str:
    if low and high:
        return f" ({low} to {high})"
    if low:
        return f" (at least {low})"
    return f" (at most {high})" if high else ""


def _map(rest: dict[str, Any]) -> _Shape:
    """A mapping keyed by ids (people, teams, roles) or by a closed set (lint)."""
    if "patternProperties" in rest:
        ((pattern, value),) = rest.pop("patternProperties").items()
        key = _pattern_name(pattern)
    else:
        key = _shape(rest.pop("propertyNames")).phrase
        value = rest.pop("additionalProperties")
    _consumed(rest)
    item = _shape(value)
    refs = [(ref, f"each value of {{key}}, keyed by {key}") for ref, _ in item.refs]
    return _Shape(f"map from {key} to {item.phrase}", item.limits, refs)


def _limits(rest: dict[str, Any]) -> list[str]:
    low, high = rest.pop("minimum", None), rest.pop("maximum", None)
    limits = []
    if low is not None and high is not None:
        limits.append(f"From {_number(low)} to {_number(high)}.")
    elif low is not None:
        limits.append(f"At least {_number(low)}.")
    elif high is not None:
        limits.append(f"At most {_number(high)}.")
    if "minLength" in rest:
        limits.append(f"At least {rest.pop('minLength'):,} characters.")
    if "maxLength" in rest:
        limits.append(f"At most {rest.pop('maxLength'):,} characters.")
    if "pattern" in rest:
        limits.append(f"Matches `{rest.pop('pattern')}`.")
    return limits


def _consumed(rest: dict[str, Any]) -> None:
    if rest:
        raise ValueError(f"reference: no reading for the schema keywords {sorted(rest)} ({rest})")


@cache
def _named_schemas() -> tuple[tuple[dict[str, Any], str], ...]:
    return tuple((TypeAdapter(kind).json_schema(), name) for kind, name in _NAMED_TYPES)


def _pattern_name(pattern: str) -> str:
    for schema, name in _named_schemas():
        if schema.get("pattern") == pattern:
            return name
    return f"text matching `{pattern}`"


# Writing the page ----------------------------------------------------------


def _intro(plan: list[_Section], site: list[_Section]) -> list[str]:
    return [
        "# Plan format reference",
        "",
        "<!-- Generated from the models by `make docs` (plangen/model/reference.py); do not edit by hand. -->",
        "",
        "Every key a plan file and `site_config/site.yaml` may hold, one table per",
        "object, generated from the models that validate them. [The plan",
        "format](plan-format.md) explains the shape and the rules that a table cannot",
        "show; `plangen schema` prints the same contract as JSON Schema for editors.",
        "",
        "Keys not listed are errors. A key that is not required may be left out, or",
        "written with no value (`scope:`); a list or map left out is empty.",
        "",
        "- Plan files: " + ", ".join(_link_to(s.title) for s in plan),
        "- `site_config/site.yaml`: " + ", ".join(_link_to(s.title) for s in site),
        "",
    ]


def _types() -> list[str]:
    reserved = ", ".join(f"`{name}`" for name in sorted(RESERVED_IDS))
    return [
        "## Types { #types }",
        "",
        f"- **text**: shown exactly as written, never read as Markdown or HTML; at most {MAX_TEXT:,}",
        "  characters, no control characters or bidirectional overrides. Numbers and",
        "  words like `no` are read as text: `version: 1.10` stays `1.10`.",
        f"- **long text**: text of up to {MAX_LONG_TEXT:,} characters; its paragraphs are kept.",
        "- **id**: lower-case letters, digits and inner hyphens, at most 64 characters,",
        f"  and not a reserved name ({reserved}).",
        "- **person, team or role id**: an id in `site_config/site.yaml`'s `people`,",
        "  `teams` or `roles`: lower-case letters, digits, dots, underscores and",
        "  hyphens, at most 64 characters.",
        f"- **date**: `YYYY-MM-DD`, a day that exists, from {MIN_DAY} to {MAX_DAY}.",
        "- **duration**: a whole number of up to six digits and a unit, m, h, d or w",
        f"  (`90m`, `12h`, `5d`, `2w`), at most {MAX_DURATION.days:,} days; with format",
        "  plangen/v1.1 also s, for seconds (`40s`).",
        "- **URL**: an http, https or mailto link, with no user name or password.",
        "- **yes/no**: `true` or `false` (`yes`/`no` and `on`/`off` work too).",
        f"- **list of X (at most {MAX_ITEMS})**: a YAML list of at most {MAX_ITEMS} entries;",
        f"  `(1 to {MAX_ITEMS})` means at least one is needed.",
        "- **map from K to V**: a YAML mapping whose keys are K and whose values are V.",
        "",
    ]


def _section(section: _Section) -> list[str]:
    out = [f"## {section.title} {{ #{_anchor(section.title)} }}", "", section.description, ""]
    out += [_where(section), ""]
    out += ["| Key | Type | Required | Notes |", "|---|---|---|---|"]
    out += [_table_row(row) for row in section.rows]
    return out + [""]


def _where(section: _Section) -> str:
    if section.place:
        return section.place
    parts = []
    for use in section.uses:
        # replace, not format: a key's phrase may hold a pattern's braces
        parts.append(f"In {_link_to(use.parent)}: {use.how.replace('{key}', f'`{use.key}`')}.")
    return " ".join(parts)


def _table_row(row: _Row) -> str:
    cells = [f"`{row.key}`", row.type, "yes" if row.required else "no", row.notes]
    return "| " + " | ".join(_cell(cell) for cell in cells) + " |"


def _notes(prop: dict[str, Any], shape: _Shape) -> str:
    notes = [_without_echo(_sentence(prop.get("description", "")), shape.values), *shape.limits]
    if SINCE in prop:
        notes.insert(0, f"*Since {prop[SINCE].removeprefix('plangen/v')}.*")
    default = prop.get("default")
    if default not in (None, [], {}):  # an absent list or map is empty: the intro says so
        notes.append(f"Default: `{_plain(default)}`.")
    return " ".join(note for note in notes if note)


def _without_echo(text: str, values: list[Any]) -> str:
    """'stop | pause | rollback: what happens...' -> 'What happens...': the
    Type column already lists the values."""
    echo = " | ".join(str(v) for v in values)
    if len(values) < 2 or not text.startswith(echo):
        return text
    rest = text[len(echo):].lstrip(".:; ")
    return rest[:1].upper() + rest[1:]


# Small helpers -------------------------------------------------------------


def _title(name: str) -> str:
    """'ReleaseWindow' -> 'Release window'."""
    words = re.findall(r"[A-Z][a-z0-9]*", name)
    return " ".join([words[0], *(w.lower() for w in words[1:])])


def _anchor(title: str) -> str:
    return title.lower().replace(" ", "-")


def _link(definition: str) -> str:
    return _link_to(_title(definition))


def _link_to(title: str) -> str:
    return f"[{title}](#{_anchor(title)})"


def _check_anchors(sections: list[_Section]) -> None:
    anchors = [_anchor(s.title) for s in sections] + ["types"]
    doubled = sorted({a for a in anchors if anchors.count(a) > 1})
    if doubled:
        raise ValueError(f"reference: two sections would share the anchor(s) {doubled}")


def _sentence(text: str) -> str:
    return " ".join(text.split())


def _plain(value: Any) -> str:
    return value if isinstance(value, str) else json.dumps(value)


def _number(value: float) -> str:
    return f"{value:g}"


def _cell(text: str) -> str:
    # A bare | would end the cell, even inside a code span.
    return text.replace("|", "\\|")
