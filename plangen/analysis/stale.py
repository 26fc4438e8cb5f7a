"""Approvals against history: is what an approval approved still what will
run? The plan as it was on the approval's `decided_on` (from git, see
history.py) is compared with the plan now by `compare`, the comparison
`plangen diff` uses, and only changes that widen what the approval gates
count: more traffic, more regions or cohorts, another environment, a new
scope, a phase added to the gated set, changed rollback steps. Narrowing
(less traffic, fewer regions) does not make an approval stale.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any

from plangen.analysis.analyse import Analysis, PlanAnalysis, analyse
from plangen.analysis.compare import Change, compare
from plangen.analysis.registry import rules
from plangen.errors import Finding, format_path
from plangen.history import Version
from plangen.project import LoadedPlan, Project

RULE = "approval-stale"


@dataclass(frozen=True)
class Stale:
    """A granted approval whose gated phases changed after it was decided."""

    approval: str  # its id
    index: int  # its place in `approvals`
    decided_on: date
    commit: str  # the commit the plan was at on that day
    sha256: str  # of the plan file at that commit
    since: tuple[str, ...]  # later commits that changed the file
    changes: tuple[str, ...]  # what changed, in reviewers' words


def stale(now: PlanAnalysis, versions: Mapping[str, Version],
          levels: Mapping[str, str]) -> tuple[list[Stale], list[Finding]]:
    """The stale approvals of one analysed plan (`now`, a PlanAnalysis
    without these findings yet), given the plan at each approval's decision
    (by approval id), and their findings (before waivers)."""
    if levels.get(RULE) == "off":
        return [], []
    plan, ctx = now.context.plan, now.context
    out: list[Stale] = []
    for i, approval in enumerate(plan.approvals):
        then = versions.get(approval.id)
        if then is None or then.plan is None or approval.decided_on is None:
            continue
        loaded = LoadedPlan(then.plan, now.loaded.doc, now.loaded.group)  # positions are not used
        old = analyse(Project((loaded,), ctx.site, None, (), 1), ctx.as_of)
        head = Analysis(Project((now.loaded,), ctx.site, None, (), 1), ctx.as_of, (now,))
        changes = [c for p in compare(old, head) for c in p.changes]
        found = _material(changes, approval.id, approval.before, then.plan)
        if found:
            out.append(Stale(approval.id, i, approval.decided_on, then.commit, then.sha256, then.since, tuple(found)))
    severity = levels.get(RULE, rules()[RULE].severity)
    findings = []
    for s in out:
        path = ("approvals", s.index)
        line, col = ctx.doc.position(path)
        later = (f" ({len(s.since)} commit{'s' if len(s.since) != 1 else ''} since: "
                 + ", ".join(c[:7] for c in s.since[:3]) + (", ..." if len(s.since) > 3 else "") + ")") if s.since else ""
        findings.append(Finding(
            ctx.doc.file, line, col, format_path(path),
            f"approval '{s.approval}' was decided on {s.decided_on}, when the plan was at commit {s.commit[:7]}; "
            f"what it approved has changed since{later}: " + "; ".join(s.changes),
            severity=severity, rule=RULE))  # type: ignore[arg-type]
    return out, findings


_WIDENING = {"traffic", "regions", "cohorts", "environment", "scope"}


def _material(changes: Sequence[Change], approval: str, gates: Sequence[str], then: Any) -> list[str]:
    then_gates = next((a.before for a in then.approvals if a.id == approval), None)
    then_phases = {p.id for p in then.rollout.phases}
    out = []
    for c in changes:
        subject = c.subject
        if subject.startswith("phase ") and subject[6:] in gates:
            pid = subject[6:]
            if c.kind == "added" and not c.field:
                out.append(c.text)
            elif c.field in _WIDENING and pid in then_phases and _wider(c.field, c.before, c.after):
                out.append(c.text)
        elif subject == f"approval {approval}" and c.field == "before" and then_gates is not None:
            added = [pid for pid in gates if pid not in then_gates]
            if added:
                out.append(f"approval {approval} now also gates {', '.join(added)}")
        elif subject.startswith("rollback step"):
            out.append(c.text)
    return out


def _wider(name: str, before: Any, after: Any) -> bool:
    """Whether a phase's field now exposes more than it did."""
    if name == "traffic":
        return after is None or (before is not None and after > before)  # no figure: as much as there is
    if name in ("regions", "cohorts"):  # none listed: every region or group
        return not after or (bool(before) and not set(after) <= set(before))
    return True  # another environment or scope: not comparable, so material
