"""Rollback: when to roll back, how, and who may decide."""

from __future__ import annotations

from collections.abc import Iterator

from datetime import timedelta

from plangen.analysis.context import PlanContext, analysis_time
from plangen.analysis.registry import Hit, rule
from plangen.errors import human_duration
from plangen.model.base import duration_delta


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
    # An automation rolls back by itself; someone must still be able to order it by hand.
    humans = [who for who in authority.rollback if who not in ctx.site.automations]
    if not humans:
        yield Hit(("authority", "rollback"), f"only automations may roll back ({', '.join(authority.rollback)}): "
                  "nobody can order a rollback by hand when they fail")
        return
    people = ctx.people(humans)
    if len(people) == 1:
        message = f"rollback authority resolves to 1 person ({next(iter(people))}); name a second"
    elif not people:
        names = ", ".join(humans)
        message = (f"rollback authority ({names}) resolves to no person: no one holds the role or is in the "
                   "team; name at least two people")
    else:
        return
    yield Hit(("authority", "rollback"), message, severity="warning")


@rule(
    "rollback-window", pillar="rollback", severity="warning",
    summary="The rollback window closes before the analyses of the phase that opens it can decide (since 1.1).",
    why="A blue-green switch back works only while the old version is kept; if the analysis after the "
        "switch fails once the old version is gone, the only way back is a slow redeploy.",
    fix="Lengthen `rollback.window.lasts` (e.g. the scale-down delay) beyond the analyses' time, or shorten "
        "the analyses.",
    applies=lambda ctx: bool(ctx.plan.rollback and ctx.plan.rollback.window),
)
def rollback_window(ctx: PlanContext) -> Iterator[Hit]:
    window = ctx.plan.rollback.window if ctx.plan.rollback else None
    if window is None:
        return
    phase = ctx.window_phase
    if ctx.decision.phases[phase.id].finished:
        return
    open_for = duration_delta(window.lasts) if window.lasts else timedelta()
    for gate in phase.analysis:
        needs = analysis_time(gate)
        if needs is not None and needs > open_for:
            closes = f"{human_duration(open_for)} after" if open_for else "when"
            yield Hit(("rollback", "window"), f"the rollback window closes {closes} phase '{phase.id}' starts, but "
                      f"its analysis '{gate.id}' needs {human_duration(needs)} to decide")
