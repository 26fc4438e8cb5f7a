"""Analyse every valid plan of a project once; commands and views read the result."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING

from plangen.analysis import conflicts
from plangen.analysis.conflicts import Conflicts, Footprint, footprint
from plangen.analysis.context import PlanContext
from plangen.analysis.decision import PlanDecision
from plangen.analysis.lint import lint_plan, waive
from plangen.analysis.score import overall, pillar_scores
from plangen.errors import Finding
from plangen.history import History, Version
from plangen.model.site import SiteConfig
from plangen.project import LoadedPlan, Project

if TYPE_CHECKING:  # stale.py compares through analyse(): imported where it runs
    from plangen.analysis.stale import Stale


@dataclass(frozen=True)
class PlanAnalysis:
    loaded: LoadedPlan
    context: PlanContext
    findings: tuple[Finding, ...]  # sorted; waived ones have severity "waived"
    scores: dict[str, int]  # completeness per pillar, 0-100
    footprint: Footprint  # what it brings to the checks across plans
    stale: tuple[Stale, ...] = ()  # granted approvals whose gated phases changed since (analysis/stale.py)
    decided: dict[str, Version] = field(default_factory=dict)  # the plan at each approval's decision, from git
    commit: str = ""  # the last commit that changed the plan file ("" without history)

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


def analyse(project: Project, as_of: date, kept: Sequence[Footprint] = (), history: History | None = None) -> Analysis:
    """Every plan read, on its own and, with the footprints of the plans
    `kept` from the last build (not read again), across plans; with a
    `history`, each granted approval against the plan it approved."""
    from plangen.analysis.stale import stale

    site = project.site or SiteConfig()
    levels = dict(site.lint)
    contexts = [PlanContext.of(loaded.plan, loaded.doc, site, as_of) for loaded in project.plans]
    prints = [footprint(ctx) for ctx in contexts]
    # In the order of their files, whichever were read again: the result is the same
    # for a build with kept plans as for a clean one (the first plan to name a thing labels it).
    across = conflicts.find(sorted([*prints, *kept], key=lambda fp: fp.file), site.limits.approvals_per_week)
    then = _decided(contexts, history)
    results = []
    for loaded, ctx, fp, versions in zip(project.plans, contexts, prints, then):
        in_force = {a.id: versions[a.id] for a in ctx.plan.approvals if a.id in versions and a.status == "granted"
                    and not ctx.decision.history(a.before)}
        old, found = stale(PlanAnalysis(loaded, ctx, (), {}, fp), in_force, levels) if in_force else ([], [])
        findings = tuple(lint_plan(ctx, levels, [*conflicts.findings(across, fp, levels), *found]))
        results.append(PlanAnalysis(loaded, ctx, findings, pillar_scores(findings, levels, lambda r: r.scored(ctx)), fp,
                                    tuple(old), versions, history.last(Path(ctx.doc.file)) if history else ""))
    return Analysis(project, as_of, tuple(results), across)


def _decided(contexts: Sequence[PlanContext], history: History | None) -> list[dict[str, Version]]:
    """For each plan, the plan as it was when each of its approvals was
    decided (by approval id); read from git in one go."""
    wanted: list[tuple[int, str, Path, date]] = []
    for n, ctx in enumerate(contexts):
        for a in ctx.plan.approvals if history is not None else []:
            if a.decided_on is not None and a.decided_on <= ctx.as_of:
                wanted.append((n, a.id, Path(ctx.doc.file), a.decided_on))
    out: list[dict[str, Version]] = [{} for _ in contexts]
    if history is not None and wanted:
        for (n, approval, _, _), version in zip(wanted, history.read([(f, d) for _, _, f, d in wanted])):
            if version is not None:
                out[n][approval] = version
    return out
