"""The plan page and the runbook page of one plan: everything derived, ready to lay out."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime, time

from plangen.analysis.analyse import PlanAnalysis
from plangen.analysis.conflicts import Shared
from plangen.analysis.registry import PILLARS, rules
from plangen.errors import Finding, plural, short
from plangen.model.base import is_web_url
from plangen.model.plan import Analysis, Covers, Plan
from plangen.model.schedule import PhaseTimes, predecessors
from plangen.views.base import (
    Directory, Link, Ref, Who, audit_path, day, days, label, moment, percent, phase_ref, plan_path, runbook_path,
    status_icon,
)
from plangen.views.decision import (
    BlockerView, DecisionCard, blocker_view, decision_card, schedule_text, verdict_text, verdict_word,
)
from plangen.views.steps import Owner, StepView, human, step_views
from plangen.views.diagrams import Edge, Flowchart, Gantt, Ids, Marker, Node, Section, Task, freeze_span, task_span


# -- rows ----------------------------------------------------------------------

@dataclass(frozen=True)
class PhaseRow:
    number: int
    id: str
    name: str  # in full in its own section; `label` wherever it is referred to
    label: str
    kind: str
    scope: str
    traffic: str
    regions: str
    first_day: str
    last_day: str
    duration: str
    status: str
    exit_criteria: tuple[str, ...]
    on_failure: str
    state: str  # done | live | next | later | paused | rolled-back | skipped
    verdict: str  # its go/no-go when judged, else its outcome: never "GO" for a finished phase
    go: str  # "GO" | "NO-GO" | "" when not judged
    schedule: str  # "on time", "late to start by 3 days", ...
    blockers: tuple[BlockerView, ...]
    open_gates: tuple[str, ...]  # it ran although these gates are open (gate-open)
    outside_mandate: tuple[str, ...]  # running beyond what its approvals allow today
    environment: str = ""
    cohorts: str = ""
    minimum: str = ""  # the bake time, in words
    analyses: tuple[AnalysisRow, ...] = ()
    steps: tuple[StepView, ...] = ()


@dataclass(frozen=True)
class AnalysisRow:
    """An automated check that decides during its phase."""

    id: str
    metric: str
    provider: str
    query: str
    schedule: str  # "every 1 min, 5 times, after 2 min"
    success: str
    failure: str  # with the failures tolerated
    action: str
    decided_by: Who | None
    icon: str
    status: str
    dashboard: Link | None


@dataclass(frozen=True)
class WorkflowRow:
    number: int
    step: str
    actor: str
    system: str
    who: Who | None
    evidence: str


@dataclass(frozen=True)
class SystemRow:
    name: str
    direction: str
    interface: str
    owner: Who | None


@dataclass(frozen=True)
class DependencyRow:
    id: str
    name: str
    kind: str
    criticality: str
    owner: Who | None
    needed_by: str
    needed_for: tuple[str, ...]
    status: str
    fallback: str
    overdue: bool
    late_for: tuple[str, ...]  # phases that start before it is needed by
    at_risk: bool  # at-risk or blocked
    waits_for: Ref | None = None  # another plan (or one of its phases) whose status this follows


@dataclass(frozen=True)
class ApprovalRow:
    id: str
    name: str
    approver: Who
    icon: str
    status: str
    gates: tuple[bool, ...]  # one per phase, in phase order
    covers: str
    conditions: tuple[str, ...]
    decided_on: str
    expires_on: str
    expired: bool
    evidence: Link | None
    stale: str = ""  # what changed in what it gates since it was decided, and the commit it was decided on


@dataclass(frozen=True)
class AuthorityRow:
    action: str
    who: tuple[Who, ...]
    people: str  # the people behind them, each once; "" when they resolve to nobody


@dataclass(frozen=True)
class SafeguardRow:
    name: str
    kind: str
    description: str
    owner: Who | None
    state: str = ""  # "" when in place; planned | disabled


@dataclass(frozen=True)
class MessageRow:
    """Who is told what as the rollout goes (since 1.1)."""

    phase: str  # the phase's name, or "every phase"
    when: str
    audience: str
    channel: str
    message: str


@dataclass(frozen=True)
class RelationRow:
    kind: str  # supersedes | cites | related
    plan: Ref
    note: str


@dataclass(frozen=True)
class MonitorRow:
    metric: str
    kind: str
    threshold: str
    dashboard: Link | None
    alert: str


@dataclass(frozen=True)
class CheckRow:
    id: str
    check: str
    owner: Who | None
    gates: tuple[str, ...]
    icon: str
    status: str
    evidence: Link | None


@dataclass(frozen=True)
class EvidenceRow:
    item: str
    where: str
    where_link: Link | None
    retain: str


@dataclass(frozen=True)
class ObjectiveRow:
    metric: str
    kind: str
    baseline: str
    target: str


@dataclass(frozen=True)
class FindingRow:
    severity: str
    rule: str
    message: str
    line: int
    waived_by: Who | None
    waiver_reason: str


@dataclass(frozen=True)
class PillarRow:
    pillar: str
    score: int
    findings: tuple[FindingRow, ...]


@dataclass(frozen=True)
class Completeness:
    rules: Ref  # the page that explains the rules and the score
    score: int
    pillars: tuple[PillarRow, ...]
    errors: int
    warnings: int
    waived: int


# -- the plan page -------------------------------------------------------------

@dataclass(frozen=True)
class ConflictRow:
    phase: Ref  # on this page
    shared: str  # what is shared: "system: Ledger", "rollback or escalation: Sam Kowalski"
    others: tuple[tuple[Ref, str], ...]  # another plan's phase, its days
    over: int  # when too many to name: a round number of overlapping phases they are more than (0: all named)
    listed: Ref  # the conflicts page's section, which names some and counts all


@dataclass(frozen=True)
class PlanPage:
    path: str
    runbook: Ref
    audit: Ref  # the audit page
    id: str
    title: str
    summary: str
    status: str
    risk: str
    owner: Who
    tags: tuple[str, ...]
    review_by: str
    source: str  # the plan file, as given to plangen
    model_name: str
    model_version: str
    previous_version: str
    registry: Link | None
    evaluation: Link | None
    window: str
    timezone: str
    freezes: tuple[tuple[str, str, str], ...]  # what (freeze or site-wide lock), when, reason
    conflicts: tuple[ConflictRow, ...]  # with phases of other plans
    decision: DecisionCard
    print_header: str  # atop every printed page
    objectives: tuple[ObjectiveRow, ...]
    strategy: str
    rationale: str
    flowchart: Flowchart
    timeline: Gantt
    phases: tuple[PhaseRow, ...]
    workflow_diagram: Flowchart | None
    workflow: tuple[WorkflowRow, ...]
    systems: tuple[SystemRow, ...]
    dependencies: tuple[DependencyRow, ...]
    approvals: tuple[ApprovalRow, ...]
    authority: tuple[AuthorityRow, ...]
    safeguards: tuple[SafeguardRow, ...]
    monitoring: tuple[MonitorRow, ...]
    validation: tuple[CheckRow, ...]
    evidence: tuple[EvidenceRow, ...]
    completeness: Completeness
    communications: tuple[MessageRow, ...] = ()
    relations: tuple[RelationRow, ...] = ()


def _link(label_text: str, href: str | None) -> Link | None:
    return Link(label_text, href) if href else None


def _web_link(text: str | None) -> Link | None:
    """Free-text locations are linked only when they are plain http(s) URLs."""
    return Link(text, text) if text and is_web_url(text) else None


def authority_rows(plan: Plan, people: Directory) -> tuple[AuthorityRow, ...]:
    auth = plan.authority
    if auth is None:
        return ()
    rows = (("Roll back", auth.rollback), ("Pause", auth.pause), ("Emergency change", auth.emergency_change))
    out = []
    for action, who in rows:
        entries = tuple(people.who(w) for w in who)
        names = dict.fromkeys(name for entry in entries for name in entry.people)  # each once, in order
        out.append(AuthorityRow(action, entries, ", ".join(names)))
    return tuple(out)


def phase_rows(analysis: PlanAnalysis, people: Directory) -> tuple[PhaseRow, ...]:
    ctx = analysis.context
    rows = []
    for n, phase in enumerate(ctx.plan.rollout.phases, start=1):
        times = ctx.times[phase.id]
        d = analysis.decision.phases[phase.id]
        rows.append(PhaseRow(
            n, phase.id, phase.name, short(phase.name), phase.kind, phase.scope or "", percent(phase.traffic),
            ", ".join(phase.regions) or "all",  # no regions: unrestricted
            *span_text(times), phase.duration or "", label(phase.status),
            tuple(phase.exit_criteria), phase.on_failure or "", d.state, verdict_text(d), d.go or "",
            schedule_text(d), tuple(blocker_view(b, ctx.plan.id, people) for b in d.blockers), d.open_gates,
            d.outside_mandate, phase.environment or "", ", ".join(phase.cohorts), human(phase.minimum),
            tuple(analysis_row(g, people) for g in phase.analysis),
            step_views(phase.steps, lambda o: Owner(people.who(o), "") if o else None, people.who,
                       f"phase-{phase.id}-step"),
        ))
    return tuple(rows)


def span_text(times: PhaseTimes) -> tuple[str, str]:
    """First and last day; or, when the phase starts or ends at a time of day,
    the moments it starts and ends."""
    timed = any(t is not None and t.time() != time() for t in (times.start, times.end))
    if not timed:
        return day(times.first_day), day(times.last_day)
    first = moment(times.start) if times.start else ""
    if times.start and times.end and times.end.date() == times.start.date():
        return first, moment(times.end)[11:]  # the same day: its time alone
    return first, moment(times.end) if times.end else ""


def analysis_row(g: Analysis, people: Directory) -> AnalysisRow:
    when = [f"every {human(g.interval)}"] if g.interval else []
    when += [plural(g.count, "time")] if g.count else ([] if not g.interval else ["until the phase ends"])
    when += [f"first after {human(g.initial_delay)}"] if g.initial_delay else []
    fails = g.failure or ""
    if g.failure_limit:
        fails = f"{fails} ({plural(g.failure_limit, 'failure')} tolerated)" if fails else \
            f"{plural(g.failure_limit, 'failure')} tolerated"
    return AnalysisRow(g.id, g.metric, g.provider or "", g.query or "", ", ".join(when), g.success or "", fails,
                       "none: a dry run" if g.dry_run else g.on_failure or "", people.who(g.decided_by) if g.decided_by else None, status_icon(g.status),
                       label(g.status),
                       _link("Results", g.dashboard))


def flowchart(analysis: PlanAnalysis) -> Flowchart:
    """Phases in `after` order, each with its state or verdict; every approval,
    check and open dependency once, as a gate into the phases it gates; each
    automated analysis beside the phase it decides; a rollback path from every
    phase with on_failure: rollback."""
    ctx = analysis.context
    plan = ctx.plan
    decision = analysis.decision
    ids = Ids()
    phase_node = {p.id: ids.next() for p in plan.rollout.phases}
    nodes: list[Node] = []
    edges: list[Edge] = []
    for phase in plan.rollout.phases:
        d = decision.phases[phase.id]
        style = _NODE_STYLE.get(d.state) or ("blocked" if d.go == "NO-GO" else "phase")
        traffic = f" · {percent(phase.traffic)}" if phase.traffic is not None else ""
        nodes.append(Node(phase_node[phase.id], f"{short(phase.name)}\n{label(phase.kind)}{traffic}\n{verdict_word(d)}",
                          "round", style))
    for pid, preds in predecessors(plan).items():
        edges += [Edge(phase_node[prev], phase_node[pid]) for prev in preds]
    gates = [(f"Approval: {a.name}", "expired" if lapsed else label(a.status), a.status in ("granted", "not-required") and not lapsed,
              a.before)
             for a in plan.approvals for lapsed in [a.expires_on is not None and a.expires_on < ctx.as_of]]
    gates += [(f"Check: {c.check}", label(c.status), c.status in ("passed", "waived"), c.before)
              for c in plan.validation]
    gates += [(f"Dependency: {d.name}", label(d.status), False,
               [p for p in d.needed_for if not decision.phases[p].finished])
              for d in plan.dependencies if d.status != "done"]
    for text, status, passed, before in gates:
        if not before:
            continue
        node = ids.next()  # one node per gate, an arrow into each phase it gates
        nodes.append(Node(node, f"{short(text)}\n{status}", "gate", "gate" if passed else "blocked"))
        edges += [Edge(node, phase_node[pid]) for pid in before]
    # A machine's analysis is not a gate into the phase: it decides during it.
    for phase in plan.rollout.phases:
        for g in phase.analysis:
            node = ids.next()
            nodes.append(Node(node, f"Analysis: {short(g.metric)}\n{label(g.status)}", "auto",
                              "blocked" if g.status in ("failed", "inconclusive") else "auto"))
            edges.append(Edge(node, phase_node[phase.id], "decides during", dashed=True))
    failing = [p for p in plan.rollout.phases if p.on_failure == "rollback"]
    if failing:
        target = plan.rollback.target if plan.rollback and plan.rollback.target else "previous version"
        back = ids.next()
        nodes.append(Node(back, f"Roll back to {short(target)}", "stop", "rollback"))
        for phase in failing:
            edges.append(Edge(phase_node[phase.id], back, "on failure", dashed=True))
    return Flowchart(f"Rollout of {short(plan.title)}", "TD", tuple(nodes), tuple(edges))


_NODE_STYLE = {"done": "done", "skipped": "done", "live": "live", "rolled-back": "rollback"}
# Gantt bar per state: the colours are explained in the legend under the chart.
BAR = {"done": "done", "skipped": "done", "rolled-back": "done", "live": "active", "paused": "active"}


def timeline(analysis: PlanAnalysis) -> Gantt:
    ctx = analysis.context
    plan = ctx.plan
    ids = Ids("t")
    tasks = []
    for phase in plan.rollout.phases:
        span = task_span(ctx.times[phase.id])
        if span is None:
            continue
        d = analysis.decision.phases[phase.id]
        status = BAR.get(d.state) or ("crit" if d.go == "NO-GO" else "")
        tasks.append(Task(ids.next(), f"{short(phase.name)} ({verdict_word(d)})", span[0], span[1], status))
    sections = [Section("Phases", tuple(tasks))]
    # The plan's own freezes, and each day freeze of the site's that meets a phase
    # (a weekly lock is stated in the overview, not drawn every week).
    days = [d for t in ctx.times.values() for d in (t.first_day, t.last_day) if d is not None]
    freezes = []
    for f in ctx.freezes if days else []:
        if f.weekly:
            continue
        for first, last in f.occurrences(min(days), max(days)):
            if f.site is None or (first <= max(days) and min(days) <= last):
                text = f"Freeze: {short(f.reason)}" if f.reason else "Freeze"
                freezes.append(Task(ids.next(), text, *freeze_span(first, last), "freeze"))
    window = plan.release_window
    if not days and window:  # nothing scheduled: the plan's own freezes still show
        freezes = [Task(ids.next(), f"Freeze: {short(f.reason)}" if f.reason else "Freeze",
                        *freeze_span(f.from_, f.to), "freeze") for f in window.freezes]
    if freezes:
        sections.append(Section("Freezes", tuple(freezes)))
    return Gantt(f"Timeline of {short(plan.title)}", tuple(sections), as_of_marker(ctx.as_of, sections))


def as_of_marker(as_of: date, sections: list[Section]) -> Marker | None:
    """The build date as a line, when it falls within the bars: a date far
    outside would squeeze them into a corner."""
    at = datetime.combine(as_of, datetime.min.time())
    tasks = [t for s in sections for t in s.tasks]
    if tasks and min(t.start for t in tasks) <= at <= max(t.end for t in tasks):
        return Marker(f"As of {as_of}", at)
    return None


def workflow_diagram(plan: Plan) -> Flowchart | None:
    if plan.integration is None or not plan.integration.workflow:
        return None
    ids = Ids("w")
    nodes = []
    for step in plan.integration.workflow:
        where = f" ({step.system})" if step.system else ""
        nodes.append(Node(ids.next(), f"{short(step.step)}\n{label(step.actor)}{where}",
                          {"human": "round", "model": "gate"}.get(step.actor, "box"), step.actor))
    edges = tuple(Edge(a.id, b.id) for a, b in zip(nodes, nodes[1:]))
    return Flowchart(f"How the output enters the workflow: {short(plan.title)}", "LR", tuple(nodes), edges)


def completeness(analysis: PlanAnalysis, people: Directory) -> Completeness:
    by_rule = rules()
    pillars = []
    for pillar in PILLARS:
        if pillar not in analysis.scores:
            continue
        findings = tuple(_finding_row(f, people) for f in analysis.findings
                         if f.rule in by_rule and by_rule[f.rule].pillar == pillar)
        pillars.append(PillarRow(pillar, analysis.scores[pillar], findings))
    count = lambda level: sum(f.severity == level for f in analysis.findings)  # noqa: E731
    return Completeness(Ref("readiness rules", "rules.md"), analysis.completeness, tuple(pillars), count("error"),
                        count("warning"), count("waived"))


def _finding_row(f: Finding, people: Directory) -> FindingRow:
    waived_by = people.who(f.waived_by) if f.waived_by else None
    return FindingRow(f.severity, f.rule or "", f.message, f.line, waived_by, f.waiver_reason)


def conflict_rows(shared: Sequence[Shared], path: str, phase_names: dict[str, str]) -> tuple[ConflictRow, ...]:
    """A plan's conflicts with other plans, a row per phase and kind of thing shared."""
    rows = []
    for s in shared:
        what = SHARED[s.kind] + ", ".join(u.named for u in s.uses)
        here = Ref(phase_names.get(s.window.phase, short(s.window.name)), path, f"phase-{s.window.phase}")
        rows.append(ConflictRow(here, what, tuple((phase_ref(m.plan, m.title, m.phase, m.name), days(m.first, m.last))
                                                  for m in s.others), s.over,
                                Ref("the conflicts page", CONFLICTS_PATH, CONFLICTS_ANCHOR[s.kind])))
    return tuple(rows)


SHARED = {"dependency": "release-critical dependency: ", "system": "system: ", "person": "rollback or escalation: "}
CONFLICTS_PATH = "conflicts.md"
CONFLICTS_ANCHOR = {"dependency": "dependencies", "system": "systems", "person": "people"}  # its sections


def plan_page(analysis: PlanAnalysis, people: Directory, titles: dict[str, str] | None = None,
              shared: Sequence[Shared] = ()) -> PlanPage:
    """`titles`: every plan's title by id, for links to related plans;
    `shared`: its conflicts with other plans."""
    plan = analysis.context.plan
    ctx = analysis.context
    phases = plan.rollout.phases
    phase_names = {p.id: short(p.name) for p in phases}  # referred to, not defined
    model = plan.model
    window = plan.release_window
    who = people.who
    integration = plan.integration
    stale = {s.approval: f"decided at commit {s.commit[:7]}; changed since: " + "; ".join(s.changes)
             for s in analysis.stale}
    return PlanPage(
        path=plan_path(plan.id),
        runbook=Ref("Rollback runbook", runbook_path(plan.id)),
        audit=Ref("Audit pack", audit_path(plan.id)),
        id=plan.id,
        title=plan.title,
        summary=plan.summary or "",
        status=label(plan.status),
        risk=plan.risk,
        owner=who(plan.owner),
        tags=tuple(plan.tags),
        review_by=day(plan.review_by),
        source=analysis.loaded.doc.file,
        model_name=model.name if model else "",
        model_version=model.version if model else "",
        previous_version=(model.previous_version or "") if model else "",
        registry=_link("Model registry", model.registry) if model else None,
        evaluation=_link("Evaluation report", model.evaluation) if model else None,
        window=f"{window.start} to {window.end}" if window and window.end else (f"from {window.start}" if window else ""),
        timezone=(window.timezone or "") if window else "",
        conflicts=conflict_rows(shared, plan_path(plan.id), phase_names),
        freezes=tuple(("Change lock (site-wide)" if f.weekly else "Change freeze (site-wide)" if f.site else
                       "Change freeze", f.label, f.reason or "") for f in ctx.freezes),
        decision=decision_card(analysis, people),
        print_header=print_header(plan.title, plan, ctx.as_of),
        objectives=tuple(
            ObjectiveRow(o.metric, o.kind or "", _amount(o.baseline, o.unit), _amount(o.target, o.unit))
            for o in plan.objectives
        ),
        strategy=plan.rollout.strategy or "",
        rationale=plan.rollout.rationale or "",
        flowchart=flowchart(analysis),
        timeline=timeline(analysis),
        phases=phase_rows(analysis, people),
        workflow_diagram=workflow_diagram(plan),
        workflow=tuple(
            WorkflowRow(n, s.step, s.actor, s.system or "", who(s.role) if s.role else None, s.evidence or "")
            for n, s in enumerate(integration.workflow, start=1)
        ) if integration else (),
        systems=tuple(
            SystemRow(s.name, s.direction or "", s.interface or "", who(s.owner) if s.owner else None)
            for s in integration.systems
        ) if integration else (),
        dependencies=tuple(
            DependencyRow(
                d.id, d.name, d.kind or "", label(d.criticality or ""), who(d.owner) if d.owner else None,
                day(d.needed_by), tuple(phase_names[p] for p in d.needed_for), label(d.status), d.fallback or "",
                overdue=open_work and d.needed_by is not None and d.needed_by < ctx.as_of,
                late_for=tuple(
                    phase_names[p] for p in d.needed_for
                    if d.needed_by and ctx.times[p].first_day and d.needed_by > ctx.times[p].first_day
                ),
                at_risk=open_work and d.status in ("at-risk", "blocked"),
                waits_for=_other_plan(d.plan, d.phase, titles) if d.plan else None,
            )
            for d in plan.dependencies
            # only what is still to deliver is flagged; the rest is history
            for open_work in [d.status != "done" and not analysis.decision.history(d.needed_for)]
        ),
        approvals=tuple(
            ApprovalRow(
                a.id, a.name, who(a.approver), status_icon("expired" if lapsed else a.status),
                f"{label(a.status)}, expired on {a.expires_on}" if lapsed and a.status == "granted" else label(a.status),
                tuple(p.id in a.before for p in phases),
                covers_text(a.covers), ((f"Condition: {a.when}",) if a.when else ()) + tuple(a.conditions), day(a.decided_on), day(a.expires_on),
                lapsed, _link("Decision record", a.evidence), stale.get(a.id, ""),
            )
            for a in plan.approvals
            for lapsed in [a.expires_on is not None and a.expires_on < ctx.as_of]
        ),
        authority=authority_rows(plan, people),
        safeguards=tuple(SafeguardRow(s.name, label(s.kind or ""), s.description or "",
                                      who(s.owner) if s.owner else None,
                                      s.state if s.state in ("planned", "disabled") else "") for s in plan.safeguards),
        monitoring=tuple(MonitorRow(m.metric, m.kind or "", m.threshold or "", _link("Dashboard", m.dashboard),
                                    m.alert or "") for m in plan.monitoring),
        validation=tuple(
            CheckRow(c.id, c.check, who(c.owner) if c.owner else None, tuple(phase_names[p] for p in c.before),
                     status_icon(c.status), label(c.status), _link("Result", c.evidence))
            for c in plan.validation
        ),
        evidence=tuple(EvidenceRow(e.item, e.where or "", _web_link(e.where), e.retain or "") for e in plan.evidence),
        completeness=completeness(analysis, people),
        communications=tuple(
            MessageRow(phase_names[m.phase] if m.phase else "every phase", m.when, m.audience, m.channel or "",
                       m.message or "") for m in plan.communications),
        relations=tuple(RelationRow(r.kind, _other_plan(r.plan, None, titles), r.note or "") for r in plan.relations),
    )


def _other_plan(plan_id: str, phase: str | None, titles: dict[str, str] | None) -> Ref:
    title = short((titles or {}).get(plan_id, plan_id))
    return Ref(f"{title}, phase {phase}" if phase else title, plan_path(plan_id), f"phase-{phase}" if phase else "")


def print_header(title: str, plan: Plan, as_of: date) -> str:
    """What a printout must carry on every page to be trusted on its own."""
    model = f" · model {plan.model.name} {plan.model.version}" if plan.model else ""
    return f"{title} · {label(plan.status)}{model} · as of {as_of}"


def _amount(value: float | None, unit: str | None) -> str:
    if value is None:
        return ""
    return f"{value:g} {unit}".strip() if unit else f"{value:g}"


def covers_text(covers: Covers | None) -> str:
    if covers is None:
        return ""
    parts = []
    if covers.regions:
        parts.append("regions " + ", ".join(covers.regions))
    if covers.max_traffic is not None:
        parts.append(f"up to {covers.max_traffic:g}% of traffic")
    if covers.environments:
        parts.append("environments " + ", ".join(covers.environments))
    if covers.cohorts:
        parts.append("cohorts " + ", ".join(covers.cohorts))
    return "; ".join(parts) or "any scope"
