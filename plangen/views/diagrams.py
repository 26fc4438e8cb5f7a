"""Diagrams as data: nodes and edges with generated ids and raw labels.

The render stage turns them into Mermaid source (escaping every label) or,
past Mermaid's limits, into a table. No plan text ever becomes an id, a
class, a style or a click line.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta

from plangen.model.schedule import PhaseTimes


@dataclass(frozen=True)
class Node:
    id: str  # generated: n0, n1, ...
    label: str  # raw text, escaped when rendered
    shape: str = "box"  # box | round | gate | stop | auto (a machine's analysis)
    style: str = ""  # one of a fixed set of classes: phase, gate, auto, blocked, rollback, done, live


@dataclass(frozen=True)
class Edge:
    source: str
    target: str
    label: str = ""
    dashed: bool = False


@dataclass(frozen=True)
class Flowchart:
    title: str  # a caption and the diagram's accessible name
    direction: str  # LR or TD
    nodes: tuple[Node, ...]
    edges: tuple[Edge, ...]


@dataclass(frozen=True)
class Task:
    id: str  # generated
    label: str
    start: datetime
    end: datetime
    status: str = ""  # "" (planned) | done | active (live) | crit (blocked) | freeze (a fixed set)


@dataclass(frozen=True)
class Section:
    label: str
    tasks: tuple[Task, ...]


@dataclass(frozen=True)
class Marker:
    """A vertical line across the chart, e.g. the build's as-of date."""

    label: str
    at: datetime


@dataclass(frozen=True)
class Gantt:
    title: str
    sections: tuple[Section, ...]
    marker: Marker | None = None

    @property
    def empty(self) -> bool:
        return not any(s.tasks for s in self.sections)


class Ids:
    """Hands out n0, n1, ... so that diagram ids never come from plan text."""

    def __init__(self, prefix: str = "n") -> None:
        self.prefix = prefix
        self.count = 0

    def next(self) -> str:
        ident = f"{self.prefix}{self.count}"
        self.count += 1
        return ident


def task_span(times: PhaseTimes) -> tuple[datetime, datetime] | None:
    """A phase's bar: known start and end; a phase with no end shows one day."""
    if times.start is None:
        return None
    end = times.end if times.end is not None and times.end > times.start else times.start + timedelta(days=1)
    return times.start, end


def freeze_span(first: date, last: date) -> tuple[datetime, datetime]:
    return datetime.combine(first, datetime.min.time()), datetime.combine(last, datetime.min.time()) + timedelta(days=1)
