"""Analyse every valid plan of a project once; commands and views read the result."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from plangen.analysis.context import PlanContext
from plangen.analysis.decision import PlanDecision
from plangen.analysis.lint import lint_plan
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

    @property
    def findings(self) -> tuple[Finding, ...]:
        """Validation problems and readiness findings of every file, in file order."""
        return tuple(sorted([*self.project.findings, *(f for p in self.plans for f in p.findings)]))


def analyse(project: Project, as_of: date) -> Analysis:
    site = project.site or SiteConfig()
    levels = dict(site.lint)
    results = []
    for loaded in project.plans:
        ctx = PlanContext.of(loaded.plan, loaded.doc, site, as_of)
        findings = tuple(lint_plan(ctx, levels))
        results.append(PlanAnalysis(loaded, ctx, findings, pillar_scores(findings, levels, lambda r: r.scored(ctx))))
    return Analysis(project, as_of, tuple(results))
