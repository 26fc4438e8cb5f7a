"""The deployment plan, format plangen/v1. Key names are a contract.

Fields a readiness rule checks are optional here: their absence is a lint
finding, not a validation error, so a draft can be validated and published.
Docstrings become the JSON Schema that editors show.
"""

from __future__ import annotations

from typing import Literal, get_args

from pydantic import Field

from plangen.model.base import (
    Day, Duration, Items, LongText, Moment, Number, Percent, Slug, StrictModel, Text, Url, Who, since_1_1,
)

V1, V1_1 = "plangen/v1", "plangen/v1.1"
FORMAT = V1_1  # the newest; every plangen/v1 plan is also a valid plangen/v1.1 plan

RuleId = Literal[
    "rollback-triggers",
    "rollback-steps",
    "rollback-authority",
    "approval-unbound",
    "approval-expiry",
    "approval-scope",
    "gate-open",
    "dependency-owner",
    "dependency-fallback",
    "dependency-late",
    "phase-scope",
    "phase-exit",
    "strategy-risk",
    "window-freeze",
    "schedule-slip",
    "support-escalation",
    "support-readiness",
    "validation-missing",
    "human-step",
    "audit-evidence",
    "monitoring-drift",
    "review-stale",
    "analysis-action",
    "analysis-time",
    "rollback-window",
    "safeguard-state",
    "conflict-dependency",
    "conflict-system",
    "conflict-person",
    "approver-load",
    "approval-stale",
]
RULE_IDS: tuple[str, ...] = get_args(RuleId)

PlanStatus = Literal["draft", "in-review", "approved", "rolling-out", "paused", "rolled-back", "complete", "retired"]
Risk = Literal["low", "medium", "high", "critical"]
Strategy = Literal["pilot", "phased", "shadow", "parallel", "segment", "canary", "blue-green", "full"]
PhaseKind = Literal["shadow", "parallel", "pilot", "segment", "canary", "full"]
PhaseStatus = Literal["planned", "active", "complete", "paused", "rolled-back", "skipped"]
OnFailure = Literal["stop", "pause", "rollback"]


class ModelVersion(StrictModel):
    """The model being released, and the one rollback returns to."""

    name: Text
    """Model name, as in the model registry."""
    version: Text
    """Version being released, read as text: 1.10 stays 1.10."""
    previous_version: Text | None = None
    """The version a rollback returns to."""
    registry: Url | None = None
    """Link to this version in the model registry (http, https or mailto)."""
    evaluation: Url | None = None
    """Link to the evaluation report for this version."""


class Objective(StrictModel):
    """A business or technical KPI the release is judged by."""

    metric: Text
    """What is measured, e.g. "Manual review hours per week"."""
    kind: Literal["business", "technical"] | None = None
    """business or technical."""
    baseline: Number | None = None
    """Value before the release."""
    target: Number | None = None
    """Value the release aims for."""
    unit: Text | None = None
    """Unit of baseline and target, e.g. h, ms, %."""


class Freeze(StrictModel):
    """A period in which nothing may be released."""

    from_: Day = Field(alias="from")
    """First day of the freeze (YYYY-MM-DD)."""
    to: Day
    """Last day of the freeze (YYYY-MM-DD)."""
    reason: Text | None = None
    """Why releases are frozen."""


class ReleaseWindow(StrictModel):
    """When the release may happen."""

    start: Day
    """First day of the window (YYYY-MM-DD)."""
    end: Day | None = None
    """Last day of the window (YYYY-MM-DD)."""
    timezone: Text | None = None
    """IANA time zone of the release team, e.g. Europe/London."""
    freezes: Items[Freeze] = []
    """Change freezes inside or around the window."""


class Analysis(StrictModel):
    """An automated check that decides during its phase: it measures a metric
    at an interval and promotes the phase, or stops it, by itself."""

    id: Slug
    """Analysis id, unique in the plan."""
    metric: Text
    """What is measured, e.g. "success rate of checkout requests"."""
    provider: Text | None = None
    """Where the metric comes from, e.g. prometheus, datadog, a job."""
    query: LongText | None = None
    """The query or command that measures it, shown as code."""
    interval: Duration | None = None
    """Time between measurements."""
    count: int | None = Field(None, ge=1, le=100_000)
    """How many measurements are taken. Absent: measured until the phase ends."""
    initial_delay: Duration | None = None
    """Wait before the first measurement."""
    success: Text | None = None
    """The condition a measurement must meet, e.g. "result >= 0.95"."""
    failure: Text | None = None
    """The condition that counts a measurement as failed, e.g. "result < 0.90"."""
    failure_limit: int | None = Field(None, ge=0, le=100_000)
    """How many failed measurements are tolerated; one more fails the analysis."""
    on_failure: OnFailure | None = None
    """stop | pause | rollback: what happens when the analysis fails."""
    decided_by: Who | None = None
    """The automation (or person, team or role) that acts on the result."""
    dry_run: bool = False
    """true: measured and shown, but its result never stops the phase (Argo Rollouts' dryRun)."""
    dashboard: Url | None = None
    """Link to the results."""
    status: Literal["pending", "running", "passed", "failed", "inconclusive"] = "pending"
    """pending | running | passed | failed | inconclusive."""


class Alternative(StrictModel):
    """Another way to carry out a step."""

    do: Text
    """What to do instead."""
    when: Text | None = None
    """When this way is taken, e.g. "if the controller is unreachable"."""
    owner: Who | None = None
    """Who does it."""
    command: LongText | None = None
    """Command to run, shown in a code block."""


class Step(StrictModel):
    """One numbered step of a procedure."""

    do: Text
    """What to do."""
    owner: Who | None = None
    """Who does it: a person, team or role, or since 1.1 an automation."""
    command: LongText | None = None
    """Command to run, shown in a code block."""
    expect: Text | None = None
    """What you should see when it worked."""
    time: Duration | None = None
    """Expected time: a whole number and m, h, d or w; s for seconds since 1.1."""
    when: Text | None = since_1_1(None)
    """Do the step only in this case, e.g. "if the version was downgraded"."""
    alternatives: Items[Alternative] = since_1_1([])
    """Other ways to carry the step out, each with when it applies."""


class Phase(StrictModel):
    """One step of the controlled introduction."""

    id: Slug
    """Phase id, unique in the plan; other sections refer to it."""
    name: Text
    """Human name of the phase."""
    kind: PhaseKind
    """shadow | parallel | pilot | segment | canary | full."""
    scope: Text | None = None
    """Who or what is exposed in this phase."""
    regions: Items[Text] = []
    """Regions exposed. None listed means unrestricted."""
    environment: Text | None = since_1_1(None)
    """Environment the phase runs in, e.g. staging or production."""
    cohorts: Items[Text] = since_1_1([])
    """Groups of users exposed, e.g. internal users, a project or a customer group. None listed means all."""
    traffic: Percent | None = None
    """Percent (0-100) of eligible volume exposed."""
    after: Items[Slug] | None = None
    """Phase ids that must end first. Absent: the previous phase in the list; [] for none."""
    start: Moment | None = None
    """Start day, or since 1.1 day and time (2026-12-01T02:00, in the window's timezone). Absent: when the phases in `after` end, else the release window start."""
    end: Moment | None = None
    """Last day (inclusive), or since 1.1 the moment it ends (YYYY-MM-DDTHH:MM). Give `end` or `duration`, not both."""
    duration: Duration | None = None
    """How long the phase runs: a whole number and m, h, d or w (90m, 5d, 1w); s for seconds since 1.1."""
    minimum: Duration | None = since_1_1(None)
    """The shortest time the phase must run before the next may start (a bake time), however soon its checks pass."""
    status: PhaseStatus = "planned"
    """planned | active | complete | paused | rolled-back | skipped."""
    exit_criteria: Items[Text] = []
    """What must hold before the next phase starts."""
    on_failure: OnFailure | None = None
    """stop | pause | rollback: what happens when the exit criteria fail."""
    analysis: Items[Analysis] = since_1_1([])
    """Automated checks that run during the phase and promote it, or stop it, by themselves."""
    steps: Items[Step] = since_1_1([])
    """The procedure that carries the phase out, in order."""


class Rollout(StrictModel):
    """How the capability is introduced: the strategy and its phases."""

    strategy: Strategy | None = None
    """pilot | phased | shadow | parallel | segment | canary | blue-green | full."""
    rationale: LongText | None = None
    """Why this strategy fits the risk."""
    phases: Items[Phase] = Field(min_length=1)
    """The phases, in their default order."""


class WorkflowStep(StrictModel):
    """One step of the live workflow the model output enters."""

    step: Text
    """What happens."""
    actor: Literal["system", "model", "human"]
    """system | model | human."""
    system: Text | None = None
    """The system where it happens."""
    role: Who | None = None
    """The person, team or role who acts (for human steps)."""
    evidence: Text | None = None
    """What is recorded for audit."""


class System(StrictModel):
    """A system the model exchanges data with."""

    name: Text
    """System name."""
    direction: Literal["in", "out", "both"] | None = None
    """in (feeds the model), out (receives its output) or both."""
    interface: Text | None = None
    """How: feed, API, file..."""
    owner: Who | None = None
    """Who owns the system."""


class Integration(StrictModel):
    """How the output enters the live workflow."""

    workflow: Items[WorkflowStep] = []
    """The workflow steps, in order."""
    systems: Items[System] = []
    """Systems involved."""


class Dependency(StrictModel):
    """Something outside the team the release needs."""

    id: Slug
    """Dependency id, unique in the plan."""
    name: Text
    """What is needed."""
    owner: Who | None = None
    """Who delivers it."""
    kind: Literal["team", "vendor", "system", "window", "legal"] | None = None
    """team | vendor | system | window | legal."""
    needed_by: Day | None = None
    """Day it must be done (YYYY-MM-DD)."""
    needed_for: Items[Slug] = []
    """Phase ids it gates."""
    status: Literal["not-started", "in-progress", "at-risk", "blocked", "done"] = "not-started"
    """not-started | in-progress | at-risk | blocked | done."""
    criticality: Literal["release-critical", "workaround", "pause-trigger"] | None = None
    """release-critical | workaround | pause-trigger."""
    fallback: Text | None = None
    """What happens if it is not there in time."""
    plan: Slug | None = since_1_1(None)
    """Another plan this one waits for: its id. The status is then read from that plan."""
    phase: Slug | None = since_1_1(None)
    """The phase of that plan that must be complete. Absent: the whole plan."""


class Covers(StrictModel):
    """The scope an approval grants."""

    regions: Items[Text] = []
    """Regions approved. None listed means any region."""
    max_traffic: Percent | None = None
    """Highest traffic percent approved."""
    environments: Items[Text] = since_1_1([])
    """Environments approved. None listed means any environment."""
    cohorts: Items[Text] = since_1_1([])
    """Cohorts approved. None listed means any cohort."""


class Approval(StrictModel):
    """A governance decision that gates phases."""

    id: Slug
    """Approval id, unique in the plan."""
    name: Text
    """What is approved."""
    approver: Who
    """Person, team or role who decides."""
    before: Items[Slug] = []
    """Phase ids this approval gates."""
    covers: Covers | None = None
    """The approved scope."""
    conditions: Items[Text] = []
    """Conditions attached to the approval."""
    when: Text | None = since_1_1(None)
    """The approval is needed only in this case, e.g. "for criticality 1 and 2 changes"."""
    status: Literal["pending", "granted", "rejected", "expired", "not-required"] = "pending"
    """pending | granted | rejected | expired; since 1.1 not-required, for an approval with `when` whose case does not apply."""
    decided_on: Day | None = None
    """Day of the decision."""
    expires_on: Day | None = None
    """Day the approval lapses."""
    evidence: Url | None = None
    """Link to the decision record."""


class Authority(StrictModel):
    """Who may decide during the rollout."""

    rollback: Items[Who] = []
    """Who may order a rollback."""
    pause: Items[Who] = []
    """Who may pause the rollout."""
    emergency_change: Items[Who] = []
    """Who may approve an emergency change."""


class Safeguard(StrictModel):
    """A production control around the model."""

    name: Text
    """What the safeguard is."""
    kind: Literal["human-in-the-loop", "threshold", "kill-switch", "rate-limit", "fallback", "access-control"] | None = None
    """human-in-the-loop | threshold | kill-switch | rate-limit | fallback | access-control."""
    description: Text | None = None
    """How it works."""
    owner: Who | None = None
    """Who runs it."""
    state: Literal["in-place", "planned", "disabled"] | None = since_1_1(None)
    """in-place | planned | disabled. Absent: in place."""


class Monitor(StrictModel):
    """A signal watched during and after the rollout."""

    metric: Text
    """What is watched."""
    id: Slug | None = None
    """Optional id, so that a rollback trigger can name it in `monitor:`."""
    kind: Literal["business", "technical", "model", "drift", "data"] | None = None
    """business | technical | model | drift | data."""
    threshold: Text | None = None
    """When it alerts, e.g. "> 40% over 24h"."""
    dashboard: Url | None = None
    """Link to the dashboard."""
    alert: Text | None = None
    """Where the alert goes, e.g. pagerduty:ml-oncall."""


class Check(StrictModel):
    """A release check: go/no-go evidence."""

    id: Slug
    """Check id, unique in the plan."""
    check: Text
    """What is checked."""
    owner: Who | None = None
    """Who runs the check."""
    before: Items[Slug] = []
    """Phase ids this check gates."""
    status: Literal["pending", "passed", "failed", "waived"] = "pending"
    """pending | passed | failed | waived."""
    evidence: Url | None = None
    """Link to the result."""


class Trigger(StrictModel):
    """A symptom that leads to rollback, pause or investigation."""

    id: Slug
    """Trigger id, unique in the plan."""
    symptom: Text
    """What people see."""
    signal: Text | None = None
    """The measurable signal."""
    action: Literal["rollback", "pause", "investigate"] | None = None
    """rollback | pause | investigate."""
    decided_by: Who | None = None
    """Who decides."""
    monitor: Text | None = None
    """The monitoring entry that shows the signal: its `id`, or its `metric` as written."""


class RollbackStep(Step):
    """One numbered step of the rollback runbook."""


class Message(StrictModel):
    """Who is told what, where, during a rollback."""

    audience: Text
    """Who is told."""
    channel: Text | None = None
    """Where."""
    message: Text | None = None
    """What they are told."""


class RollbackWindow(StrictModel):
    """How long a rollback stays possible: a blue-green switch back works only
    while the old version is kept; a feature gate cannot be turned off after GA."""

    phase: Slug | None = None
    """The phase whose start begins the countdown. Absent: the last phase."""
    lasts: Duration | None = None
    """How long after that start rollback stays possible. Absent: only until that phase starts."""
    reason: Text | None = None
    """Why the window closes, and what to do after: roll forward, restore from backup..."""


class Rollback(StrictModel):
    """The rollback runbook."""

    target: Text | None = None
    """The state a rollback returns to."""
    window: RollbackWindow | None = since_1_1(None)
    """How long a rollback stays possible."""
    triggers: Items[Trigger] = []
    """What starts a rollback, first in the runbook."""
    steps: Items[RollbackStep] = []
    """Numbered steps."""
    continuity: LongText | None = None
    """How the business keeps going meanwhile."""
    communication: Items[Message] = []
    """Who is told what."""


class ReadinessItem(StrictModel):
    """A support-readiness checklist item."""

    item: Text
    """What must be ready."""
    done: bool = False
    """Whether it is ready."""


class Escalation(StrictModel):
    """One level of the escalation path."""

    level: int = Field(ge=1)
    """1 is the first line."""
    team: Who
    """Person, team or role at this level."""
    respond_within: Duration | None = None
    """Response time: a whole number and m, h, d or w; s for seconds since 1.1."""
    contact: Text | None = None
    """How to reach them, e.g. pagerduty:ml-oncall."""


class Triage(StrictModel):
    """How support recognises and sorts an issue."""

    symptom: Text
    """What is reported."""
    check: Text | None = None
    """What to check."""
    action: Text | None = None
    """What to do next."""


class Support(StrictModel):
    """Who receives incidents and how they escalate."""

    incident_owner: Who | None = None
    """Who owns incidents."""
    hours: Text | None = None
    """Support hours."""
    readiness: Items[ReadinessItem] = []
    """Support-readiness checklist."""
    escalation: Items[Escalation] = []
    """Escalation levels."""
    triage: Items[Triage] = []
    """Triage guide."""


class EvidenceItem(StrictModel):
    """Something preserved during rollout, for audit."""

    item: Text
    """What is kept."""
    where: Text | None = None
    """Where it is kept (free text: s3://..., a share, a URL)."""
    retain: Text | None = None
    """How long, e.g. 7y."""


class Waiver(StrictModel):
    """A readiness finding accepted on purpose."""

    rule: RuleId
    """The readiness rule id waived."""
    reason: Text
    """Why it is accepted."""
    approved_by: Who
    """Who accepted it."""


class Relation(StrictModel):
    """How this plan relates to another plan."""

    kind: Literal["supersedes", "cites", "related"]
    """supersedes | cites | related."""
    plan: Slug
    """The other plan's id."""
    note: Text | None = None
    """Why."""


class Communication(StrictModel):
    """Who is told what during the rollout."""

    phase: Slug | None = None
    """The phase it is tied to. Absent: every phase."""
    when: Literal["before", "start", "end"] = "start"
    """before | start | end of the phase."""
    audience: Text
    """Who is told."""
    channel: Text | None = None
    """Where."""
    message: Text | None = None
    """What they are told."""


class Plan(StrictModel):
    """A deployment plan (format plangen/v1 or plangen/v1.1)."""

    format: Literal["plangen/v1", "plangen/v1.1"]
    """plangen/v1, or plangen/v1.1 to use what 1.1 adds (see "Format versions")."""
    id: Slug
    """Plan id; defaults to the file name without .yaml. Unique across plans."""
    title: Text
    """Plan title."""
    summary: LongText | None = None
    """What the release does, for whom. Paragraphs are kept."""
    owner: Who
    """Person, team or role accountable for the plan."""
    status: PlanStatus
    """draft | in-review | approved | rolling-out | paused | rolled-back | complete | retired."""
    risk: Risk
    """low | medium | high | critical: the consequence of an error."""
    tags: Items[Text] = []
    """Free tags."""
    review_by: Day | None = None
    """The plan must be re-reviewed by then."""
    model: ModelVersion | None = None
    """The model being released."""
    objectives: Items[Objective] = []
    """Business and technical KPIs."""
    release_window: ReleaseWindow | None = None
    """When the release may happen, and freezes."""
    rollout: Rollout
    """Strategy and phases."""
    integration: Integration | None = None
    """How the output enters the live workflow."""
    dependencies: Items[Dependency] = []
    """External dependencies with owners and dates."""
    approvals: Items[Approval] = []
    """Governance approvals tied to the phases they gate."""
    authority: Authority | None = None
    """Who may roll back, pause, or make emergency changes."""
    safeguards: Items[Safeguard] = []
    """Production safeguards."""
    monitoring: Items[Monitor] = []
    """Monitored signals."""
    validation: Items[Check] = []
    """Release checks."""
    rollback: Rollback | None = None
    """The rollback runbook."""
    support: Support | None = None
    """Support and escalation."""
    evidence: Items[EvidenceItem] = []
    """What is preserved for audit."""
    communications: Items[Communication] = since_1_1([])
    """Who is told what as the rollout goes."""
    relations: Items[Relation] = since_1_1([])
    """Plans this one supersedes, cites or relates to."""
    waivers: Items[Waiver] = []
    """Readiness findings accepted on purpose."""
