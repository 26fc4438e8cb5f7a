"""Rollout: phases with a scope, exit criteria, a strategy that fits the risk, a free calendar."""

from __future__ import annotations

from collections.abc import Iterator

from plangen.analysis.context import PlanContext
from plangen.analysis.context import analysis_time as needed
from plangen.analysis.registry import Hit, rule
from plangen.errors import human_duration, plural
from plangen.model.base import duration_delta


@rule(
    "phase-scope", pillar="rollout", severity="warning",
    summary="A pilot, segment or canary phase with no scope.",
    why="A controlled introduction is only controlled if everyone knows who is exposed.",
    fix="Say in `scope` which users, teams, regions or share of volume the phase covers.",
)
def phase_scope(ctx: PlanContext) -> Iterator[Hit]:
    for phase in ctx.plan.rollout.phases:
        if phase.kind in ("pilot", "segment", "canary") and phase.scope is None:
            yield Hit(ctx.phase_path(phase), f"{phase.kind} phase '{phase.id}' has no scope")


@rule(
    "phase-exit", pillar="rollout", severity="warning",
    summary="A phase other than the last with no exit criteria (finished phases aside).",
    why="Without exit criteria the next phase starts when the calendar says so, not when the "
        "evidence does.",
    fix="List measurable `exit_criteria` that must hold before the next phase starts.",
)
def phase_exit(ctx: PlanContext) -> Iterator[Hit]:
    for phase in ctx.plan.rollout.phases:
        if ctx.successors[phase.id] and not phase.exit_criteria and not ctx.decision.phases[phase.id].finished:
            yield Hit(ctx.phase_path(phase), f"phase '{phase.id}' has no exit criteria, but phases follow it")


@rule(
    "strategy-risk", pillar="rollout", severity="error",
    summary="Risk high or critical with a single full-release phase.",
    why="A big-bang release gives no chance to learn before everyone is exposed; high consequence "
        "of error calls for a pilot, shadow, segment or canary first.",
    fix="Add a shadow, pilot, segment or canary phase before the full release.",
)
def strategy_risk(ctx: PlanContext) -> Iterator[Hit]:
    phases = ctx.plan.rollout.phases
    if ctx.plan.risk in ("high", "critical") and len(phases) == 1 and phases[0].kind == "full":
        yield Hit(ctx.phase_path(phases[0]), f"{ctx.plan.risk}-risk plan goes straight to a full release")


@rule(
    "window-freeze", pillar="rollout", severity="error",
    summary="A phase scheduled inside a freeze (the plan's own or, since 1.1, the site's), or starting inside a "
            "weekly change lock.",
    why="Freezes protect critical business periods; a phase planned inside one will be refused or, "
        "worse, run without support.",
    fix="Move the phase (its `start`, `duration` or predecessors) out of the freeze.",
)
def window_freeze(ctx: PlanContext) -> Iterator[Hit]:
    for phase in ctx.plan.rollout.phases:
        if ctx.decision.phases[phase.id].finished:
            continue
        for freeze in ctx.freezes_hit(phase):
            how = "starts inside" if freeze.weekly else "runs inside"
            yield Hit(ctx.phase_path(phase), f"phase '{phase.id}' {how} {freeze.describe()}")


@rule(
    "schedule-slip", pillar="rollout", severity="warning",
    summary="A phase still active (or paused) after its end, or not started after its start, as of the "
            "build date.",
    why="A plan whose dates have passed misleads everyone who reads it: approvers, support rotas and "
        "other teams plan around dates that are no longer true.",
    fix="Update the phase's `status`, or move its `start`, `end` or `duration` to the dates that now hold.",
)
def schedule_slip(ctx: PlanContext) -> Iterator[Hit]:
    for phase in ctx.plan.rollout.phases:
        d = ctx.decision.phases[phase.id]
        if d.schedule == "late to start":
            yield Hit(ctx.phase_path(phase), f"phase '{phase.id}' was to start on {d.since} and is still "
                      f"{phase.status}: {plural(d.slip_days, 'day')} late")
        elif d.schedule == "overrunning":
            end = ctx.times[phase.id].last_day
            yield Hit(ctx.phase_path(phase), f"phase '{phase.id}' was to end on {end} and is still "
                      f"{phase.status}: {plural(d.slip_days, 'day')} over")




@rule(
    "analysis-action", pillar="rollout", severity="error",
    summary="A high- or critical-risk plan with an analysis that cannot stop its phase: no failure or success "
            "condition, or no `on_failure` (since 1.1).",
    why="An automated promotion is only a safeguard if a bad result stops it; an analysis that decides "
        "nothing promotes a high-risk change on the clock alone.",
    fix="Give the analysis a `failure` (or `success`) condition and an `on_failure` action: stop, pause or "
        "rollback.",
    applies=lambda ctx: any(p.analysis for p in ctx.plan.rollout.phases),
)
def analysis_action(ctx: PlanContext) -> Iterator[Hit]:
    if ctx.plan.risk not in ("high", "critical"):
        return
    for i, phase in enumerate(ctx.plan.rollout.phases):
        if ctx.decision.phases[phase.id].finished:
            continue
        for j, gate in enumerate(phase.analysis):
            if gate.dry_run:  # it is not meant to stop anything
                continue
            missing = [what for what, absent in (
                ("no failure or success condition", gate.failure is None and gate.success is None),
                ("no on_failure action", gate.on_failure is None)) if absent]
            if missing:
                yield Hit(("rollout", "phases", i, "analysis", j),
                          f"analysis '{gate.id}' of phase '{phase.id}' has {' and '.join(missing)}")


@rule(
    "analysis-time", pillar="rollout", severity="warning",
    summary="A phase planned to end before its analyses can decide or before its `minimum` time (since 1.1).",
    why="If the next phase starts before the measurements are in, the analysis gates nothing: the rollout "
        "is promoted on the calendar, not on evidence.",
    fix="Lengthen the phase (`duration` or `end`), or shorten the analysis (`interval`, `count`, "
        "`initial_delay`).",
    applies=lambda ctx: any(p.analysis or p.minimum for p in ctx.plan.rollout.phases),
)
def analysis_time(ctx: PlanContext) -> Iterator[Hit]:
    for phase in ctx.plan.rollout.phases:
        t = ctx.times[phase.id]
        if ctx.decision.phases[phase.id].finished or t.start is None or t.end is None or not ctx.successors[phase.id]:
            continue
        runs = t.end - t.start
        needs = [(f"its minimum is {human_duration(duration_delta(phase.minimum))}", duration_delta(phase.minimum))] \
            if phase.minimum else []
        needs += [(f"analysis '{g.id}' needs {human_duration(n)}", n) for g in phase.analysis
                  if not g.dry_run and (n := needed(g)) is not None]
        for what, time in needs:
            if time > runs:
                yield Hit(ctx.phase_path(phase), f"phase '{phase.id}' is planned to run {human_duration(runs)}, "
                          f"but {what}")
