"""Rollback: when to roll back, how, and who may decide."""

from __future__ import annotations

from collections.abc import Iterator

from plangen.analysis.context import PlanContext
from plangen.analysis.registry import Hit, rule


@rule(
    "rollback-triggers", pillar="rollback", severity="error",
    summary="No rollback triggers, or a trigger with no `decided_by`.",
    why="Without agreed triggers, the decision to roll back is argued during the incident; "
        "without a decider, nobody makes it.",
    fix="Add `rollback.triggers` with a symptom, a signal, an action and `decided_by` for each.",
)
def rollback_triggers(ctx: PlanContext) -> Iterator[Hit]:
    rollback = ctx.plan.rollback
    if rollback is None or not rollback.triggers:
        yield Hit(ctx.where(("rollback", "triggers"), ("rollback",)), "no rollback triggers: nothing says when to roll back")
        return
    for i, trigger in enumerate(rollback.triggers):
        if trigger.decided_by is None:
            yield Hit(("rollback", "triggers", i), f"trigger '{trigger.id}' has no decided_by")


@rule(
    "rollback-steps", pillar="rollback", severity="error",
    summary="No rollback steps, or a step with no owner.",
    why="A rollback designed during an incident is slow and error-prone; a step without an owner "
        "waits for someone to notice it.",
    fix="Add `rollback.steps`, each with `do`, `owner`, and ideally `command`, `expect` and `time`.",
)
def rollback_steps(ctx: PlanContext) -> Iterator[Hit]:
    rollback = ctx.plan.rollback
    if rollback is None or not rollback.steps:
        yield Hit(ctx.where(("rollback", "steps"), ("rollback",)), "no rollback steps: the runbook says nothing to do")
        return
    for i, step in enumerate(rollback.steps):
        if step.owner is None:
            yield Hit(("rollback", "steps", i), f"rollback step {i + 1} has no owner")


@rule(
    "rollback-authority", pillar="rollback", severity="error",
    summary="Nobody in `authority.rollback` (error); it resolves to fewer than 2 people (warning).",
    why="Someone must be allowed to order a rollback at any hour; one person is a single point "
        "of failure when they are asleep, ill or on leave.",
    fix="List at least two people, or a role or team held by two or more, under `authority.rollback`.",
)
def rollback_authority(ctx: PlanContext) -> Iterator[Hit]:
    authority = ctx.plan.authority
    if authority is None or not authority.rollback:
        yield Hit(ctx.where(("authority", "rollback"), ("authority",)), "nobody may order a rollback (authority.rollback)")
        return
    people = ctx.people(authority.rollback)
    if len(people) == 1:
        message = f"rollback authority resolves to 1 person ({next(iter(people))}); name a second"
    elif not people:
        names = ", ".join(authority.rollback)
        message = (f"rollback authority ({names}) resolves to no person: no one holds the role or is in the "
                   "team; name at least two people")
    else:
        return
    yield Hit(("authority", "rollback"), message, severity="warning")
