"""The readiness rules: one small pure function each, registered by id.

A rule yields `Hit`s: where (a field path in the plan file) and what. The
lint runner turns hits into findings with positions, severities and waivers.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Literal

from plangen.analysis.context import PlanContext
from plangen.errors import FieldPath

Severity = Literal["error", "warning", "note"]
PILLARS = ("rollout", "integration", "approvals", "safeguards", "support", "rollback")


@dataclass(frozen=True)
class Hit:
    path: FieldPath  # () is the plan's first line
    message: str
    severity: Severity | None = None  # None: the rule's default


@dataclass(frozen=True)
class Rule:
    id: str
    pillar: str
    severity: Severity
    summary: str  # what it finds
    why: str  # why it matters
    fix: str  # how to fix it
    check: Callable[[PlanContext], Iterable[Hit]]
    applies: Callable[[PlanContext], bool] | None = None  # None: to every plan

    def scored(self, ctx: PlanContext) -> bool:
        """Whether the rule counts in the plan's completeness: a rule about a
        part the plan does not use (an analysis, a rollback window) neither
        lowers nor raises it."""
        return self.applies is None or self.applies(ctx)


_RULES: dict[str, Rule] = {}


def rule(rule_id: str, *, pillar: str, severity: Severity, summary: str, why: str, fix: str,
         applies: Callable[[PlanContext], bool] | None = None):
    """Register a rule function under its id."""

    def register(check: Callable[[PlanContext], Iterable[Hit]]) -> Callable[[PlanContext], Iterable[Hit]]:
        assert pillar in PILLARS and rule_id not in _RULES
        _RULES[rule_id] = Rule(rule_id, pillar, severity, summary, why, fix, check, applies)
        return check

    return register


def rules() -> dict[str, Rule]:
    """Every rule, in the order of the spec's table."""
    from plangen.analysis import rules as _  # noqa: F401  (registers them)
    from plangen.model.plan import RULE_IDS

    return {rule_id: _RULES[rule_id] for rule_id in RULE_IDS}
