"""Links between plans (since 1.1): a dependency on another plan's phase, and
relations (supersedes, cites, related).

Checked once every plan is read, so an unknown plan or phase is a located
error. A cross-plan dependency's status is read from the plan it names, as
that plan's author wrote it, so the two pages can never disagree.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace
from typing import Any, Literal, Protocol

from plangen.errors import Finding
from plangen.load import Document
from plangen.model.explain import did_you_mean
from plangen.model.plan import Dependency, Plan


class Loaded(Protocol):
    """A plan read from a file (the project's LoadedPlan)."""

    plan: Plan
    doc: Document

DependencyStatus = Literal["not-started", "in-progress", "at-risk", "blocked", "done"]

# A phase's written status, as the status of a dependency on it.
_FROM_PHASE: dict[str, DependencyStatus] = {
    "planned": "not-started", "active": "in-progress", "paused": "at-risk",
    "complete": "done", "skipped": "done", "rolled-back": "blocked",
}
_FROM_PLAN: dict[str, DependencyStatus] = {
    "draft": "not-started", "in-review": "not-started", "approved": "not-started",
    "rolling-out": "in-progress", "paused": "at-risk", "rolled-back": "blocked",
    "complete": "done", "retired": "done",
}


@dataclass(frozen=True)
class Links:
    plans: dict[str, Any]  # file -> the loaded plan (a dataclass), its cross-plan statuses filled in
    findings: list[Finding]


def linked_status(dep: Dependency, other: Plan) -> DependencyStatus:
    """The status of a dependency on `other` (or one of its phases)."""
    if dep.phase is None:
        return _FROM_PLAN[other.status]
    phase = next(p for p in other.rollout.phases if p.id == dep.phase)
    return _FROM_PHASE[phase.status]


def link_plans(plans: Sequence[Loaded], parsed: Sequence[Loaded]) -> Links:
    """Check every cross-plan reference of `plans` against all `parsed` plans."""
    known = {p.plan.id: p.plan for p in parsed}
    findings: list[Finding] = []
    out: dict[str, Any] = {}
    for loaded in plans:
        plan, doc = loaded.plan, loaded.doc
        refs = [(("dependencies", i, "plan"), d.plan) for i, d in enumerate(plan.dependencies) if d.plan]
        refs += [(("relations", i, "plan"), r.plan) for i, r in enumerate(plan.relations)]
        errors = []
        for path, ident in refs:
            if ident == plan.id:
                errors.append(doc.finding(path, "a plan cannot refer to itself",
                                          "name another plan's id; phases of this plan go in `needed_for`"))
            elif ident not in known:
                others = [k for k in known if k != plan.id]
                errors.append(doc.finding(path, f"unknown plan '{ident}'",
                                          did_you_mean(ident, others) or "plan ids are the `id` (or file name) of "
                                          "the plans in the plans folder"))
        for i, dep in enumerate(plan.dependencies):
            if dep.plan in known and dep.plan != plan.id and dep.phase is not None:
                phases = [p.id for p in known[dep.plan].rollout.phases]
                if dep.phase not in phases:
                    errors.append(doc.finding(("dependencies", i, "phase"),
                                              f"plan '{dep.plan}' has no phase '{dep.phase}'",
                                              did_you_mean(dep.phase, phases)))
        findings += errors
        if errors or not any(d.plan for d in plan.dependencies):
            continue
        deps = [d.model_copy(update={"status": linked_status(d, known[d.plan]),
                                     "owner": d.owner or known[d.plan].owner}) if d.plan else d
                for d in plan.dependencies]
        out[doc.file] = replace(loaded, plan=plan.model_copy(update={"dependencies": deps}))
    return Links(out, findings)
