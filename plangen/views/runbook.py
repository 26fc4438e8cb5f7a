"""The rollback runbook of one plan, as a support engineer needs it at 3 a.m.:
whom to call first, the triggers, then steps to work through, each with an
owner who can be reached now (or, visibly, who stands in for a missing one).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

from plangen.analysis.analyse import PlanAnalysis
from plangen.analysis.context import PlanContext
from plangen.errors import short
from plangen.model.base import duration_delta
from plangen.model.plan import Monitor, Trigger
from plangen.errors import human_duration
from plangen.views.base import (
    Directory, Link, Reach, Ref, Who, day, free_text, label, moment, plan_path, runbook_path,
)
from plangen.views.steps import Owner, StepView, human, step_views
from plangen.views.decision import DecisionCard, decision_card
from plangen.views.plan import AuthorityRow, authority_rows, print_header


@dataclass(frozen=True)
class TriggerRow:
    id: str
    symptom: str
    signal: str
    action: str
    decided_by: Owner
    threshold: str  # from the monitoring entry it names
    dashboard: Link | None


@dataclass(frozen=True)
class MessageRow:
    audience: str
    channel: str
    message: str


@dataclass(frozen=True)
class EscalationRow:
    level: int
    who: Who
    respond_within: str
    contacts: tuple[Reach, ...]


@dataclass(frozen=True)
class TriageRow:
    symptom: str
    check: str
    action: str


@dataclass(frozen=True)
class RunbookPage:
    path: str
    plan_ref: Ref
    title: str
    status: str
    model_version: str
    as_of: str
    print_header: str  # atop every printed page
    decision: DecisionCard
    target: str
    window: str  # when rollback stops being possible, in words ("" when the plan says nothing)
    window_reason: str
    window_closed: bool  # as of the build date, the window has closed
    previous_version: str
    authority: tuple[AuthorityRow, ...]
    complete: bool  # it has triggers and steps
    triggers: tuple[TriggerRow, ...]
    steps: tuple[StepView, ...]
    total_time: str  # "" when no step has a time
    timed_steps: int
    always_steps: int  # steps taken in every rollback (no `when`)
    conditional_time: str  # what the steps with a `when` may add ("" when none gives a time)
    continuity: str
    communication: tuple[MessageRow, ...]
    incident_owner: Who | None
    plan_owner: Who
    hours: str
    escalation: tuple[EscalationRow, ...]
    triage: tuple[TriageRow, ...]
    readiness: tuple[tuple[str, bool], ...]  # support-readiness checklist: item, done


def runbook_page(analysis: PlanAnalysis, people: Directory) -> RunbookPage:
    plan = analysis.context.plan
    who = people.who
    rollback = plan.rollback
    support = plan.support
    steps = rollback.steps if rollback else []
    triggers = rollback.triggers if rollback else []
    # Steps taken only in some cases are counted apart: they do not lengthen every rollback.
    timed = [duration_delta(s.time) for s in steps if s.time and not s.when]
    total = sum(timed, timedelta())
    maybe = sum((duration_delta(s.time) for s in steps if s.time and s.when), timedelta())
    incident_owner = who(support.incident_owner) if support and support.incident_owner else None
    # Nobody named: the incident owner stands in, else the plan's owner.
    stand_in = Owner(incident_owner, "incident owner") if incident_owner else Owner(who(plan.owner), "plan owner")

    monitors = {m.id: m for m in plan.monitoring if m.id} | {m.metric: m for m in plan.monitoring}

    def owner(ident: str | None) -> Owner:
        return Owner(who(ident), "") if ident else stand_in

    escalation = []
    for level in sorted(support.escalation, key=lambda e: e.level) if support else []:
        entry = who(level.team)
        known = {c.text for line in entry.contacts for c in line.contacts}
        # The level's own contact first, unless it is one of the team's already.
        own = (Reach("Page", (free_text(level.contact),)),) if level.contact and level.contact not in known else ()
        contacts = own + entry.contacts
        escalation.append(EscalationRow(level.level, entry, human(level.respond_within), contacts))
    return RunbookPage(
        path=runbook_path(plan.id),
        plan_ref=Ref(plan.title, plan_path(plan.id)),
        title=plan.title,
        status=label(plan.status),
        model_version=f"{plan.model.name} {plan.model.version}" if plan.model else "",
        as_of=day(analysis.context.as_of),
        print_header=print_header(f"Rollback runbook: {plan.title}", plan, analysis.context.as_of),
        decision=decision_card(analysis, people),
        target=(rollback.target or "") if rollback else "",
        window=window_text(analysis.context),
        window_reason=(rollback.window.reason or "") if rollback and rollback.window else "",
        window_closed=(closes := analysis.context.rollback_closes) is not None and closes.date() < analysis.context.as_of,
        previous_version=(plan.model.previous_version or "") if plan.model else "",
        authority=authority_rows(plan, people),
        complete=bool(steps and triggers),
        triggers=tuple(_trigger(t, owner(t.decided_by), monitors) for t in triggers),
        steps=step_views(steps, owner, who),
        total_time=human_duration(total) if timed else "",
        timed_steps=len(timed),
        always_steps=sum(1 for s in steps if not s.when),
        conditional_time=human_duration(maybe) if maybe else "",
        continuity=(rollback.continuity or "") if rollback else "",
        communication=tuple(MessageRow(m.audience, m.channel or "", m.message or "")
                            for m in (rollback.communication if rollback else [])),
        incident_owner=incident_owner,
        plan_owner=who(plan.owner),
        hours=(support.hours or "") if support else "",
        escalation=tuple(escalation),
        triage=tuple(TriageRow(t.symptom, t.check or "", t.action or "") for t in (support.triage if support else [])),
        readiness=tuple((r.item, r.done) for r in (support.readiness if support else [])),
    )


def window_text(ctx: PlanContext) -> str:
    """"until 1 h after phase "All traffic" starts (2026-12-02 10:40 Europe/London)"."""
    window = ctx.plan.rollback.window if ctx.plan.rollback else None
    if window is None:
        return ""
    phase = short(ctx.window_phase.name)
    when = f"{human(window.lasts)} after “{phase}” starts" if window.lasts else f"“{phase}” starts"
    closes = ctx.rollback_closes
    zone = ctx.plan.release_window.timezone if ctx.plan.release_window else None
    at = f" ({moment(closes)}{' ' + zone if zone else ''})" if closes else ""
    return f"until {when}{at}"


def _trigger(t: Trigger, decided_by: Owner, monitors: dict[str, Monitor]) -> TriggerRow:
    watched = monitors.get(t.monitor) if t.monitor else None
    return TriggerRow(
        t.id, t.symptom, t.signal or "", t.action or "", decided_by,
        (watched.threshold or "") if watched else "",
        Link(f"Dashboard: {watched.metric}", watched.dashboard) if watched and watched.dashboard else None,
    )


