"""Rules across plans: a plan alone cannot break them, so their check here
finds nothing and they do not count in a plan's completeness. The findings
come from analysis/conflicts.py, which sees every plan at once; they are
registered here for their ids, severities, waivers and documentation."""

from __future__ import annotations

from collections.abc import Iterator

from plangen.analysis.context import PlanContext
from plangen.analysis.registry import Hit, rule


def _alone(ctx: PlanContext) -> Iterator[Hit]:
    return iter(())


def _never(ctx: PlanContext) -> bool:
    return False


rule(
    "conflict-dependency", pillar="rollout", severity="warning", applies=_never,
    summary="Across plans: a phase that runs while a phase of another plan runs, both needing the same "
            "release-critical dependency (the same name, or the same phase of another plan).",
    why="Two rollouts leaning on one dependency at once double its load and tangle their incidents: "
        "when it fails, both roll back, and neither plan shows the other.",
    fix="Move one phase so they do not overlap, or agree the order with the other plan's owner and "
        "waive the finding with the reason.",
)(_alone)

rule(
    "conflict-system", pillar="integration", severity="warning", applies=_never,
    summary="Across plans: a phase that runs while a phase of another plan runs, both using the same "
            "system of `integration.systems`.",
    why="Changes that reach the same system at the same time make its behaviour impossible to pin on "
        "either release; a regression is found late and rolled back twice.",
    fix="Stagger the phases, or agree with the other plan's owner who goes first and waive the finding "
        "with the reason.",
)(_alone)

rule(
    "conflict-person", pillar="support", severity="warning", applies=_never,
    summary="Across plans: a phase that runs while a phase of another plan runs, both relying on the same "
            "person for rollback authority or escalation (teams and roles resolved to their people).",
    why="One person cannot decide two rollbacks or answer two escalations at the same moment; "
        "the second incident waits.",
    fix="Stagger the phases, or name someone else on one plan's `authority.rollback` or "
        "`support.escalation`.",
)(_alone)

rule(
    "approver-load", pillar="approvals", severity="warning", applies=_never,
    summary="Across plans: an approver with more pending approvals due in one week than "
            "`limits.approvals_per_week` in site.yaml (off when no limit is set).",
    why="An approver's queue has a capacity; past it, decisions are rushed or late, and the phases "
        "they gate slip together.",
    fix="Ask for the approvals earlier, spread the phases they gate over more weeks, or share the "
        "approvals with a deputy.",
)(_alone)
