"""Integration: the workflow the output enters, and what the release depends on."""

from __future__ import annotations

from collections.abc import Iterator

from plangen.analysis.context import PlanContext
from plangen.analysis.registry import Hit, rule
from plangen.model.plan import Dependency

_NEEDS_FALLBACK = ("release-critical", "pause-trigger")


def _open(ctx: PlanContext) -> Iterator[tuple[int, Dependency]]:
    """Dependencies still to deliver: not done, and gating a phase that is not
    finished (those of finished phases are history)."""
    for i, dep in enumerate(ctx.plan.dependencies):
        if dep.status != "done" and not ctx.decision.history(dep.needed_for):
            yield i, dep


@rule(
    "dependency-owner", pillar="integration", severity="error",
    summary="A release-critical dependency with no owner or no `needed_by`.",
    why="A dependency without an owner and a date is a hope, not a plan; it surfaces on release day.",
    fix="Name the `owner` (a person, team or role) and the `needed_by` date.",
)
def dependency_owner(ctx: PlanContext) -> Iterator[Hit]:
    for i, dep in _open(ctx):
        if dep.criticality != "release-critical":
            continue
        missing = [name for name, value in (("owner", dep.owner), ("needed_by", dep.needed_by)) if value is None]
        if missing:
            yield Hit(("dependencies", i), f"release-critical dependency '{dep.id}' has no {' and no '.join(missing)}")


@rule(
    "dependency-fallback", pillar="integration", severity="warning",
    summary="A release-critical or pause-trigger dependency with no fallback.",
    why="When a critical dependency slips, the choice is between delay and improvisation unless a "
        "fallback was agreed beforehand.",
    fix="Describe the `fallback`: what the release does if the dependency is late or fails.",
)
def dependency_fallback(ctx: PlanContext) -> Iterator[Hit]:
    for i, dep in _open(ctx):
        if dep.criticality in _NEEDS_FALLBACK and dep.fallback is None:
            yield Hit(("dependencies", i), f"{dep.criticality} dependency '{dep.id}' has no fallback")


@rule(
    "dependency-late", pillar="integration", severity="error",
    summary="`needed_by` after the start of a phase it gates; or overdue and not done. A warning "
            "for a `workaround` dependency that has a fallback.",
    why="A dependency scheduled after the phase that needs it blocks that phase; an overdue one "
        "already does.",
    fix="Bring `needed_by` before the phase starts, move the phase, or update the status.",
)
def dependency_late(ctx: PlanContext) -> Iterator[Hit]:
    for i, dep in _open(ctx):
        if dep.needed_by is None:
            continue
        reasons = []
        for phase_id in dep.needed_for:
            start = ctx.times[phase_id].first_day
            if start is not None and dep.needed_by > start and not ctx.decision.phases[phase_id].finished:
                reasons.append(f"needed by {dep.needed_by}, after phase '{phase_id}' starts on {start}")
        if dep.needed_by < ctx.as_of:
            reasons.append(f"overdue since {dep.needed_by} and {dep.status}")
        if reasons:
            # A workaround with an agreed fallback does not stop the release.
            mild = dep.criticality == "workaround" and dep.fallback is not None
            yield Hit(("dependencies", i), f"dependency '{dep.id}' is late: {'; '.join(reasons)}",
                      severity="warning" if mild else None)


@rule(
    "human-step", pillar="integration", severity="error",
    summary="Risk high or critical and no human step after the model in the workflow (plans that "
            "release a model: a `model` section or a workflow step with `actor: model`).",
    why="When errors are costly, a person must see the model's output before it takes effect.",
    fix="Add a `human` step after the last `model` step in `integration.workflow`, with its `role`.",
)
def human_step(ctx: PlanContext) -> Iterator[Hit]:
    if ctx.plan.risk not in ("high", "critical") or not ctx.releases_model:
        return
    workflow = ctx.plan.integration.workflow if ctx.plan.integration else []
    model_steps = [i for i, step in enumerate(workflow) if step.actor == "model"]
    where = ctx.where(("integration", "workflow"), ("integration",))
    if model_steps:
        if not any(step.actor == "human" for step in workflow[model_steps[-1] + 1 :]):
            yield Hit(where, f"{ctx.plan.risk}-risk plan has no human step after the model step")
    elif not any(step.actor == "human" for step in workflow):
        what = "has no workflow" if not workflow else "has no human step in its workflow"
        yield Hit(where, f"{ctx.plan.risk}-risk model release {what}; add the model step and the human step after it")
