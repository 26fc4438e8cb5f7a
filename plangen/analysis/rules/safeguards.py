"""Safeguards: release validation, monitoring for the model, evidence for audit."""

from __future__ import annotations

from collections.abc import Iterator

from plangen.analysis.context import PlanContext
from plangen.analysis.registry import Hit, rule


@rule(
    "validation-missing", pillar="safeguards", severity="error",
    summary="No release validation checks.",
    why="Go/no-go needs evidence; without checks the release is approved on trust.",
    fix="Add `validation` checks with an owner, the phases they gate (`before`) and a status.",
)
def validation_missing(ctx: PlanContext) -> Iterator[Hit]:
    if not ctx.plan.validation:
        yield Hit(ctx.where(("validation",)), "no release validation checks")


@rule(
    "monitoring-drift", pillar="safeguards", severity="warning",
    summary="No monitoring of kind model or drift (plans that release a model: a `model` section or "
            "a workflow step with `actor: model`).",
    why="A model degrades silently as its inputs change; technical health metrics do not show it.",
    fix="Add a `monitoring` entry of kind `model` (e.g. override rate) or `drift` (e.g. PSI).",
)
def monitoring_drift(ctx: PlanContext) -> Iterator[Hit]:
    if ctx.releases_model and not any(m.kind in ("model", "drift") for m in ctx.plan.monitoring):
        yield Hit(ctx.where(("monitoring",)), "nothing monitors the model's behaviour or input drift")


@rule(
    "audit-evidence", pillar="safeguards", severity="warning",
    summary="No evidence items.",
    why="What is not preserved during the rollout cannot be shown to an auditor or used in a "
        "post-incident review.",
    fix="List in `evidence` what is kept (reports, decisions, logs), where, and for how long.",
)
def audit_evidence(ctx: PlanContext) -> Iterator[Hit]:
    if not ctx.plan.evidence:
        yield Hit(ctx.where(("evidence",)), "no evidence items: nothing is preserved for audit")


@rule(
    "safeguard-state", pillar="safeguards", severity="warning",
    summary="A safeguard still planned, or disabled, while a phase is live or next (since 1.1).",
    why="A kill switch or fallback that is not in place protects nothing; the plan reads safer than the "
        "release is.",
    fix="Put the safeguard in place before the phase starts, or say in the plan what replaces it.",
    applies=lambda ctx: any(s.state for s in ctx.plan.safeguards),
)
def safeguard_state(ctx: PlanContext) -> Iterator[Hit]:
    decision = ctx.decision
    if decision.over or not (decision.live or decision.next):
        return
    for i, guard in enumerate(ctx.plan.safeguards):
        if guard.state in ("planned", "disabled"):
            yield Hit(("safeguards", i, "state"), f"safeguard '{guard.name}' is {guard.state} while the rollout "
                      "is under way" if decision.live else f"safeguard '{guard.name}' is {guard.state} before the "
                      "next phase")
