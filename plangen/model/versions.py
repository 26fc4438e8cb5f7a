"""Which version of the format a plan needs.

plangen/v1.1 adds keys and values to plangen/v1 and changes none: every v1
plan is a valid v1.1 plan. A plan that says `format: plangen/v1` but uses
something added in 1.1 is told so at that line, so that a plan never
depends, unawares, on what an older plangen would reject.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date, datetime
from typing import Any, get_args

from pydantic import BaseModel

from plangen.errors import FieldPath, Finding
from plangen.load import Document
from plangen.model.base import SINCE, Duration
from plangen.model.plan import V1, V1_1, Plan


def _values(model: BaseModel, path: FieldPath = ()) -> Iterator[tuple[FieldPath, Any, Any]]:
    """Every value set in a model that may tell a newer version (see
    _matters), with its path (YAML keys) and the field's info."""
    for name, info in _fields(type(model)):
        value = getattr(model, name)
        if value is None or value == [] or value == {}:
            continue
        here = (*path, info.alias or name)
        yield here, info, value
        items = value.items() if isinstance(value, dict) else enumerate(value) if isinstance(value, list) else ()
        if isinstance(value, BaseModel):
            yield from _values(value, here)
        for key, item in items:
            if isinstance(item, BaseModel):
                yield from _values(item, (*here, key))


_FIELDS: dict[type[BaseModel], tuple[tuple[str, Any], ...]] = {}


def _fields(cls: type[BaseModel]) -> tuple[tuple[str, Any], ...]:
    """The fields of a model that `newer_than_v1` looks at or into, found once per model:
    most of a plan is text and dates that every version reads alike."""
    if cls not in _FIELDS:
        _FIELDS[cls] = tuple((name, info) for name, info in cls.model_fields.items() if _matters(name, info))
    return _FIELDS[cls]


def _matters(name: str, info: Any) -> bool:
    extra = info.json_schema_extra
    return (isinstance(extra, dict) and SINCE in extra) or name == "status" or _may_hold(info.annotation)


def _may_hold(annotation: Any) -> bool:
    """Whether a value of this type may be or hold a model, a time of day or a
    duration (a field typed as a date may hold a datetime, its subclass)."""
    if annotation is Any or annotation == Duration:
        return True
    if isinstance(annotation, type) and issubclass(annotation, (BaseModel, date)):
        return True
    return any(_may_hold(arg) for arg in get_args(annotation))


def _is_duration(annotation: Any) -> bool:
    return annotation == Duration or any(_is_duration(a) for a in get_args(annotation))


_DURATION: dict[int, tuple[Any, bool]] = {}  # by field; holding the field keeps its id from being reused


def _duration_field(info: Any) -> bool:
    if id(info) not in _DURATION:
        _DURATION[id(info)] = (info, _is_duration(info.annotation))
    return _DURATION[id(info)][1]


def newer_than_v1(plan: Plan) -> Iterator[tuple[FieldPath, str]]:
    """What a plan uses that plangen/v1 does not have, and where."""
    reported: list[FieldPath] = []
    for path, info, value in _values(plan):
        if any(path[: len(r)] == r for r in reported):
            continue  # inside a 1.1 key already named
        extra = info.json_schema_extra
        if isinstance(extra, dict) and extra.get(SINCE) == V1_1:
            reported.append(path)
            yield path, f"'{path[-1]}'"
        elif isinstance(value, str) and value.endswith("s") and _duration_field(info):
            yield path, f"a duration in seconds ({value})"
        elif isinstance(value, datetime):
            yield path, f"a time of day ({value.isoformat(timespec='seconds' if value.second else 'minutes')})"
        elif len(path) == 3 and path[0] == "approvals" and path[2] == "status" and value == "not-required":
            yield path, "status 'not-required'"


def check_version(doc: Document, plan: Plan) -> list[Finding]:
    if plan.format != V1:
        return []
    return [
        doc.finding(path, f"{what} needs format {V1_1}",
                    f"write `format: {V1_1}` on the first line: every {V1} plan is also a valid {V1_1} plan")
        for path, what in newer_than_v1(plan)
    ]
