"""Machine-readable files published beside the HTML: plans.json, schema.json,
calendar.ics. Pure: analysis in, bytes out, the same bytes for the same input."""

from __future__ import annotations

import json
from datetime import datetime, time, timedelta
from typing import Any

from plangen import __version__
from plangen.analysis.analyse import Analysis, PlanAnalysis
from plangen.model.schema import plan_schema


def _plan_json(p: PlanAnalysis) -> dict[str, Any]:
    ctx = p.context
    phases = []
    for phase in ctx.plan.rollout.phases:
        t = ctx.times[phase.id]
        gate = p.gates[phase.id]
        phases.append({
            "id": phase.id,
            "start": t.start.isoformat() if t.start else None,
            "end": t.end.isoformat() if t.end else None,
            "first_day": t.first_day.isoformat() if t.first_day else None,
            "last_day": t.last_day.isoformat() if t.last_day else None,
            "go": "ready" if gate.ready else "blocked",
            "blockers": [{"kind": b.kind, "ref": b.ref, "text": b.text} for b in gate.blockers],
        })
    return {
        "id": ctx.plan.id,
        "file": p.loaded.doc.file,
        "group": p.loaded.group,
        "plan": ctx.plan.model_dump(mode="json", by_alias=True, exclude_none=True),
        "readiness": {"score": p.readiness, "pillars": p.scores},
        "findings": [
            {"line": f.line, "col": f.col, "path": f.path, "severity": f.severity, "rule": f.rule,
             "message": f.message,
             "waiver": {"approved_by": f.waived_by, "reason": f.waiver_reason} if f.severity == "waived" else None}
            for f in p.findings
        ],
        "phases": phases,
    }


def plans_json(analysis: Analysis) -> str:
    data = {
        "generator": f"plangen {__version__}",
        "as_of": analysis.as_of.isoformat(),
        "plans": [_plan_json(p) for p in analysis.plans],
    }
    return json.dumps(data, indent=2, ensure_ascii=False) + "\n"


def schema_json() -> str:
    return json.dumps(plan_schema(), indent=2, ensure_ascii=False) + "\n"


# -- iCalendar (RFC 5545) ------------------------------------------------------------

def _ical_text(text: str) -> str:
    return text.replace("\\", "\\\\").replace(";", "\\;").replace(",", "\\,").replace("\r", "").replace("\n", "\\n")


def _fold(line: str) -> list[str]:
    """Lines of at most 75 octets; continuations start with a space."""
    out, current = [], ""
    for ch in line:
        if len((current + ch).encode("utf-8")) > (75 if not out else 74):
            out.append(current)
            current = ""
        current += ch
    out.append(current)
    return [out[0]] + [" " + part for part in out[1:]]


def _moment(name: str, value: datetime) -> str:
    if value.time() == time():
        return f"{name};VALUE=DATE:{value:%Y%m%d}"
    return f"{name}:{value:%Y%m%dT%H%M%S}"


def calendar_ics(analysis: Analysis) -> str:
    stamp = f"{analysis.as_of:%Y%m%d}T000000Z"
    lines = ["BEGIN:VCALENDAR", "VERSION:2.0", f"PRODID:-//plangen//plangen {__version__}//EN",
             "CALSCALE:GREGORIAN", "X-WR-CALNAME:Release calendar"]

    def event(uid: str, start: datetime, end: datetime, summary: str, description: str) -> None:
        lines.extend(["BEGIN:VEVENT", f"UID:{uid}", f"DTSTAMP:{stamp}", _moment("DTSTART", start),
                      _moment("DTEND", end), f"SUMMARY:{_ical_text(summary)}",
                      f"DESCRIPTION:{_ical_text(description)}", "END:VEVENT"])

    for p in analysis.plans:
        plan = p.context.plan
        for phase in plan.rollout.phases:
            t = p.context.times[phase.id]
            if t.start is None or t.end is None:
                continue
            gate = p.gates[phase.id]
            go = "ready" if gate.ready else "blocked: " + "; ".join(b.text for b in gate.blockers)
            event(f"{plan.id}.{phase.id}@plangen", t.start, t.end, f"{plan.title}: {phase.name}",
                  f"{phase.kind} phase, {phase.status}; go/no-go {go}")
        window = plan.release_window
        for i, f in enumerate(window.freezes if window else []):
            start = datetime.combine(f.from_, time())
            end = datetime.combine(f.to, time())
            event(f"{plan.id}.freeze-{i}@plangen", start, end + timedelta(days=1),
                  f"Change freeze ({plan.title})", f.reason or "No changes may be released.")
    lines.append("END:VCALENDAR")
    return "".join(part + "\r\n" for line in lines for part in _fold(line))
