"""What one plan brings to the pages across plans: its portfolio row, its
calendar bars, its pending approvals and open dependencies, its runbook row
and the duties it gives people.

A part depends on its plan, the site config and the build date only, so a
rebuild can keep the parts of the plans that did not change and assemble the
pages across plans from them (see `plangen.views.site`).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from plangen.analysis.analyse import PlanAnalysis
from plangen.errors import short
from plangen.views.base import Directory, Ref, Who, day, days, label, phase_ref, plan_path, runbook_path, status_icon
from plangen.views.decision import DecisionCard, decision_card
from plangen.views.diagrams import Task, freeze_span, task_span
from plangen.views.plan import BAR, covers_text, verdict_word
from plangen.views.runbook import RunbookPage

CALENDAR_PAST = timedelta(days=30)  # the chart starts a month before the build date
OVER = ("complete", "retired", "rolled-back")


@dataclass(frozen=True)
class PortfolioRow:
    plan: Ref
    group: str
    status: str
    risk: str
    completeness: int  # rule-based, per the readiness rules: not a go/no-go signal
    completeness_ref: Ref
    errors: int
    warnings: int
    card: DecisionCard
    runbook: Ref


@dataclass(frozen=True)
class CalendarRow:
    plan: Ref
    phase: str
    kind: str
    first_day: str
    last_day: str
    status: str


@dataclass(frozen=True)
class PendingApproval:
    plan: Ref
    name: str
    icon: str
    status: str
    gates: str
    first_gated_day: str
    covers: str


@dataclass(frozen=True)
class OpenDependency:
    plan: Ref
    name: str
    criticality: str
    needed_by: str
    needed_for: str
    status: str
    overdue: bool
    fallback: str


@dataclass(frozen=True)
class RunbookRow:
    plan: Ref
    runbook: Ref
    status: str
    triggers: int
    steps: int
    total_time: str
    incident_owner: Who | None
    complete: bool  # it has triggers and steps


@dataclass(frozen=True)
class Duty:
    """One thing a person, team or role is named for, on one plan."""

    plan: Ref
    what: str
    via: str  # "" when named directly, else the team or role that names them


@dataclass(frozen=True)
class Head:
    """What the sidebar shows of a plan (see site.navigation)."""
    id: str
    title: str
    group: str


@dataclass(frozen=True)
class PlanPart:
    id: str
    title: str
    group: str
    status: str  # as written (draft, rolling-out, ...)
    row: PortfolioRow
    dated: tuple[CalendarRow, ...]  # phases with a start
    undated: tuple[CalendarRow, ...]
    freezes: tuple[tuple[Ref, str, str, str], ...]  # plan, first, last, reason
    bars: tuple[Task, ...]  # the chart's bars; ids are given when the chart is put together
    approvals: tuple[tuple[str, PendingApproval], ...]  # approver, approval still to decide
    dependencies: tuple[tuple[str, OpenDependency], ...]  # owner ("" for nobody), dependency still open
    runbook: RunbookRow
    duties: tuple[tuple[str, str, Duty], ...]  # who, kind of duty, duty: in the order the plan names them
    # (as named: the people behind a team or role get theirs on the directory's pages, see views.site)
    frozen: tuple[tuple[Ref, str, str], ...] = ()  # a phase still to run inside a site-wide freeze: days, freeze

    @property
    def head(self) -> Head:
        return Head(self.id, self.title, self.group)


def plan_ref(p: PlanAnalysis, anchor: str = "") -> Ref:
    return Ref(short(p.context.plan.title), plan_path(p.context.plan.id), anchor)


def head_of(p: PlanAnalysis) -> Head:
    plan = p.context.plan
    return Head(plan.id, plan.title, p.loaded.group)


def plan_part(p: PlanAnalysis, people: Directory, book: RunbookPage) -> PlanPart:
    plan = p.context.plan
    dated, undated, bars = _phases(p)
    window = plan.release_window
    freezes = tuple((plan_ref(p), day(f.from_), day(f.to), f.reason or "") for f in (window.freezes if window else []))
    return PlanPart(
        plan.id, plan.title, p.loaded.group, plan.status,
        PortfolioRow(
            plan_ref(p), p.loaded.group, label(plan.status), plan.risk, p.completeness, plan_ref(p, "completeness"),
            sum(f.severity == "error" for f in p.findings), sum(f.severity == "warning" for f in p.findings),
            decision_card(p, people), Ref("Runbook", runbook_path(plan.id)),
        ),
        dated, undated, freezes, bars, _approvals(p), _dependencies(p),
        RunbookRow(plan_ref(p), Ref("Runbook", book.path), label(plan.status), len(book.triggers),
                   len(book.steps), book.total_time, book.incident_owner, book.complete),
        _duties(p), _frozen(p),
    )


def _frozen(p: PlanAnalysis) -> tuple[tuple[Ref, str, str], ...]:
    """Phases still to finish that run (or start) inside a freeze of the whole organisation."""
    ctx = p.context
    if ctx.plan.status in OVER:
        return ()
    out = []
    for phase in ctx.plan.rollout.phases:
        if ctx.decision.phases[phase.id].finished:
            continue
        times = ctx.times[phase.id]
        where = phase_ref(ctx.plan.id, ctx.plan.title, phase.id, phase.name)
        out += [(where, days(times.first_day, times.last_day), f.describe()) for f in ctx.freezes_hit(phase) if f.site]
    return tuple(out)


def _phases(p: PlanAnalysis) -> tuple[tuple[CalendarRow, ...], tuple[CalendarRow, ...], tuple[Task, ...]]:
    """Phases in tables; in the chart, only plans still going and what ends
    after a month ago, so old work does not squeeze the rest."""
    plan = p.context.plan
    since = datetime.combine(p.context.as_of, datetime.min.time()) - CALENDAR_PAST
    dated, undated, bars = [], [], []
    for phase in plan.rollout.phases:
        times = p.context.times[phase.id]
        d = p.decision.phases[phase.id]
        row = CalendarRow(plan_ref(p, f"phase-{phase.id}"), short(phase.name), phase.kind, day(times.first_day),
                          day(times.last_day), verdict_word(d))
        span = task_span(times)
        if span is None:
            undated.append(row)
            continue
        dated.append(row)
        status = BAR.get(d.state) or ("crit" if d.go == "NO-GO" else "")
        if plan.status not in OVER and span[1] > since:
            bars.append(Task("", f"{short(phase.name)} ({verdict_word(d)})", span[0], span[1], status))
    window = plan.release_window
    for f in window.freezes if window else []:
        start, end = freeze_span(f.from_, f.to)
        if plan.status not in OVER and end > since:
            bars.append(Task("", f"Freeze: {short(f.reason)}" if f.reason else "Freeze", start, end, "freeze"))
    return tuple(dated), tuple(undated), tuple(bars)


def _approvals(p: PlanAnalysis) -> tuple[tuple[str, PendingApproval], ...]:
    plan = p.context.plan
    as_of = p.context.as_of
    names = {ph.id: short(ph.name) for ph in plan.rollout.phases}
    out = []
    for a in plan.approvals:
        lapsed = a.status == "granted" and a.expires_on is not None and a.expires_on < as_of
        if (a.status == "granted" and not lapsed) or a.status == "not-required" or p.decision.history(a.before):
            continue  # in force, or it gated only finished phases: history
        starts = [p.context.times[pid].first_day for pid in a.before]
        known = sorted(d for d in starts if d is not None)
        out.append((a.approver, PendingApproval(
            plan_ref(p, f"approval-{a.id}"), short(a.name), status_icon("expired" if lapsed else a.status),
            f"granted, expired on {a.expires_on}: renew" if lapsed else label(a.status),
            ", ".join(names[pid] for pid in a.before),
            day(known[0]) if known else "", covers_text(a.covers),
        )))
    return tuple(out)


def _dependencies(p: PlanAnalysis) -> tuple[tuple[str, OpenDependency], ...]:
    plan = p.context.plan
    names = {ph.id: short(ph.name) for ph in plan.rollout.phases}
    out = []
    for d in plan.dependencies:
        if d.status == "done" or p.decision.history(d.needed_for):
            continue  # delivered, or needed only by finished phases: history
        overdue = d.needed_by is not None and d.needed_by < p.context.as_of
        out.append((d.owner or "", OpenDependency(
            plan_ref(p, "dependencies"), short(d.name), label(d.criticality or ""), day(d.needed_by),
            ", ".join(names[x] for x in d.needed_for), label(d.status), overdue, d.fallback or "",
        )))
    return tuple(out)


def _duties(p: PlanAnalysis) -> tuple[tuple[str, str, Duty], ...]:
    out: list[tuple[str, str, Duty]] = []

    def name(ident: str, where: Ref, what: str, kind: str) -> None:
        out.append((ident, kind, Duty(where, what, "")))

    plan = p.context.plan
    name(plan.owner, plan_ref(p), "Owns the plan", "owns")
    for d in plan.dependencies:
        if d.owner and (d.status == "done" or not p.decision.history(d.needed_for)):
            name(d.owner, plan_ref(p, "dependencies"), f"Delivers dependency: {short(d.name)}", "owns")
    for s in plan.safeguards:
        if s.owner:
            name(s.owner, plan_ref(p, "safeguards"), f"Runs safeguard: {short(s.name)}", "owns")
    for c in plan.validation:
        if c.owner:
            name(c.owner, plan_ref(p, "validation"), f"Runs check: {short(c.check)}", "owns")
    if plan.integration:
        for sys in plan.integration.systems:
            if sys.owner:
                name(sys.owner, plan_ref(p, "integration"), f"Owns system: {short(sys.name)}", "owns")
    for a in plan.approvals:
        if a.status != "granted" and p.decision.history(a.before):
            continue  # never decided, and no longer needed
        name(a.approver, plan_ref(p, "approvals"), f"Approves: {short(a.name)} ({label(a.status)})", "approves")
    for w in plan.waivers:
        name(w.approved_by, plan_ref(p, "completeness"), f"Accepted a waiver of {w.rule}", "approves")
    if plan.authority:
        for action, who in (("roll back", plan.authority.rollback), ("pause", plan.authority.pause),
                            ("approve an emergency change", plan.authority.emergency_change)):
            for ident in who:
                name(ident, plan_ref(p, "authority"), f"May {action}", "authorises")
    if plan.support:
        runbook_ref = Ref(short(plan.title), runbook_path(plan.id), "escalation")
        if plan.support.incident_owner:
            name(plan.support.incident_owner, runbook_ref, "Owns incidents", "escalation")
        for level in plan.support.escalation:
            name(level.team, runbook_ref, f"Escalation level {level.level}", "escalation")
    if plan.rollback:
        for t in plan.rollback.triggers:
            if t.decided_by:
                name(t.decided_by, Ref(short(plan.title), runbook_path(plan.id), "triggers"),
                     f"Decides: {short(t.symptom)}", "runbook")
        for n, step in enumerate(plan.rollback.steps, start=1):
            if step.owner:
                name(step.owner, Ref(short(plan.title), runbook_path(plan.id), "steps"),
                     f"Step {n}: {short(step.do)}", "runbook")
    return tuple(out)
