"""Approvals: governance tied into the rollout, in date and in scope."""

from __future__ import annotations

from collections.abc import Iterator

from plangen.analysis.context import PlanContext
from plangen.analysis.decision import scope_excess
from plangen.analysis.registry import Hit, rule


@rule(
    "approval-unbound", pillar="approvals", severity="warning",
    summary="An approval that gates no phase (governance outside the rollout design).",
    why="An approval that is not tied to a phase is a final sign-off nobody waits for; governance "
        "timing and release timing drift apart unnoticed.",
    fix="Set `before:` to the phase ids the approval must precede.",
)
def approval_unbound(ctx: PlanContext) -> Iterator[Hit]:
    for i, approval in enumerate(ctx.plan.approvals):
        if not approval.before:
            yield Hit(("approvals", i), f"approval '{approval.id}' gates no phase (before is empty)")


@rule(
    "approval-expiry", pillar="approvals", severity="error",
    summary="An approval expired as of the build date (error), or expiring before the release "
            "window ends (warning).",
    why="A lapsed approval means the rollout runs without the mandate it claims.",
    fix="Renew the approval and update `expires_on`, or end the rollout before it lapses.",
)
def approval_expiry(ctx: PlanContext) -> Iterator[Hit]:
    window = ctx.plan.release_window
    for i, approval in enumerate(ctx.plan.approvals):
        if ctx.decision.history(approval.before):
            continue  # it gated only finished phases: a record, not a mandate still needed
        expires = approval.expires_on
        if approval.status == "expired" or (expires is not None and expires < ctx.as_of):
            when = f" on {expires}" if expires is not None and expires < ctx.as_of else ""
            yield Hit(("approvals", i), f"approval '{approval.id}' {'expired' + when if when else 'has expired'}")
        elif expires is not None and window is not None and window.end is not None and expires < window.end:
            yield Hit(
                ("approvals", i),
                f"approval '{approval.id}' expires on {expires}, before the release window ends on {window.end}",
                severity="warning",
            )


@rule(
    "approval-scope", pillar="approvals", severity="error",
    summary="A phase whose regions or traffic exceed what its gating approval `covers`.",
    why="An approval grants a scope; exposing more regions or traffic than approved is a rollout "
        "without approval, however the status reads.",
    fix="Shrink the phase to the approved scope, or get the approval's `covers` widened.",
)
def approval_scope(ctx: PlanContext) -> Iterator[Hit]:
    for phase in ctx.plan.rollout.phases:
        for approval in ctx.approvals_for(phase.id):
            excess = scope_excess(phase, approval)
            if excess:
                yield Hit(
                    ctx.phase_path(phase),
                    f"phase '{phase.id}' exceeds approval '{approval.id}': {'; '.join(excess)}",
                )


@rule(
    "gate-open", pillar="approvals", severity="error",
    summary="A phase `active` or `complete` (or paused or rolled back: it ran) while a gating approval "
            "is not granted or a gating check not passed; or (since 1.1) still active, or complete, after its "
            "own analysis failed.",
    why="The gate was passed without its approval or evidence; an auditor will find it first.",
    fix="Record the approval or check result, or set the phase back to planned or paused (after a failed "
        "analysis: paused or rolled back, as its `on_failure` says).",
)
def gate_open(ctx: PlanContext) -> Iterator[Hit]:
    for phase in ctx.plan.rollout.phases:
        open_gates = ctx.decision.phases[phase.id].open_gates
        if open_gates:
            yield Hit(ctx.phase_path(phase), f"phase '{phase.id}' is {phase.status} but {'; '.join(open_gates)}")


@rule(
    "review-stale", pillar="approvals", severity="warning",
    summary="`review_by` passed as of the build date.",
    why="A plan past its review date may no longer describe the system, the people or the risks.",
    fix="Review the plan with its approvers and move `review_by` forward.",
)
def review_stale(ctx: PlanContext) -> Iterator[Hit]:
    if ctx.plan.review_by is not None and ctx.plan.review_by < ctx.as_of:
        yield Hit(("review_by",), f"the plan was due for review on {ctx.plan.review_by}")


@rule(
    "approval-stale", pillar="approvals", severity="error", applies=lambda ctx: False,
    summary="A granted approval whose gated phases changed after it was decided: more traffic, regions or "
            "cohorts, another environment or scope, a phase added to what it gates, or changed rollback "
            "steps (read from git: the plan as it was on `decided_on`).",
    why="An approval covers the plan its approver read. Once the plan widens, the `covers` may still fit, "
        "but what was approved is no longer what will run.",
    fix="Ask the approver to review the change and record the new decision (`decided_on`), or undo the change.",
)
def approval_stale(ctx: PlanContext) -> Iterator[Hit]:
    return iter(())  # needs the plan's history: analysis/stale.py finds it
