"""Machine-readable files published beside the HTML: plans.json, schema.json,
calendar.ics. Pure: analysis in, bytes out, the same bytes for the same input."""

from __future__ import annotations

import json
from datetime import date, datetime, time, timedelta, timezone
from collections.abc import Iterator, Sequence
from typing import Any
from zoneinfo import ZoneInfo

from pydantic_core import to_json

from plangen import __version__
from plangen.analysis.analyse import PlanAnalysis
from plangen.analysis.decision import PhaseDecision
from plangen.analysis.freezes import site_freezes_of
from plangen.model.schedule import PhaseTimes
from plangen.model.site import SiteConfig
from plangen.views.decision import verdict_word
from plangen.views.diagrams import freeze_span, task_span
from plangen.model.schema import plan_schema


def _day(value: date | None) -> str | None:
    return value.isoformat() if value else None


def phase_json(d: PhaseDecision, times: PhaseTimes, people: SiteConfig) -> dict[str, Any]:
    """One phase's decision, as plans.json and `plangen status --format json` give it."""
    return {
        "id": d.phase,
        "state": d.state,
        "schedule": d.schedule,
        "slip_days": d.slip_days,
        "since": _day(d.since),
        "start": times.start.isoformat() if times.start else None,
        "end": times.end.isoformat() if times.end else None,
        "first_day": _day(times.first_day),
        "last_day": _day(times.last_day),
        "go": d.go,
        "blockers": [{"kind": b.kind, "ref": b.ref, "text": b.text, "who": b.who,
                      "who_people": [_name(people, x) for x in people.people_of(b.who)] if b.who else [],
                      "due": _day(b.due)}
                     for b in d.blockers],
        "open_gates": list(d.open_gates),
        "outside_mandate": list(d.outside_mandate),
    }


def _name(site: SiteConfig, person: str) -> str:
    entry = site.people.get(person)
    return entry.name if entry else person


def decision_json(p: PlanAnalysis) -> dict[str, Any]:
    """The plan's decision: now, next, go/no-go; the same model the site shows."""
    decision = p.decision
    return {
        "over": decision.over,
        "live": list(decision.live),
        "paused": list(decision.paused),
        "next": decision.next,
        "resume": decision.resume,
        "next_day": _day(decision.next_day),
        "days_to_next": decision.days_to_next(p.context.as_of),
        "go": decision.go,
        "slips": [d.phase for d in decision.slips],
    }


def phases_json(p: PlanAnalysis) -> list[dict[str, Any]]:
    ctx = p.context
    return [phase_json(p.decision.phases[ph.id], ctx.times[ph.id], ctx.site) for ph in ctx.plan.rollout.phases]


def _plan_json(p: PlanAnalysis) -> dict[str, Any]:
    ctx = p.context
    return {
        "id": ctx.plan.id,
        "file": p.loaded.doc.file,
        "group": p.loaded.group,
        "plan": ctx.plan.model_dump(mode="json", by_alias=True, exclude_none=True),
        "decision": decision_json(p),
        "completeness": {"score": p.completeness, "pillars": p.scores},
        "findings": [
            {"line": f.line, "col": f.col, "path": f.path, "severity": f.severity, "rule": f.rule,
             "message": f.message,
             "waiver": {"approved_by": f.waived_by, "reason": f.waiver_reason} if f.severity == "waived" else None}
            for f in p.findings
        ],
        "phases": phases_json(p),
    }


def plan_entry(p: PlanAnalysis) -> bytes:
    """One plan's entry of plans.json, as it stands in the file (indented
    under "plans"), as UTF-8: the file is put together from the entries, so a
    rebuild can keep those of the plans that did not change (as bytes: at a
    thousand plans the file is some 17 MB, and decoding and encoding it again
    cost more than joining it)."""
    # pydantic's serialiser writes the layout of json.dumps(indent=2,
    # ensure_ascii=False), several times faster (it is most of a thousand
    # plans' exports); only a number may be spelled otherwise (0.00001, not 1e-05).
    # JSON strings hold no raw line break, so indenting every line is exact.
    return b"\n".join(b"    " + line for line in to_json(_plan_json(p), indent=2).split(b"\n"))


def plans_json(as_of: date, entries: Sequence[bytes]) -> bytes:
    head = to_json({"generator": f"plangen {__version__}", "as_of": as_of.isoformat()}, indent=2)
    if not entries:
        return head[:-2] + b',\n  "plans": []\n}\n'
    return b"".join((head[:-2], b',\n  "plans": [\n', b",\n".join(entries), b"\n  ]\n}\n"))


def schema_json() -> str:
    return json.dumps(plan_schema(), indent=2, ensure_ascii=False) + "\n"


# -- iCalendar (RFC 5545) ------------------------------------------------------------

def _ical_text(text: str) -> str:
    return text.replace("\\", "\\\\").replace(";", "\\;").replace(",", "\\,").replace("\r", "").replace("\n", "\\n")


def _fold(line: str) -> list[str]:
    """Lines of at most 75 octets; continuations start with a space."""
    if len(line) <= 75 and line.isascii():
        return [line]
    out: list[str] = []
    current: list[str] = []
    size, limit = 0, 75
    for ch in line:
        width = len(ch.encode("utf-8"))
        if size + width > limit:
            out.append("".join(current))
            current, size, limit = [], 0, 74  # a continuation's leading space is the 75th
        current.append(ch)
        size += width
    out.append("".join(current))
    return [out[0]] + [" " + part for part in out[1:]]


def _folded(lines: Sequence[str]) -> Iterator[str]:
    return (part for line in lines for part in _fold(line))


def _moment(name: str, value: datetime, zone: str | None = None, *, timed: bool = False) -> str:
    """A day; a time in UTC when the zone is known (exact, and needs no
    VTIMEZONE); else a floating local time. `timed`: the event's other end
    has a time, so this one is written as a time too (RFC 5545 wants both
    ends of one type)."""
    if value.time() == time() and not timed:
        return f"{name};VALUE=DATE:{value:%Y%m%d}"
    if zone:
        utc = value.replace(tzinfo=ZoneInfo(zone)).astimezone(timezone.utc)
        return f"{name}:{utc:%Y%m%dT%H%M%SZ}"
    return f"{name}:{value:%Y%m%dT%H%M%S}"


def _event(lines: list[str], as_of: date, uid: str, start: datetime, end: datetime, summary: str, description: str,
           cancelled: bool = False, zone: str | None = None, repeat: str = "") -> None:
    timed = start.time() != time() or end.time() != time()
    lines.extend(["BEGIN:VEVENT", f"UID:{uid}", f"DTSTAMP:{as_of:%Y%m%d}T000000Z",
                  _moment("DTSTART", start, zone, timed=timed), _moment("DTEND", end, zone, timed=timed),
                  *([repeat] if repeat else []), f"SUMMARY:{_ical_text(summary)}",
                  f"DESCRIPTION:{_ical_text(description)}", *(["STATUS:CANCELLED"] if cancelled else []),
                  "END:VEVENT"])


def plan_events(p: PlanAnalysis) -> tuple[str, ...]:
    """One plan's phases and freezes as calendar.ics lines, folded (kept
    with the plan's record: a build folds only the lines of plans it read)."""
    lines: list[str] = []
    as_of = p.context.as_of
    plan = p.context.plan
    zone = plan.release_window.timezone if plan.release_window else None
    for phase in plan.rollout.phases:
        t = p.context.times[phase.id]
        span = task_span(t)  # as the calendar page draws it: no end, one day
        if span is None:
            continue
        d = p.decision.phases[phase.id]
        said = verdict_word(d) + (": " + "; ".join(b.text for b in d.blockers) if d.blockers else "")
        open_end = "" if t.end is not None else "; no end date set"
        never = p.decision.over and d.state in ("next", "later")  # the plan ended before it ran
        _event(lines, as_of, f"{plan.id}.{phase.id}@plangen", span[0], span[1], f"{plan.title}: {phase.name}",
               f"{phase.kind} phase, {phase.status}{open_end}; {said}", cancelled=never, zone=zone)
    window = plan.release_window
    for i, f in enumerate(window.freezes if window else []):
        start = datetime.combine(f.from_, time())
        end = datetime.combine(f.to, time())
        _event(lines, as_of, f"{plan.id}.freeze-{i}@plangen", start, end + timedelta(days=1),
               f"Change freeze ({plan.title})", f.reason or "No changes may be released.")
    return tuple(_folded(lines))


def calendar_ics(as_of: date, site: SiteConfig | None, events: Sequence[Sequence[str]]) -> str:
    """The calendar of every plan's events (`plan_events`) and the site-wide freezes."""
    head = ["BEGIN:VCALENDAR", "VERSION:2.0", f"PRODID:-//plangen//plangen {__version__}//EN",
            "CALSCALE:GREGORIAN", "X-WR-CALNAME:Release calendar"]
    lines: list[str] = []
    for f in site_freezes_of(site):
        start, end = f.span_from(as_of) if f.first is None else freeze_span(f.first, f.last)
        repeat = "RRULE:FREQ=WEEKLY" if f.weekly else "RRULE:FREQ=YEARLY" if f.first is None else ""
        # A repeating lock keeps its wall-clock times (floating) across daylight-saving changes.
        zone = f.site.timezone if f.site else None
        where = f" Times are in {zone}." if zone and f.weekly else ""
        kind = "Change lock" if f.weekly else "Change freeze"
        _event(lines, as_of, f"site.freeze-{f.ref}@plangen", start, end, f"{kind}: {f.reason}",
               f"Site-wide: no plan may release.{where}", repeat=repeat)
    lines.append("END:VCALENDAR")
    planned = (line for plan in events for line in plan)  # folded already
    return "".join(line + "\r\n" for line in (*_folded(head), *planned, *_folded(lines)))
