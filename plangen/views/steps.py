"""Numbered procedure steps, as the runbook and a phase's procedure show them:
who does each, its command, what to expect, when it applies (since 1.1) and
the other ways to carry it out."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

from plangen.errors import human_duration
from plangen.model.base import duration_delta
from plangen.model.plan import Step
from plangen.views.base import Who


@dataclass(frozen=True)
class Owner:
    """Who does or decides something, and whether they stand in for nobody named."""

    who: Who
    stands_in: str  # "" when named in the plan; else why they are shown ("incident owner", "plan owner")


@dataclass(frozen=True)
class AlternativeView:
    do: str
    when: str
    owner: Who | None
    command: str


@dataclass(frozen=True)
class StepView:
    number: int
    anchor: str  # step-3: a stable address for links, search hits and ticks
    do: str
    owner: Owner | None
    command: str
    expect: str
    time: str
    when: str = ""  # "": always
    alternatives: tuple[AlternativeView, ...] = ()


def step_views(steps: Sequence[Step], owner: Callable[[str | None], Owner | None], who: Callable[[str], Who],
               anchor: str = "step") -> tuple[StepView, ...]:
    return tuple(
        StepView(n, f"{anchor}-{n}", s.do, owner(s.owner), s.command or "", s.expect or "", human(s.time),
                 s.when or "",
                 tuple(AlternativeView(a.do, a.when or "", who(a.owner) if a.owner else None, a.command or "")
                       for a in s.alternatives))
        for n, s in enumerate(steps, start=1)
    )


def human(duration: str | None) -> str:
    return human_duration(duration_delta(duration)) if duration else ""
