"""Go/no-go per phase: ready, or blocked and by what."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from plangen.analysis.context import PlanContext, scope_excess


@dataclass(frozen=True)
class Blocker:
    kind: Literal["approval", "check", "dependency", "freeze"]
    ref: str  # the approval, check or dependency id; the freeze's dates
    text: str


@dataclass(frozen=True)
class Gate:
    phase: str
    blockers: tuple[Blocker, ...]

    @property
    def ready(self) -> bool:
        return not self.blockers


def phase_gates(ctx: PlanContext) -> dict[str, Gate]:
    """Gate state of every phase as of the build date: approvals granted, in
    date and in scope; checks passed; dependencies done; outside freezes."""
    window = ctx.plan.release_window
    out = {}
    for phase in ctx.plan.rollout.phases:
        blockers = []
        for a in ctx.approvals_for(phase.id):
            if a.status != "granted":
                blockers.append(Blocker("approval", a.id, f"approval '{a.name}' is {a.status}"))
            elif a.expires_on is not None and a.expires_on < ctx.as_of:
                blockers.append(Blocker("approval", a.id, f"approval '{a.name}' expired on {a.expires_on}"))
            excess = scope_excess(phase, a)
            if excess:
                blockers.append(Blocker("approval", a.id, f"exceeds the scope of approval '{a.name}': {'; '.join(excess)}"))
        for c in ctx.checks_for(phase.id):
            if c.status not in ("passed", "waived"):
                blockers.append(Blocker("check", c.id, f"check '{c.check}' is {c.status}"))
        for d in ctx.dependencies_for(phase.id):
            if d.status != "done":
                overdue = d.needed_by is not None and d.needed_by < ctx.as_of
                late = f", overdue since {d.needed_by}" if overdue else ""
                blockers.append(Blocker("dependency", d.id, f"dependency '{d.name}' is {d.status}{late}"))
        if window is not None:
            for i in ctx.freezes_hit(phase):
                f = window.freezes[i]
                reason = f" ({f.reason})" if f.reason else ""
                blockers.append(Blocker("freeze", f"{f.from_}/{f.to}", f"inside the freeze {f.from_} to {f.to}{reason}"))
        out[phase.id] = Gate(phase.id, tuple(blockers))
    return out
