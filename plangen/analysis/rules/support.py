"""Support: who receives incidents, how they escalate, whether support is ready."""

from __future__ import annotations

from collections.abc import Iterator

from plangen.analysis.context import PlanContext
from plangen.analysis.registry import Hit, rule


@rule(
    "support-escalation", pillar="support", severity="error",
    summary="No incident owner or no escalation path.",
    why="Incidents need a receiver and a way up; otherwise they wait in a queue nobody owns.",
    fix="Set `support.incident_owner` and list `support.escalation` levels with teams and response times.",
)
def support_escalation(ctx: PlanContext) -> Iterator[Hit]:
    support = ctx.plan.support
    missing = []
    if support is None or support.incident_owner is None:
        missing.append("no incident owner")
    if support is None or not support.escalation:
        missing.append("no escalation path")
    if missing:
        yield Hit(ctx.where(("support",)), f"support has {' and '.join(missing)}")


@rule(
    "support-readiness", pillar="support", severity="warning",
    summary="Readiness items not done while status is approved or rolling-out.",
    why="An approved or live release with support not ready leaves users and the service desk "
        "to find out together.",
    fix="Finish the item and set `done: true`, or hold the plan's status until it is.",
)
def support_readiness(ctx: PlanContext) -> Iterator[Hit]:
    if ctx.plan.status not in ("approved", "rolling-out") or ctx.plan.support is None:
        return
    for i, item in enumerate(ctx.plan.support.readiness):
        if not item.done:
            yield Hit(("support", "readiness", i), f"support readiness not done: {item.item}")
