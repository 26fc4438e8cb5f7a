"""What every rule needs about one plan, derived once: dates, gates, people."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from functools import cached_property

from plangen.analysis.decision import PlanDecision, decide
from plangen.analysis.freezes import Freeze, hits, plan_freezes
from plangen.errors import FieldPath
from plangen.load import Document
from plangen.model.base import duration_delta
from plangen.model.plan import Analysis, Approval, Check, Dependency, Phase, Plan
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

    @cached_property
    def freezes(self) -> list[Freeze]:
        """The plan's own freezes and the site's."""
        return plan_freezes(self.plan, self.site)

    def freezes_hit(self, phase: Phase) -> list[Freeze]:
        """The freezes the phase runs in (a weekly lock: starts in); unknown days: none."""
        zone = self.plan.release_window.timezone if self.plan.release_window else None
        started = phase.status != "planned"
        return [f for f in self.freezes if hits(f, self.times[phase.id], zone, started=started)]

    @property
    def window_phase(self) -> Phase:
        """The phase whose start opens the rollback window (default: the last)."""
        window = self.plan.rollback.window if self.plan.rollback else None
        ident = window.phase if window and window.phase else self.plan.rollout.phases[-1].id
        return next(p for p in self.plan.rollout.phases if p.id == ident)

    @property
    def rollback_closes(self) -> datetime | None:
        """When the rollback window closes, if the plan has one and its phase is scheduled."""
        window = self.plan.rollback.window if self.plan.rollback else None
        start = self.times[self.window_phase.id].start if window else None
        if window is None or start is None:
            return None
        return start + (duration_delta(window.lasts) if window.lasts else timedelta())


def analysis_time(gate: Analysis) -> timedelta | None:
    """How long an analysis takes to decide: its initial delay, then a
    measurement every interval, the first at once (as Argo Rollouts measures);
    None when it measures until the phase ends."""
    if gate.count is None or (gate.interval is None and gate.count > 1):
        return None
    delay = duration_delta(gate.initial_delay) if gate.initial_delay else timedelta()
    return delay + (gate.count - 1) * (duration_delta(gate.interval) if gate.interval else timedelta())
