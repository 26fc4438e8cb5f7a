"""The decision model: what is live, what comes next, may it go, what slips.

Judged once per plan as of the build date. Lint (`gate-open`,
`schedule-slip`), the site, `plans.json` and `plangen status` all read this,
so they cannot disagree.

A phase's *state* comes from its own status and its place in the rollout:
finished phases (done, skipped, rolled back) show their outcome; a live phase
shows since when; go/no-go is judged only for phases not yet started
(`next`, `later`) and for paused ones (may it resume). Gates of finished
phases are history, not open work.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import TYPE_CHECKING, Literal

from plangen.analysis.freezes import covers_day
from plangen.errors import short
from plangen.model.plan import Approval, Phase

if TYPE_CHECKING:
    from plangen.analysis.context import PlanContext

State = Literal["done", "live", "next", "later", "paused", "rolled-back", "skipped"]
Schedule = Literal["on time", "late to start", "overrunning", "unscheduled"]
Verdict = Literal["GO", "NO-GO"]

STATES: tuple[State, ...] = ("done", "live", "next", "later", "paused", "rolled-back", "skipped")
FINISHED: frozenset[str] = frozenset({"done", "rolled-back", "skipped"})
STARTED: frozenset[str] = frozenset({"live", "paused"})
PLAN_OVER = frozenset({"complete", "retired", "rolled-back"})  # plan statuses after which nothing is next
RAN = frozenset({"active", "complete", "paused", "rolled-back"})  # phase statuses of a phase that has run

_STATE_OF_STATUS: dict[str, State] = {
    "complete": "done", "active": "live", "paused": "paused", "rolled-back": "rolled-back", "skipped": "skipped",
}


@dataclass(frozen=True)
class Blocker:
    """One reason a phase may not start (or resume) today."""

    kind: Literal["plan", "approval", "check", "dependency", "freeze", "analysis"]
    ref: str  # the approval, check, dependency or analysis id; the freeze's id or dates; the plan's status
    text: str
    who: str | None  # the approver or owner to chase (a directory id)
    due: date | None  # when it must be cleared: needed_by, else the phase's start (None: no date)


@dataclass(frozen=True)
class PhaseDecision:
    phase: str
    state: State
    schedule: Schedule | None  # None: finished, or the plan is over
    slip_days: int  # days late to start or past the end; 0 when on time
    since: date | None  # live or paused: the first day; slips: the day that passed
    go: Verdict | None  # None: not judged (live, finished, or the plan is over)
    blockers: tuple[Blocker, ...]
    open_gates: tuple[str, ...]  # it ran although a gating approval or check is open (gate-open)
    outside_mandate: tuple[str, ...]  # live or paused beyond what its approvals allow today

    @property
    def judged(self) -> bool:
        return self.go is not None

    @property
    def finished(self) -> bool:
        return self.state in FINISHED


@dataclass(frozen=True)
class PlanDecision:
    phases: dict[str, PhaseDecision]  # plan order
    live: tuple[str, ...]  # phase ids live now
    paused: tuple[str, ...]
    next: str | None  # the phase to decide on next: a paused one to resume, else the next to start
    next_day: date | None  # when it starts (None for a resume, or undated)
    over: bool  # the plan is complete, retired or rolled back: nothing is next

    @property
    def go(self) -> Verdict | None:
        """Go/no-go of the next phase (None when nothing is next)."""
        return self.phases[self.next].go if self.next else None

    @property
    def resume(self) -> bool:
        """The next decision is whether a paused phase may resume."""
        return self.next is not None and self.phases[self.next].state == "paused"

    @property
    def slips(self) -> tuple[PhaseDecision, ...]:
        return tuple(d for d in self.phases.values() if d.slip_days > 0)

    def days_to_next(self, as_of: date) -> int | None:
        return (self.next_day - as_of).days if self.next_day else None

    def history(self, phase_ids: list[str]) -> bool:
        """True when the plan is over, or every listed phase is finished: their
        gates and dependencies are history, not open work. Gating no phase is
        not history while the plan runs."""
        return self.over or (bool(phase_ids) and all(self.phases[p].finished for p in phase_ids))


def scope_excess(phase: Phase, approval: Approval) -> list[str]:
    """How a phase exceeds what an approval covers (empty: it does not). A
    phase with no regions is unrestricted, so it exceeds any regional approval."""
    covers = approval.covers
    if covers is None:
        return []
    out = _beyond("regions", phase.regions, covers.regions)
    if covers.max_traffic is not None and phase.traffic is not None and phase.traffic > covers.max_traffic:
        out.append(f"traffic {phase.traffic:g}% (approved: {covers.max_traffic:g}%)")
    # Since 1.1: a phase that names no environment (or no cohort) is not
    # known to stay inside the approved ones.
    if covers.environments and phase.environment not in covers.environments:
        shown = f"environment {phase.environment}" if phase.environment else "an environment not named"
        out.append(f"{shown} (approved: {', '.join(covers.environments)})")
    return out + _beyond("cohorts", phase.cohorts, covers.cohorts)


def _beyond(what: str, exposed: list[str], approved: list[str]) -> list[str]:
    """Regions or cohorts a phase exposes beyond those approved (none listed: all of them)."""
    if not approved:
        return []
    outside = [x for x in exposed if x not in approved]
    if not exposed:
        return [f"all {what} (approved: {', '.join(approved)})"]
    return [f"{what} {', '.join(outside)} (approved: {', '.join(approved)})"] if outside else []


def decide(ctx: PlanContext) -> PlanDecision:
    plan = ctx.plan
    over = plan.status in PLAN_OVER
    phases = plan.rollout.phases
    own = {p.id: _STATE_OF_STATUS.get(p.status) for p in phases}
    preds = ctx.predecessors

    def state(phase: Phase) -> State:
        fixed = own[phase.id]
        if fixed is not None:
            return fixed
        # Planned: next once everything before it has started or finished
        # well; behind a paused, rolled-back or planned phase it waits.
        ready = not over and all(own.get(p) in ("done", "skipped", "live") for p in preds[phase.id])
        return "next" if ready else "later"

    out: dict[str, PhaseDecision] = {}
    for phase in phases:
        s = state(phase)
        times = ctx.times[phase.id]
        first, last = times.first_day, times.last_day
        judged = not over and s in ("next", "later", "paused")
        schedule: Schedule | None = None
        slip, since = 0, None
        if s in STARTED:
            since = first
        if not over and s not in FINISHED:
            schedule = "on time" if first else "unscheduled"
            # A phase waiting on one still running is that phase's slip, not
            # a second one, unless it was given a date of its own.
            waiting = phase.start is None and any(own.get(p) not in ("done", "skipped") for p in preds[phase.id])
            if s in ("next", "later") and first is not None and first < ctx.as_of and not waiting:
                schedule, slip, since = "late to start", (ctx.as_of - first).days, first
            elif s in STARTED and last is not None and last < ctx.as_of:
                schedule, slip = "overrunning", (ctx.as_of - last).days
        blockers = tuple(_blockers(ctx, phase)) if judged else ()
        go: Verdict | None = ("NO-GO" if blockers else "GO") if judged else None
        open_gates = tuple(_open_gates(ctx, phase)) if phase.status in RAN else ()
        mandate = tuple(_outside_mandate(ctx, phase)) if s in STARTED and not over else ()
        out[phase.id] = PhaseDecision(phase.id, s, schedule, slip, since, go, blockers, open_gates, mandate)

    paused = tuple(p.id for p in phases if out[p.id].state == "paused")
    upcoming = [p for p in phases if out[p.id].state == "next"]
    upcoming.sort(key=lambda p: (ctx.times[p.id].first_day or date.max))  # stable: plan order breaks ties
    if paused and not over:  # the decision waiting is whether it may resume
        nxt, day = paused[0], None
    else:
        nxt = upcoming[0].id if upcoming else None
        day = ctx.times[nxt].first_day if nxt else None
    return PlanDecision(out, tuple(p.id for p in phases if out[p.id].state == "live"), paused, nxt, day, over)


def _blockers(ctx: PlanContext, phase: Phase) -> list[Blocker]:
    # Due by the phase's start; a paused phase resumes when they are cleared.
    times = ctx.times[phase.id]
    start = times.first_day if phase.status != "paused" else None
    out = []
    if ctx.plan.status == "draft":
        out.append(Blocker("plan", "draft", "the plan is a draft: nobody has reviewed it", ctx.plan.owner, start))
    for a in ctx.approvals_for(phase.id):
        if a.status == "not-required":  # its `when` does not apply
            continue
        # An approval must hold for the whole phase, not only today.
        runs_to = max(d for d in (times.last_day, times.first_day, ctx.as_of) if d is not None)
        if a.status != "granted":
            only = f" (condition: {short(a.when)})" if a.when else ""
            out.append(Blocker("approval", a.id, f"approval '{short(a.name)}' is {a.status}{only}", a.approver, start))
        elif a.expires_on is not None and a.expires_on < ctx.as_of:
            out.append(Blocker("approval", a.id, f"approval '{short(a.name)}' expired on {a.expires_on}", a.approver, start))
        elif a.expires_on is not None and a.expires_on < runs_to:
            out.append(Blocker("approval", a.id, f"approval '{short(a.name)}' expires on {a.expires_on}, before the phase "
                               f"ends on {runs_to}", a.approver, start))
        excess = scope_excess(phase, a)
        if excess:
            out.append(Blocker("approval", a.id, f"exceeds the scope of approval '{short(a.name)}': {'; '.join(excess)}",
                               a.approver, start))
    for c in ctx.checks_for(phase.id):
        if c.status not in ("passed", "waived"):
            out.append(Blocker("check", c.id, f"check '{short(c.check)}' is {c.status}", c.owner, start))
    # An analysis decides during its own phase and never holds up its start;
    # one that failed (or could not decide) holds up a resume, and the phases after.
    for owner in [phase] * (phase.status == "paused") + [p for p in ctx.plan.rollout.phases
                                                          if p.id in ctx.predecessors[phase.id]]:
        for g in owner.analysis:
            if g.status in ("failed", "inconclusive") and not g.dry_run:
                of = "" if owner is phase else f" of phase '{owner.id}'"
                out.append(Blocker("analysis", g.id, f"analysis '{short(g.metric)}'{of} {g.status}",
                                   _answerable(ctx, g.decided_by), None))
    for d in ctx.dependencies_for(phase.id):
        # A workaround dependency with an agreed fallback does not stop the phase.
        if d.status != "done" and not (d.criticality == "workaround" and d.fallback):
            overdue = d.needed_by is not None and d.needed_by < ctx.as_of
            late = f", overdue since {d.needed_by}" if overdue else ""
            out.append(Blocker("dependency", d.id, f"dependency '{short(d.name)}' is {d.status}{late}", d.owner,
                               d.needed_by or start))
    for f in ctx.freezes_hit(phase):
        how = "starts inside" if f.weekly else "inside"
        text = f"{how} {f.describe(short(f.reason) if f.reason else '')}"
        out.append(Blocker("freeze", f.ref, text, f.site.owner if f.site else None, None))
    return out


def _answerable(ctx: PlanContext, who: str | None) -> str | None:
    """Whom to chase about something a machine decides: its owner."""
    machine = ctx.site.automations.get(who) if who else None
    return machine.owner if machine else who


def _outside_mandate(ctx: PlanContext, phase: Phase) -> list[str]:
    """What a running phase does today that its approvals (or its own analyses) do not allow."""
    out = [f"analysis '{short(g.metric)}' failed: its action is {g.on_failure or 'not set'}"
           for g in phase.analysis if g.status == "failed" and not g.dry_run and phase.status == "active"]
    for a in ctx.approvals_for(phase.id):
        if a.status == "not-required":
            continue
        if a.status == "granted" and a.expires_on is not None and a.expires_on < ctx.as_of:
            out.append(f"approval '{short(a.name)}' expired on {a.expires_on}")
        excess = scope_excess(phase, a)
        if excess:
            out.append(f"exceeds the scope of approval '{short(a.name)}': {'; '.join(excess)}")
    for f in ctx.freezes:
        if covers_day(f, ctx.as_of):
            out.append(f"running inside {f.describe(short(f.reason) if f.reason else '')}")
    return out


def _open_gates(ctx: PlanContext, phase: Phase) -> list[str]:
    out = [f"approval '{a.id}' is {a.status}" for a in ctx.approvals_for(phase.id)
           if a.status not in ("granted", "not-required")]
    out += [f"check '{c.id}' is {c.status}" for c in ctx.checks_for(phase.id) if c.status not in ("passed", "waived")]
    # Since 1.1: a phase still running, or promoted, after its own analysis
    # failed (pausing or rolling back is the answer to a failed analysis).
    if phase.status in ("active", "complete"):
        out += [f"its analysis '{g.id}' failed" for g in phase.analysis if g.status == "failed" and not g.dry_run]
    return out
