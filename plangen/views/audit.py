"""The audit pack of one plan: every approval with what it gated, under
which scope and conditions, decided when, with what evidence, and the plan
as it was at the decision (content hash and commit); the release checks and
their evidence; the evidence register; waivers and who accepted them; the
readiness findings as of the build. One view for the site's audit page, the
Markdown of `plangen audit` and its JSON for GRC tools."""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Any

from plangen.analysis.analyse import PlanAnalysis
from plangen.errors import short
from plangen.views.base import Directory, Link, Ref, Who, audit_path, day, label, plan_path
from plangen.views.plan import covers_text


@dataclass(frozen=True)
class Person:
    id: str
    name: str
    who: Who  # for links on the site


@dataclass(frozen=True)
class AuditApproval:
    id: str
    name: str
    approver: Person
    status: str
    gates: tuple[str, ...]  # phase names, in phase order
    gate_ids: tuple[str, ...]
    covers: str
    conditions: tuple[str, ...]
    decided_on: str
    expires_on: str
    evidence: Link | None
    commit: str  # the plan's last commit on or before the decision ("" when unknown)
    sha256: str  # the plan file's content hash at that commit
    stale: tuple[str, ...]  # what it gates that changed since, when granted and still in force


@dataclass(frozen=True)
class AuditCheck:
    id: str
    check: str
    owner: Person | None
    gates: tuple[str, ...]
    status: str
    evidence: Link | None


@dataclass(frozen=True)
class AuditEvidence:
    item: str
    where: str
    retain: str


@dataclass(frozen=True)
class AuditWaiver:
    rule: str
    reason: str
    approved_by: Person


@dataclass(frozen=True)
class AuditFinding:
    line: int
    col: int
    path: str
    severity: str
    rule: str
    message: str
    waived_by: str
    waiver_reason: str


@dataclass(frozen=True)
class AuditPage:
    path: str
    plan: Ref  # the plan page
    id: str
    title: str
    file: str
    status: str
    as_of: str
    sha256: str  # of the plan file as built
    commit: str  # the last commit that changed it ("" without history)
    history: str  # "" when read from git, else why not
    approvals: tuple[AuditApproval, ...]
    checks: tuple[AuditCheck, ...]
    evidence: tuple[AuditEvidence, ...]
    waivers: tuple[AuditWaiver, ...]
    findings: tuple[AuditFinding, ...]


def audit_page(p: PlanAnalysis, people: Directory, history: str = "") -> AuditPage:
    """`history`: why the plans' git history was not read ("" when it was)."""
    plan = p.context.plan
    names = {ph.id: short(ph.name) for ph in plan.rollout.phases}  # referred to: defined on the plan page
    stale = {s.approval: s.changes for s in p.stale}

    def person(ident: str) -> Person:
        who = people.who(ident)
        return Person(ident, who.ref.label, who)

    approvals = []
    for a in plan.approvals:
        then = p.decided.get(a.id)
        approvals.append(AuditApproval(
            a.id, a.name, person(a.approver), label(a.status),
            tuple(names[pid] for pid in a.before), tuple(a.before), covers_text(a.covers),
            ((f"Condition: {a.when}",) if a.when else ()) + tuple(a.conditions), day(a.decided_on),
            day(a.expires_on), Link("Decision record", a.evidence) if a.evidence else None,
            then.commit if then else "", then.sha256 if then else "", stale.get(a.id, ()),
        ))
    checks = tuple(AuditCheck(c.id, c.check, person(c.owner) if c.owner else None,
                              tuple(names[pid] for pid in c.before), label(c.status),
                              Link("Result", c.evidence) if c.evidence else None) for c in plan.validation)
    return AuditPage(
        audit_path(plan.id), Ref(plan.title, plan_path(plan.id)), plan.id, plan.title, p.loaded.doc.file,
        label(plan.status), day(p.context.as_of), p.loaded.doc.sha256, p.commit, history, tuple(approvals), checks,
        tuple(AuditEvidence(e.item, e.where or "", e.retain or "") for e in plan.evidence),
        tuple(AuditWaiver(w.rule, w.reason, person(w.approved_by)) for w in plan.waivers),
        tuple(AuditFinding(f.line, f.col, f.path, f.severity, f.rule or "", f.message, f.waived_by, f.waiver_reason)
              for f in p.findings),
    )


def audit_json(page: AuditPage) -> dict[str, Any]:
    """The pack as data for GRC tools: people by id and name, links as URLs."""
    def strip(value: Any) -> Any:
        if isinstance(value, dict):
            if "who" in value and "id" in value:  # a Person: the site's link is no use outside it
                return {"id": value["id"], "name": value["name"]}
            if set(value) == {"label", "href"}:  # a Link
                return value["href"]
            return {k: strip(v) for k, v in value.items()}
        if isinstance(value, (list, tuple)):
            return [strip(v) for v in value]
        return value

    data = strip(asdict(page))
    del data["path"], data["plan"]
    return {"format": "plangen audit 1", **data}
