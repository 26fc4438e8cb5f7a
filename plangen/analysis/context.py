"""What every rule needs about one plan, derived once: dates, gates, people."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date
from functools import cached_property

from plangen.analysis.decision import PlanDecision, decide
from plangen.errors import FieldPath
from plangen.load import Document
from plangen.model.plan import Approval, Check, Dependency, Phase, Plan
from plangen.model.schedule import PhaseTimes, phase_times, predecessors
from plangen.model.site import SiteConfig


@dataclass(frozen=True)
class PlanContext:
    plan: Plan
    doc: Document
    site: SiteConfig
    as_of: date
    times: dict[str, PhaseTimes] = field(repr=False)
    predecessors: dict[str, list[str]] = field(repr=False)
    successors: dict[str, frozenset[str]] = field(repr=False)

    @classmethod
    def of(cls, plan: Plan, doc: Document, site: SiteConfig, as_of: date) -> PlanContext:
        before = predecessors(plan)
        follows: dict[str, set[str]] = {p.id: set() for p in plan.rollout.phases}
        for pid, prevs in before.items():
            for prev in prevs:
                follows.setdefault(prev, set()).add(pid)
        return cls(plan, doc, site, as_of, phase_times(plan), before, {k: frozenset(v) for k, v in follows.items()})

    @cached_property
    def decision(self) -> PlanDecision:
        """Now, next, go/no-go and slips: judged once, read by rules and views."""
        return decide(self)

    # -- positions ---------------------------------------------------------
    def where(self, *candidates: FieldPath) -> FieldPath:
        """The first candidate path present in the file; () is the plan's first line."""
        for path in candidates:
            if path in self.doc.positions:
                return path
        return ()

    def phase_path(self, phase: Phase) -> FieldPath:
        return ("rollout", "phases", self.plan.rollout.phases.index(phase))

    @property
    def releases_model(self) -> bool:
        """Model-specific rules apply: a `model` section, or a model step in the workflow."""
        integration = self.plan.integration
        return self.plan.model is not None or bool(
            integration and any(step.actor == "model" for step in integration.workflow))

    # -- people ------------------------------------------------------------
    def people(self, who: Iterable[str]) -> frozenset[str]:
        """Person ids behind person, team and role ids: a role resolves to its
        holders, a team to its members, a person to itself."""
        return frozenset(person for ident in who for person in self.site.people_of(ident))

    # -- gates -------------------------------------------------------------
    def approvals_for(self, phase_id: str) -> list[Approval]:
        return [a for a in self.plan.approvals if phase_id in a.before]

    def checks_for(self, phase_id: str) -> list[Check]:
        return [c for c in self.plan.validation if phase_id in c.before]

    def dependencies_for(self, phase_id: str) -> list[Dependency]:
        return [d for d in self.plan.dependencies if phase_id in d.needed_for]

    def freezes_hit(self, phase: Phase) -> list[int]:
        """Indexes of the freezes the phase's days overlap (unknown days: none)."""
        window = self.plan.release_window
        t = self.times[phase.id]
        first, last = t.first_day, t.last_day
        if window is None or first is None:
            return []
        last = last or first
        return [i for i, f in enumerate(window.freezes) if first <= f.to and f.from_ <= last]

