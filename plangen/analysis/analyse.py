"""Analyse every valid plan of a project once; commands and views read the result."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from collections.abc import Sequence

from plangen.analysis import conflicts
from plangen.analysis.conflicts import Conflicts, Footprint, footprint
from plangen.analysis.context import PlanContext
from plangen.analysis.decision import PlanDecision
from plangen.analysis.lint import lint_plan, waive
from plangen.analysis.score import overall, pillar_scores
from plangen.errors import Finding
from plangen.model.site import SiteConfig
from plangen.project import LoadedPlan, Project


@dataclass(frozen=True)
class PlanAnalysis:
    loaded: LoadedPlan
    context: PlanContext
    findings: tuple[Finding, ...]  # sorted; waived ones have severity "waived"
    scores: dict[str, int]  # completeness per pillar, 0-100
    footprint: Footprint  # what it brings to the checks across plans

    @property
    def completeness(self) -> int:
        """How much of good practice the plan covers (rule-based), not whether it may go."""
        return overall(self.scores)

    @property
    def decision(self) -> PlanDecision:
        return self.context.decision


@dataclass(frozen=True)
class Analysis:
    project: Project
    as_of: date
    plans: tuple[PlanAnalysis, ...]
    conflicts: Conflicts = Conflicts((), (), ())  # between these plans and those kept from the last build

    @property
    def findings(self) -> tuple[Finding, ...]:
        """Validation problems and readiness findings of every file, in file order."""
        return tuple(sorted([*self.project.findings, *(f for p in self.plans for f in p.findings)]))


def across_findings(result: Conflicts, fp: Footprint, site: SiteConfig) -> list[Finding]:
    """A plan's findings across plans, its waivers applied, from its footprint alone."""
    return waive(conflicts.findings(result, fp, dict(site.lint)), fp.waivers)


def analyse(project: Project, as_of: date, kept: Sequence[Footprint] = ()) -> Analysis:
    """Every plan read, on its own and, with the footprints of the plans
    `kept` from the last build (not read again), across plans."""
    site = project.site or SiteConfig()
    levels = dict(site.lint)
    contexts = [PlanContext.of(loaded.plan, loaded.doc, site, as_of) for loaded in project.plans]
    prints = [footprint(ctx) for ctx in contexts]
    across = conflicts.find([*prints, *kept], site.limits.approvals_per_week)
    results = []
    for loaded, ctx, fp in zip(project.plans, contexts, prints):
        findings = tuple(lint_plan(ctx, levels, conflicts.findings(across, fp, levels)))
        results.append(PlanAnalysis(loaded, ctx, findings, pillar_scores(findings, levels, lambda r: r.scored(ctx)), fp))
    return Analysis(project, as_of, tuple(results), across)
