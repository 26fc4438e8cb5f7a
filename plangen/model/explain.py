"""Pydantic errors -> findings a plan author can act on.

Each error is placed at the line of the offending value (or key, for unknown
fields; or the enclosing mapping, for missing ones), reworded to say what was
expected, and given a hint: usually "did you mean ...".
"""

from __future__ import annotations

import difflib
import re
import types
import typing
from typing import Any, Iterable

from pydantic import BaseModel, ValidationError

from plangen.errors import FieldPath, Finding, format_path, quote
from plangen.load import Document


def did_you_mean(word: str, options: Iterable[str]) -> str:
    """'did you mean 'pilot'?' or a short list of what is allowed."""
    options = sorted(set(options))
    close = difflib.get_close_matches(word, options, n=1, cutoff=0.6)
    if close:
        return f"did you mean '{close[0]}'?"
    if not options:
        return ""
    shown = ", ".join(options[:12]) + (", ..." if len(options) > 12 else "")
    return f"expected one of: {shown}"


def _show(value: Any) -> str:
    if isinstance(value, dict):
        return "a mapping"
    if isinstance(value, list):
        return "a list"
    if value is None:
        return "nothing"
    return quote(value)


def _strip(annotation: Any) -> Any:
    """Annotated[X, ...] and Optional[X] -> X."""
    while True:
        origin = typing.get_origin(annotation)
        if origin is typing.Annotated:
            annotation = typing.get_args(annotation)[0]
        elif origin in (typing.Union, types.UnionType):
            args = [a for a in typing.get_args(annotation) if a is not type(None)]
            if len(args) != 1:
                return annotation
            annotation = args[0]
        else:
            return annotation


def model_at(root: type[BaseModel], loc: FieldPath) -> type[BaseModel] | None:
    """The model class at `loc` (for listing its fields), following lists and dicts."""
    current: Any = root
    for part in loc:
        current = _strip(current)
        origin = typing.get_origin(current)
        if origin in (list, dict):
            current = typing.get_args(current)[-1]  # the item: part is an index or a dict key
        elif isinstance(current, type) and issubclass(current, BaseModel):
            field = _field(current, str(part))
            if field is None:
                return None
            current = field.annotation
        else:
            return None
    current = _strip(current)
    return current if isinstance(current, type) and issubclass(current, BaseModel) else None


def _field(model: type[BaseModel], name: str) -> Any:
    for field_name, field in model.model_fields.items():
        if (field.alias or field_name) == name:
            return field
    return None


def field_names(model: type[BaseModel]) -> list[str]:
    return [field.alias or name for name, field in model.model_fields.items()]


_QUOTED = re.compile(r"'([^']*)'")


def explain(exc: ValidationError, doc: Document, root: type[BaseModel]) -> list[Finding]:
    """Translate every error of one validation into findings."""
    findings = []
    for error in exc.errors(include_url=False):
        loc = tuple(error["loc"])
        key_error = bool(loc) and loc[-1] == "[key]"
        if key_error:
            loc = loc[:-1]
        findings.append(_one(error, loc, key_error, doc, root))
    return sorted(set(findings))


def _one(error: Any, loc: FieldPath, key_error: bool, doc: Document, root: type[BaseModel]) -> Finding:
    kind: str = error["type"]
    value = error.get("input")
    ctx = error.get("ctx") or {}
    name = str(loc[-1]) if loc else ""
    hint = ""
    at_key = key_error

    if value is None and kind not in ("missing", "extra_forbidden"):
        message = "the value is empty"
        hint = "write the value after the colon"
    elif kind.startswith("plangen_"):
        message = error["msg"]
        if kind == "plangen_reserved":
            hint = "choose another id, e.g. add a word: 'search-ranking'"
        elif kind == "plangen_slug":
            hint = "use lower case and hyphens, e.g. 'eu-rollout'"
        elif kind == "plangen_directory_id":
            hint = "use lower case, dots and hyphens, e.g. 'sam.k' or 'ml-platform'"
        elif kind == "plangen_credentials":
            hint = "remove 'user:password@'; never put secrets in a plan"
        elif kind == "plangen_date":
            hint = "write dates as YYYY-MM-DD"
        elif kind == "plangen_date_range":
            hint = "check the year; plans are dated within a working lifetime"
        elif kind == "plangen_too_long":
            hint = "shorten it, and link to a longer document from the plan instead"
        elif kind == "plangen_text":
            hint = "remove the character; write tabs and line breaks literally"
        elif kind == "plangen_url":
            hint = "link to the page itself, like https://example.com/report"
        elif kind == "plangen_duration":
            hint = "like 90m, 5d or 2w (minutes, hours, days, weeks); 40s with format plangen/v1.1"
        elif kind == "plangen_empty":
            hint = "write the value, or remove the field"
        elif kind == "plangen_moment":
            hint = "like 2026-12-01 or, with format plangen/v1.1, 2026-12-01T02:00 in the release window's timezone"
        elif kind in ("plangen_time", "plangen_week_time"):
            hint = "24-hour clock, like 02:00 or 16:30; the freeze's `timezone` says where"
        elif kind == "plangen_month_day":
            hint = "month then day, like 12-20; a span may run over the new year (from 12-20 to 01-04)"
        elif kind == "plangen_freeze":
            hint = "write `from` and `to` (days), or `weekly: {from: fri 16:00, to: mon 08:00}`, or " \
                   "`yearly: {from: 12-20, to: 01-04}`"
    elif kind == "missing":
        line, col = doc.position(loc[:-1])
        owner = model_at(root, loc[:-1])
        field = _field(owner, name) if owner else None
        message = f"required field '{name}' is missing"
        hint = f"add '{name}: ...' here"
        if field is not None and field.description:
            hint += f" ({field.description.splitlines()[0].rstrip('.')})"
        return Finding(doc.file, line, col, format_path(loc), message, hint)
    elif kind == "extra_forbidden":
        at_key = True
        owner = model_at(root, loc[:-1])
        message = f"unknown field {quote(name)}"
        allowed = field_names(owner) if owner else []
        hint = did_you_mean(name, allowed)
        if " " in name.strip():
            hint = "this looks like text, not a field: inside { } a comma ends a value, so quote values with commas"
        elif hint.startswith("expected"):
            hint = "remove it; fields allowed here: " + ", ".join(allowed)
    elif kind == "literal_error":
        expected = _QUOTED.findall(ctx.get("expected", ""))
        wanted = f"one of {', '.join(expected)}" if len(expected) > 1 else "".join(expected)
        message = f"expected {wanted}; got {_show(value)}"
        hint = did_you_mean(str(value), expected) if isinstance(value, str) else ""
        if hint.startswith("expected") or not hint:
            hint = "write one of the values listed, in lower case"
        if name == "format":
            hint = f"this version of plangen reads {' and '.join(expected)} plans"
    elif kind == "finite_number":
        message = f"expected a finite number, got {_show(value)}"
        hint = "write digits only, e.g. 10 or 12.5"
    elif kind in ("float_parsing", "float_type"):
        message = f"expected a number, got {_show(value)}"
        hint = "write digits only, e.g. 10 or 12.5, without units"
    elif kind in ("int_parsing", "int_type", "int_from_float"):
        message = f"expected a whole number, got {_show(value)}"
        hint = "write digits only, e.g. 1 or 2"
    elif kind in ("greater_than_equal", "greater_than", "less_than_equal", "less_than"):
        bounds = {"greater_than_equal": "at least", "greater_than": "more than",
                  "less_than_equal": "at most", "less_than": "less than"}
        limit = next(iter(ctx.values()), "")
        message = f"must be {bounds[kind]} {limit:g}, got {_show(value)}" if isinstance(limit, (int, float)) \
            else f"must be {bounds[kind]} {limit}, got {_show(value)}"
        if name in ("traffic", "max_traffic"):
            hint = "traffic is a percentage of eligible volume, from 0 to 100"
        elif name == "level":
            hint = "escalation levels count from 1, the first line"
        else:
            hint = "correct the number"
    elif kind in ("bool_parsing", "bool_type"):
        message = f"expected true or false, got {_show(value)}"
        hint = "write true or false"
    elif kind == "list_type":
        message = f"expected a list, got {_show(value)}"
        if isinstance(value, str):
            hint = f"write a list even for one item: [{value}]"
        else:
            hint = "write items as '- item' lines, or [a, b]"
    elif kind in ("model_type", "model_attributes_type", "dict_type"):
        message = f"expected a mapping of fields, got {_show(value)}"
        owner = model_at(root, loc)
        hint = "fields allowed here: " + ", ".join(field_names(owner)) if owner is not None \
            else "write 'key: value' lines indented under this field"
    elif kind == "string_type":  # scalars are all text, so this is a list or mapping
        message = f"expected text, got {_show(value)}"
        hint = "write a single value; quote it if it contains ': ' or starts with a symbol"
    elif kind == "too_short":
        least = ctx.get("min_length", 1)
        message = f"needs at least {least} item" + ("" if least == 1 else "s")
        hint = "every plan has at least one phase, e.g. a single 'full' phase" if loc == ("rollout", "phases") \
            else "add an item, or remove the field"
    elif kind == "too_long":
        most = ctx.get("max_length", 0)
        message = f"has {ctx.get('actual_length', 'too many')} items, over the limit of {most}"
        hint = "split the plan, or group items; no page should list this many"
    else:
        message = error["msg"]
        hint = "see 'plangen schema' for what this field takes"

    line, col = doc.position(loc, key=at_key)
    return Finding(doc.file, line, col, format_path(loc), message, hint)


def validate(doc: Document, root: type[BaseModel], data: Any = None) -> tuple[Any, list[Finding]]:
    """Validate `data` (default: the document's data) as `root`."""
    try:
        return root.model_validate(doc.data if data is None else data), []
    except ValidationError as exc:
        return None, explain(exc, doc, root)
