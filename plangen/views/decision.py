"""The decision card: now, next, go/no-go, blockers and slips of one plan, in
words, for the top of the plan page, the runbook and the portfolio.

Everything here reads the analysis' decision model; nothing is judged again.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from plangen.errors import plural, short
from plangen.analysis.analyse import PlanAnalysis
from plangen.analysis.decision import Blocker, PhaseDecision
from plangen.views.base import Directory, Ref, Who, day, percent, plan_path, starts_at

# A word and a sign for every outcome and verdict, so colour is never the
# only signal, and no finished phase can read as GO or NO-GO.
OUTCOME = {"done": "Done", "live": "Live", "rolled-back": "Rolled back", "skipped": "Skipped"}
ICON = {"done": "🏁", "live": "▶️", "rolled-back": "↩️", "skipped": "⏭️", "paused": "⏸️", "GO": "✅", "NO-GO": "⛔"}
VERDICT = {go: f"{ICON[go]} {go}" for go in ("GO", "NO-GO")}
PLAN_OVER = {"complete": "🏁 Plan complete", "retired": "Plan retired", "rolled-back": "↩️ Plan rolled back"}

# Where each kind of blocker is listed on the plan page.
_ROW = {"approval": "approval-{}", "check": "check-{}", "dependency": "dependency-{}", "analysis": "analysis-{}"}


@dataclass(frozen=True)
class BlockerView:
    kind: str  # approval | check | dependency | freeze
    text: str
    row: Ref  # its row on the plan page
    who: Who | None  # whom to chase
    due: str


@dataclass(frozen=True)
class NowItem:
    phase: Ref
    state: str  # "live" | "paused"
    since: str
    traffic: str
    regions: str
    slip: str  # "" when on time
    outside_mandate: tuple[str, ...]  # beyond what its approvals allow today


@dataclass(frozen=True)
class DecisionCard:
    as_of: str
    over: str  # "" while the plan runs; else how it ended
    now: tuple[NowItem, ...]
    next: Ref | None  # the phase that starts next, or the paused one to resume
    resume: bool
    next_day: str
    next_when: str  # "in 9 days", "today", "5 days late", "" when undated
    verdict: str  # "✅ GO" | "⛔ NO-GO" | ""
    go: str  # "GO" | "NO-GO" | "" (machine-readable, for styles and tests)
    tone: str  # the card's admonition type: success (GO), failure (NO-GO), note (nothing to judge)
    blockers: tuple[BlockerView, ...]
    slips: tuple[str, ...]  # "Pilot: late to start by 5 days"


def verdict_word(d: PhaseDecision) -> str:
    """A phase's go/no-go when judged, else its outcome, in words."""
    if d.go is not None:
        return f"Paused, {d.go}" if d.state == "paused" else d.go
    return OUTCOME.get(d.state, "Not run")  # planned in a plan that is over


def verdict_text(d: PhaseDecision) -> str:
    """The same with its sign, for pages."""
    if d.go is not None:
        return (f"{ICON['paused']} Paused · " if d.state == "paused" else "") + VERDICT[d.go]
    return f"{ICON[d.state]} {OUTCOME[d.state]}" if d.state in OUTCOME else verdict_word(d)


def schedule_text(d: PhaseDecision) -> str:
    if d.schedule == "late to start":
        return f"late to start by {plural(d.slip_days, 'day')}"
    if d.schedule == "overrunning":
        return f"overrunning by {plural(d.slip_days, 'day')}"
    return d.schedule or ""


def when_text(day_: date | None, as_of: date) -> str:
    if day_ is None:
        return ""
    n = (day_ - as_of).days
    return "today" if n == 0 else f"in {plural(n, 'day')}" if n > 0 else f"{plural(-n, 'day')} late"


def _over(status: str, rolled_back: list[str]) -> str:
    text = PLAN_OVER.get(status, status)
    return text + (f" ({', '.join(rolled_back)} rolled back)" if rolled_back else "")


def blocker_view(b: Blocker, plan_id: str, people: Directory) -> BlockerView:
    anchor = _ROW[b.kind].format(b.ref) if b.kind in _ROW else "overview"
    return BlockerView(b.kind, b.text, Ref(b.text, plan_path(plan_id), anchor),
                       people.who(b.who) if b.who else None, day(b.due))


def decision_card(analysis: PlanAnalysis, people: Directory) -> DecisionCard:
    ctx = analysis.context
    plan = ctx.plan
    decision = analysis.decision
    phases = {p.id: p for p in plan.rollout.phases}

    def phase_ref(pid: str) -> Ref:
        return Ref(short(phases[pid].name), plan_path(plan.id), f"phase-{pid}")

    now = tuple(
        NowItem(phase_ref(pid), decision.phases[pid].state, day(decision.phases[pid].since),
                percent(phases[pid].traffic), ", ".join(phases[pid].regions) or "all regions",
                schedule_text(decision.phases[pid]) if decision.phases[pid].slip_days else "",
                decision.phases[pid].outside_mandate)
        for pid in (*decision.live, *decision.paused)
    )
    nxt = decision.next
    gate = decision.phases[nxt] if nxt else None
    return DecisionCard(
        as_of=day(ctx.as_of),
        over=_over(plan.status, [short(phases[p].name) for p, d in decision.phases.items() if d.state == "rolled-back"])
        if decision.over else "",
        now=now,
        next=phase_ref(nxt) if nxt else None,
        resume=decision.resume,
        next_day=starts_at(ctx.times[nxt].start) if nxt and decision.next_day else day(decision.next_day),
        next_when=when_text(decision.next_day, ctx.as_of),
        verdict=VERDICT[gate.go] if gate and gate.go else "",
        go=(gate.go or "") if gate else "",
        tone={"GO": "success", "NO-GO": "failure"}.get(gate.go or "", "note") if gate else "note",
        blockers=tuple(blocker_view(b, plan.id, people) for b in gate.blockers) if gate else (),
        slips=tuple(f"{short(phases[d.phase].name)}: {schedule_text(d)}" for d in decision.slips),
    )
