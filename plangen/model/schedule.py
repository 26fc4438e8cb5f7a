"""When each phase runs, derived as the spec says.

A phase starts at its `start`, else when the last phase in its `after` ends
(the previous phase when `after` is absent), else at the release window's
start. It ends at its `end` (inclusive day, or since 1.1 a moment), else
start + `duration`. Times are half-open [start, end), in the release window's
time zone; a date that cannot be derived stays None.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta, timezone
from functools import lru_cache
from zoneinfo import ZoneInfo, available_timezones

from plangen.model.base import MAX_DAY, duration_delta
from plangen.model.plan import Phase, Plan

DAY = timedelta(days=1)


@dataclass(frozen=True)
class PhaseTimes:
    start: datetime | None
    end: datetime | None  # exclusive

    @property
    def first_day(self) -> date | None:
        return self.start.date() if self.start else None

    @property
    def last_day(self) -> date | None:
        return (self.end - timedelta(microseconds=1)).date() if self.end else None


def predecessors(plan: Plan) -> dict[str, list[str]]:
    """Phase id -> the phase ids it follows (explicit `after`, else the previous phase)."""
    out: dict[str, list[str]] = {}
    previous: str | None = None
    for phase in plan.rollout.phases:
        if phase.after is not None:
            out[phase.id] = list(phase.after)
        else:
            out[phase.id] = [previous] if previous else []
        previous = phase.id
    return out


def find_cycle(plan: Plan) -> list[str] | None:
    """The first cycle among phases (e.g. ['a', 'b', 'a']), or None.

    Implicit links count: a phase without `after` follows the previous one,
    so `a` after `b` with `b` listed second is a cycle too.
    """
    graph = {pid: [p for p in preds if p] for pid, preds in predecessors(plan).items()}
    state: dict[str, int] = {}  # 1: on the current path, 2: done

    for root in graph:
        if state.get(root):
            continue
        stack = [(root, iter(graph[root]))]
        path = [root]
        state[root] = 1
        while stack:
            node, children = stack[-1]
            child = next(children, None)
            if child is None:
                stack.pop()
                path.pop()
                state[node] = 2
            elif child not in graph or state.get(child) == 2:
                continue
            elif state.get(child) == 1:
                return path[path.index(child):] + [child]
            else:
                state[child] = 1
                stack.append((child, iter(graph[child])))
                path.append(child)
    return None


_UNKNOWN = PhaseTimes(None, None)
OUT_OF_RANGE = PhaseTimes(None, None)  # a distinct object: the phase would end after MAX_DAY


def _zone(plan: Plan) -> str | None:
    """The plan's time zone, when it names one that exists (checks.py reports the others)."""
    name = plan.release_window.timezone if plan.release_window else None
    return name if name in zones() else None


@lru_cache(maxsize=1)
def zones() -> frozenset[str]:
    """Every IANA zone name this machine knows (a name is never opened unless it is one)."""
    return frozenset(available_timezones())


def _midnight(day: date) -> datetime:
    return day if isinstance(day, datetime) else datetime.combine(day, time())


def phase_times(plan: Plan) -> dict[str, PhaseTimes]:
    """Start and end of every phase; unknown where a predecessor is unknown."""
    phases = {p.id: p for p in plan.rollout.phases}
    before = predecessors(plan)
    window_start = _midnight(plan.release_window.start) if plan.release_window else None
    zone = _zone(plan)
    known: dict[str, PhaseTimes] = {}

    def resolve(phase: Phase) -> PhaseTimes:
        # Iterative over the chain of predecessors, so long chains cannot
        # recurse deeply; a phase already on the chain is never pushed again,
        # so even a cyclic or self-referencing plan terminates.
        pending = [phase.id]
        while pending:
            pid = pending[-1]
            if pid in known:
                pending.pop()
                continue
            missing = [d for d in before[pid] if d in phases and d not in known and d not in pending]
            if missing and phases[pid].start is None:
                pending.extend(missing)
                continue
            preds = [known[d] for d in before[pid] if d in known]
            complete = len(preds) == len(before[pid]) and not any(p is OUT_OF_RANGE for p in preds)
            known[pid] = _times(phases[pid], preds if complete else [_UNKNOWN], window_start, zone)
            pending.pop()
        return known[phase.id]

    return {p.id: resolve(p) for p in plan.rollout.phases}


# Derived times past this are refused at validation (see `out_of_range`);
# analysis never sees them.
LIMIT = datetime.combine(MAX_DAY, time()) + DAY


def _times(phase: Phase, preds: list[PhaseTimes], window_start: datetime | None, zone: str | None) -> PhaseTimes:
    try:
        times = _derive(phase, preds, window_start, zone)
    except OverflowError:  # past year 9999
        return OUT_OF_RANGE
    if (times.start is not None and times.start > LIMIT) or (times.end is not None and times.end > LIMIT):
        return OUT_OF_RANGE
    return times


def _after(start: datetime, duration: str, zone: str | None) -> datetime:
    """`start` + `duration`. Days and weeks are calendar days (5d from 02:00 ends
    at 02:00); seconds, minutes and hours are elapsed time, so over a
    daylight-saving change in the plan's zone "1h" is still one hour."""
    delta = duration_delta(duration)
    if duration[-1] in "dw" or zone is None:
        return start + delta
    tz = ZoneInfo(zone)
    return (start.replace(tzinfo=tz).astimezone(timezone.utc) + delta).astimezone(tz).replace(tzinfo=None)


def _derive(phase: Phase, preds: list[PhaseTimes], window_start: datetime | None, zone: str | None) -> PhaseTimes:
    if phase.start is not None:
        start: datetime | None = _midnight(phase.start)
    elif preds:
        ends = [p.end for p in preds]
        start = max(ends) if all(e is not None for e in ends) else None  # type: ignore[type-var]
    else:
        start = window_start
    if isinstance(phase.end, datetime):  # a moment: the phase ends then
        end: datetime | None = phase.end
    elif phase.end is not None:  # a day: the phase runs through it
        end = _midnight(phase.end) + DAY
    elif phase.duration is not None and start is not None:
        end = _after(start, phase.duration, zone)
    else:
        end = None
    return PhaseTimes(start, end)
