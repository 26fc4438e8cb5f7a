"""What changed between two analysed versions of the plans, in reviewers' words.

`compare(base, head)` matches plans by id (so a moved or renamed file is one
plan, not a removal and an addition) and lists every material change:
fields of the plan and its sections, the go / no-go decision per phase, and
readiness findings. Values that are equal after validation are equal here,
so comments, key order, quoting and other YAML formatting never show.

The result is ordered: by plan id, then in the order the plan format lists
its sections, then in the order of each list in the newer version (what was
removed follows what is there). Pure: nothing is read or printed.
"""

from __future__ import annotations

import difflib
import typing
from collections import Counter
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, time
from typing import Any, Literal, Union

from pydantic import BaseModel

from plangen.analysis.analyse import Analysis, PlanAnalysis
from plangen.analysis.decision import PhaseDecision
from plangen.errors import Finding
from plangen.model.base import check_directory_id, check_long_text, check_text
from plangen.model import plan as m

Kind = Literal["added", "removed", "changed"]
Value = Union[str, int, float, bool, list[Any], None]


@dataclass(frozen=True)
class Change:
    """One material change to one plan."""

    plan: str  # plan id
    kind: Kind
    subject: str  # what changed: "plan", "phase pilot", "approval cab-pilot", "rollback step 2", "lint"...
    field: str  # which of its fields ("" for the subject as a whole)
    before: Value  # JSON-ready values: text, numbers, lists, None for absent
    after: Value
    text: str  # the change in reviewers' words, plain text (escape it for its output)


@dataclass(frozen=True)
class PlanChanges:
    plan: str
    title: str  # the newer title, or the last one of a removed plan
    file: str  # the newer file, or the last one of a removed plan
    changes: tuple[Change, ...]


def compare(base: Analysis, head: Analysis, *, base_file: Callable[[str], str] | None = None,
            head_file: Callable[[str], str] | None = None) -> tuple[PlanChanges, ...]:
    """Changes per plan id, for plans with at least one change. `base_file`
    and `head_file` turn each side's file names into names that can be
    compared (e.g. relative to each side's root); without them a plan that
    moved to another file is not reported as moved."""
    before = {p.context.plan.id: p for p in base.plans}
    after = {p.context.plan.id: p for p in head.plans}
    out = []
    for plan_id in sorted(before.keys() | after.keys()):
        a, b = before.get(plan_id), after.get(plan_id)
        diff = _Diff(plan_id)
        if a is None and b is not None:
            p = b.context.plan
            diff.add("added", "plan", "", None, p.title,
                     f"plan added: {_q(p.title)} ({p.status}, risk {p.risk}, {_count(len(p.rollout.phases), 'phase')})")
        elif b is None and a is not None:
            diff.add("removed", "plan", "", a.context.plan.title, None, f"plan removed: {_q(a.context.plan.title)}")
        elif a is not None and b is not None:
            old, new = (base_file or str)(a.loaded.doc.file), (head_file or str)(b.loaded.doc.file)
            if base_file and head_file and old != new:
                verb = "renamed" if old.rpartition("/")[0] == new.rpartition("/")[0] else "moved"
                diff.add("changed", "plan", "file", old, new, f"plan file {verb} from {old} to {new}")
            _plan(diff, a, b)
        if diff.changes:
            shown = b or a
            assert shown is not None
            name = (head_file or str)(b.loaded.doc.file) if b else (base_file or str)(shown.loaded.doc.file)
            out.append(PlanChanges(plan_id, shown.context.plan.title, name, tuple(diff.changes)))
    return tuple(out)


# -- collecting ------------------------------------------------------------------

@dataclass
class _Diff:
    plan: str
    changes: list[Change] = field(default_factory=list)

    def add(self, kind: Kind, subject: str, name: str, before: Any, after: Any, text: str) -> None:
        self.changes.append(Change(self.plan, kind, subject, name, _json(before), _json(after), text))


def _json(value: Any) -> Value:
    if isinstance(value, datetime):
        return value.isoformat(sep=" ", timespec="seconds" if value.second else "minutes")
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, float) and value.is_integer():
        return int(value)
    if isinstance(value, (list, tuple)):
        return [_json(v) for v in value]
    if isinstance(value, BaseModel):
        return value.model_dump(mode="json", by_alias=True, exclude_defaults=True)  # type: ignore[return-value]
    return value  # type: ignore[no-any-return]


def _q(text: object) -> str:
    return f"'{text}'"


def _count(n: int, word: str) -> str:
    return f"{n} {word}" if n == 1 else f"{n} {word}s"


# -- the plan, section by section -----------------------------------------------

# Words for field names where the name itself is not what a reviewer says.
_LABELS = {
    "before": "gates", "needed_for": "needed for", "needed_by": "needed by", "expires_on": "expiry",
    "decided_on": "decided on", "review_by": "review by", "previous_version": "previous version",
    "exit_criteria": "exit criteria", "on_failure": "on failure", "max_traffic": "max traffic",
    "incident_owner": "incident owner", "respond_within": "response time", "decided_by": "decided by",
    "approved_by": "approved by", "from_": "from",
    # authority.*: "authority to roll back changed from ... to ..."
    "rollback": "to roll back", "pause": "to pause", "emergency_change": "for emergency changes",
}
_SECTIONS = {"release_window": "release window"}
_PLAN_SECTIONS = frozenset({*_SECTIONS.values(), *(name for name in m.Plan.model_fields if name not in _SECTIONS)})
# Lists of texts where items come and go one by one.
_ITEM_LISTS = {"exit_criteria": "exit criterion", "conditions": "condition"}
_PERCENT = {"traffic", "max_traffic"}


def _label(name: str) -> str:
    return _LABELS.get(name, name.replace("_", " "))


def _plan(diff: _Diff, a: PlanAnalysis, b: PlanAnalysis) -> None:
    pa, pb = a.context.plan, b.context.plan
    for name in type(pb).model_fields:
        if name in ("format", "id"):
            continue
        x, y = getattr(pa, name), getattr(pb, name)
        if name == "rollout":
            _rollout(diff, a, b)
        elif x != y:
            _field(diff, "plan", pa, pb, name, section=_SECTIONS.get(name, name))
    _decisions(diff, a, b)
    _findings(diff, a.findings, b.findings)


def _field(diff: _Diff, subject: str, a: BaseModel | None, b: BaseModel | None, name: str,
           section: str | None = None, prefix: str = "") -> None:
    """One field of a model (either side may be absent)."""
    x = getattr(a, name) if a is not None else None
    y = getattr(b, name) if b is not None else None
    if x == y:
        return
    model = type(b if b is not None else a)
    kind = _field_kind(model, name)
    sample = y if y is not None else x
    if isinstance(sample, BaseModel):
        # A nested section: plan.support -> "support", approval.covers -> "approval x covers ..."
        inner = section if subject == "plan" and section else subject
        inner_prefix = "" if subject == "plan" else f"{prefix}{_label(name)} "
        for sub in type(sample).model_fields:
            _field(diff, inner, x, y, sub, prefix=inner_prefix)
        return
    if isinstance(sample, list) or (x is None and y == []) or (y is None and x == []):
        xs, ys = list(x or []), list(y or [])
        if xs == ys:
            return
        element = _element(model, name)
        if element is not None:  # entries name themselves: "approval cab-pilot", "rollback step 2"
            # an entry's own list says whose it is ("phase pilot procedure step 2"); a section's does not
            section = subject == "plan" or subject in _PLAN_SECTIONS
            _items(diff, element, xs, ys, within="" if section else subject)
        elif name in _ITEM_LISTS:
            _text_items(diff, subject, prefix, name, xs, ys)
        else:
            _scalar(diff, subject, prefix + _label(name), name, kind, xs, ys)
        return
    _scalar(diff, subject, prefix + _label(name), name, kind, x, y)


def _scalar(diff: _Diff, subject: str, label: str, name: str, kind: str, x: Any, y: Any) -> None:
    where = f"{subject} {label}" if subject != "plan" or label else subject
    if kind == "long":
        verb = "added" if not x else "removed" if not y else "changed"
        diff.add("changed", subject, name, x, y, f"{where} {verb}")
        return
    fx, fy = _show(x, name, kind), _show(y, name, kind)
    if x is None or x == []:
        text = f"{where} set to {fy}"
    elif y is None or y == []:
        text = f"{where} removed (was {fx})"
    elif isinstance(y, bool):  # a readiness item's `done`
        text = f"{subject} {'now' if y else 'no longer'} {label}"
    elif kind == "who":
        text = f"{where} changed from {fx} to {fy}"
    else:
        text = f"{where} {fx} -> {fy}"
    diff.add("changed", subject, name, x, y, text)


def _show(value: Any, name: str = "", kind: str = "") -> str:
    if value is None:
        return "none"
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, (int, float)):
        return f"{value:g}%" if name in _PERCENT else f"{value:g}"
    if isinstance(value, datetime):
        return value.isoformat(sep=" ", timespec="seconds" if value.second else "minutes")
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, list):  # regions, tags, phase ids, people: short names, listed bare
        return ", ".join(_show(v, name) for v in value) if value else "none"
    return _q(value) if kind == "text" else str(value)


def _text_items(diff: _Diff, subject: str, prefix: str, name: str, xs: list[Any], ys: list[Any]) -> None:
    noun = prefix + _ITEM_LISTS[name]
    gone, new = Counter(xs) - Counter(ys), Counter(ys) - Counter(xs)
    for item in ys:
        if new[item] > 0:
            new[item] -= 1
            diff.add("added", subject, name, None, item, f"{subject} {noun} added: {_q(item)}")
    for item in xs:
        if gone[item] > 0:
            gone[item] -= 1
            diff.add("removed", subject, name, item, None, f"{subject} {noun} removed: {_q(item)}")


# -- field kinds from the model's annotations -------------------------------------

def _validators(annotation: Any) -> Iterable[Any]:
    """The validator functions anywhere in an annotation (Annotated, unions, lists)."""
    for meta in getattr(annotation, "__metadata__", ()):
        yield getattr(meta, "func", None)
    for arg in typing.get_args(annotation):
        yield from _validators(arg)


def _field_kind(model: type[BaseModel], name: str) -> str:
    info = model.model_fields[name]
    funcs = {f for f in (*(getattr(x, "func", None) for x in info.metadata), *_validators(info.annotation)) if f}
    if check_long_text in funcs:
        return "long"
    if check_text in funcs:
        return "text"
    if check_directory_id in funcs:
        return "who"
    return "value"


def _element(model: type[BaseModel], name: str) -> type[BaseModel] | None:
    """The model class of a list field's items, or None for lists of values."""
    stack = [model.model_fields[name].annotation]
    while stack:
        ann = stack.pop()
        if isinstance(ann, type) and issubclass(ann, BaseModel):
            return ann
        stack.extend(typing.get_args(ann))
    return None


# -- lists of entries --------------------------------------------------------------

@dataclass(frozen=True)
class _Entries:
    """How the entries of one kind of list are matched and named."""

    key: Callable[[Any], object]
    name: Callable[[Any, int], str]  # the entry and its 1-based number in its list
    numbered: bool = False  # matched in sequence (numbered steps), not by key


def _by_id(noun: str) -> _Entries:
    return _Entries(lambda e: e.id, lambda e, i: f"{noun} {e.id}")


_ENTRIES: dict[type[BaseModel], _Entries] = {
    m.Dependency: _by_id("dependency"),
    m.Approval: _by_id("approval"),
    m.Check: _by_id("check"),
    m.Trigger: _by_id("rollback trigger"),
    m.Freeze: _Entries(lambda e: (e.from_, e.to), lambda e, i: f"freeze {e.from_} to {e.to}"),
    m.Objective: _Entries(lambda e: e.metric, lambda e, i: f"objective {_q(e.metric)}"),
    m.System: _Entries(lambda e: e.name, lambda e, i: f"system {_q(e.name)}"),
    m.Safeguard: _Entries(lambda e: e.name, lambda e, i: f"safeguard {_q(e.name)}"),
    m.Monitor: _Entries(lambda e: e.id or e.metric, lambda e, i: f"monitoring {e.id or _q(e.metric)}"),
    m.Message: _Entries(lambda e: e.audience, lambda e, i: f"rollback message to {_q(e.audience)}"),
    m.ReadinessItem: _Entries(lambda e: e.item, lambda e, i: f"support readiness item {_q(e.item)}"),
    m.Escalation: _Entries(lambda e: e.level, lambda e, i: f"support escalation level {e.level}"),
    m.Triage: _Entries(lambda e: e.symptom, lambda e, i: f"support triage {_q(e.symptom)}"),
    m.EvidenceItem: _Entries(lambda e: e.item, lambda e, i: f"evidence {_q(e.item)}"),
    m.Waiver: _Entries(lambda e: e.rule, lambda e, i: f"waiver for {e.rule}"),
    m.WorkflowStep: _Entries(lambda e: e.step, lambda e, i: f"workflow step {i}", numbered=True),
    m.RollbackStep: _Entries(lambda e: e.do, lambda e, i: f"rollback step {i}", numbered=True),
    # Since 1.1
    m.Step: _Entries(lambda e: e.do, lambda e, i: f"procedure step {i}", numbered=True),
    m.Alternative: _Entries(lambda e: e.do, lambda e, i: f"alternative {i}", numbered=True),
    m.Analysis: _by_id("analysis"),
    m.Communication: _Entries(lambda e: (e.phase, e.when, e.audience),
                              lambda e, i: f"message to {_q(e.audience)} ({_moment_of(e)})"),
    m.Relation: _Entries(lambda e: (e.kind, e.plan), lambda e, i: f"relation {e.kind} {e.plan}"),
}


def _moment_of(note: m.Communication) -> str:
    """"before pilot", "start of every phase"."""
    phase = note.phase or "every phase"
    return f"before {phase}" if note.when == "before" else f"{note.when} of {phase}"


def _items(diff: _Diff, element: type[BaseModel], xs: list[Any], ys: list[Any], within: str = "") -> None:
    """`within`: the phase or entry the list belongs to ("" for the plan's own lists)."""
    base = _ENTRIES[element]
    spec = _Entries(base.key, lambda e, i: f"{within} {base.name(e, i)}", base.numbered) if within else base
    pairs = _sequence(spec, xs, ys) if spec.numbered else _keyed(spec, xs, ys)
    for i, j in pairs:
        if j is None:  # removed
            assert i is not None
            diff.add("removed", spec.name(xs[i], i + 1), "", xs[i], None, _removed(spec.name(xs[i], i + 1), xs[i]))
        elif i is None:
            diff.add("added", spec.name(ys[j], j + 1), "", None, ys[j], _added(spec.name(ys[j], j + 1), ys[j]))
        elif xs[i] != ys[j]:
            subject = spec.name(ys[j], j + 1)
            for sub in element.model_fields:
                _field(diff, subject, xs[i], ys[j], sub)


def _keyed(spec: _Entries, xs: Sequence[Any], ys: Sequence[Any]) -> list[tuple[int | None, int | None]]:
    """Match by key (the nth entry with a key matches the nth with the same
    key): the newer order first, then what was removed, in the older order."""

    def keys(items: Sequence[Any]) -> dict[tuple[object, int], int]:
        seen: Counter[object] = Counter()
        out = {}
        for index, item in enumerate(items):
            k = spec.key(item)
            out[(k, seen[k])] = index
            seen[k] += 1
        return out

    old, new = keys(xs), keys(ys)
    pairs: list[tuple[int | None, int | None]] = [(old.get(k), j) for k, j in new.items()]
    pairs += [(i, None) for k, i in old.items() if k not in new]
    return pairs


def _sequence(spec: _Entries, xs: Sequence[Any], ys: Sequence[Any]) -> list[tuple[int | None, int | None]]:
    """Numbered steps: matched in order by their text; an edited step stays
    the same step, an inserted one shifts those after it."""
    matcher = difflib.SequenceMatcher(None, [spec.key(x) for x in xs], [spec.key(y) for y in ys], autojunk=False)
    pairs: list[tuple[int | None, int | None]] = []
    for _, i1, i2, j1, j2 in matcher.get_opcodes():
        common = min(i2 - i1, j2 - j1)
        pairs += [(i1 + k, j1 + k) for k in range(common)]
        pairs += [(None, j) for j in range(j1 + common, j2)]
        pairs += [(i, None) for i in range(i1 + common, i2)]
    return pairs


def _added(subject: str, e: Any) -> str:
    if isinstance(e, m.Dependency):
        details = ", ".join(x for x in (
            f"owner {e.owner}" if e.owner else "", f"needed by {e.needed_by}" if e.needed_by else "",
            f"for {', '.join(e.needed_for)}" if e.needed_for else "", e.status) if x)
        if e.criticality == "release-critical":
            return f"new release-critical dependency {e.id}: {_q(e.name)} ({details})"
        crit = f"{e.criticality}, " if e.criticality else ""
        return f"{subject} added: {_q(e.name)} ({crit}{details})"
    if isinstance(e, m.Approval):
        gates = f" before {', '.join(e.before)}" if e.before else ""
        return f"{subject} added: {_q(e.name)} by {e.approver}{gates} ({e.status})"
    if isinstance(e, m.Check):
        gates = f" before {', '.join(e.before)}" if e.before else ""
        return f"{subject} added: {_q(e.check)}{gates} ({e.status})"
    if isinstance(e, m.Trigger):
        by = f", decided by {e.decided_by}" if e.decided_by else ""
        return f"{subject} added: {_q(e.symptom)} ({e.action or 'no action'}{by})"
    if isinstance(e, m.RollbackStep):
        return f"{subject} added: {_q(e.do)}" + (f" (owner {e.owner})" if e.owner else "")
    if isinstance(e, m.WorkflowStep):
        return f"{subject} added: {_q(e.step)} ({e.actor})"
    if isinstance(e, m.Escalation):
        return f"{subject} added: {e.team}"
    if isinstance(e, m.Waiver):
        return f"{subject} added: {_q(e.reason)} (approved by {e.approved_by})"
    return f"{subject} added"


def _removed(subject: str, e: Any) -> str:
    if isinstance(e, m.RollbackStep):
        return f"{subject} removed: {_q(e.do)}"
    if isinstance(e, m.WorkflowStep):
        return f"{subject} removed: {_q(e.step)}"
    if isinstance(e, m.Escalation):
        return f"{subject} removed (was {e.team})"
    return f"{subject} removed"


# -- rollout: phases, their order, their derived dates ---------------------------

def _rollout(diff: _Diff, a: PlanAnalysis, b: PlanAnalysis) -> None:
    ra, rb = a.context.plan.rollout, b.context.plan.rollout
    for name in ("strategy", "rationale"):
        _field(diff, "rollout", ra, rb, name)
    old = {p.id: p for p in ra.phases}
    new = {p.id: p for p in rb.phases}
    kept_old = [p.id for p in ra.phases if p.id in new]
    kept_new = [p.id for p in rb.phases if p.id in old]
    if kept_old != kept_new:
        diff.add("changed", "rollout", "phases", kept_old, kept_new,
                 f"phases reordered: {', '.join(kept_old)} -> {', '.join(kept_new)}")
    for phase in rb.phases:
        subject = f"phase {phase.id}"
        if phase.id not in old:
            diff.add("added", subject, "", None, phase, _phase_added(b, phase))
            continue
        before = old[phase.id]
        _field(diff, subject, before, phase, "name")
        _field(diff, subject, before, phase, "kind")
        pa, pb = a.context.predecessors[phase.id], b.context.predecessors[phase.id]
        if pa != pb:  # the phases it follows, whether written in `after` or implied by the order
            diff.add("changed", subject, "after", pa, pb,
                     f"{subject} now " + (f"after {', '.join(pb)}" if pb else "a first phase")
                     + (f" (was after {', '.join(pa)})" if pa else " (was a first phase)"))
        for name in ("scope", "regions", "environment", "cohorts", "traffic"):
            _field(diff, subject, before, phase, name)
        _dates(diff, subject, a.context.times[phase.id], b.context.times[phase.id])
        for name in ("duration", "minimum", "status", "exit_criteria", "on_failure", "analysis", "steps"):
            _field(diff, subject, before, phase, name)
    for phase in ra.phases:
        if phase.id not in new:
            diff.add("removed", f"phase {phase.id}", "", phase, None, f"phase {phase.id} removed")


def _phase_added(b: PlanAnalysis, phase: m.Phase) -> str:
    after = b.context.predecessors[phase.id]
    where = f" after {', '.join(after)}" if after else " as a first phase"
    details = [phase.kind]
    if phase.traffic is not None:
        details.append(_show(phase.traffic, "traffic"))
    details.append(f"regions {', '.join(phase.regions)}" if phase.regions else "all regions")
    return f"phase {phase.id} added{where} ({', '.join(details)})"


def _dates(diff: _Diff, subject: str, ta: Any, tb: Any) -> None:
    """Days; moments when either side starts or ends at a time of day (since 1.1)."""
    for name, x, y, mx, my in (("start", ta.first_day, tb.first_day, ta.start, tb.start),
                               ("end", ta.last_day, tb.last_day, ta.end, tb.end)):
        timed = any(v is not None and v.time() != time() for v in (mx, my))
        if timed and mx != my:
            x, y = mx, my
        if x != y:
            _scalar(diff, subject, f"{name}s" if name == "start" else "ends", name, "value", x, y)


# -- the decision per phase ------------------------------------------------------

def _decisions(diff: _Diff, a: PlanAnalysis, b: PlanAnalysis) -> None:
    da, db = a.decision.phases, b.decision.phases
    for pid, y in db.items():
        x = da.get(pid)
        if x is None:
            continue
        subject = f"phase {pid}"
        if x.state != y.state:
            diff.add("changed", subject, "state", x.state, y.state, f"{subject} state {x.state} -> {y.state}")
        sx, sy = _schedule(x), _schedule(y)
        if sx != sy and x.schedule is not None and y.schedule is not None:
            diff.add("changed", subject, "schedule", sx, sy, f"{subject} schedule {sx} -> {sy}")
        _go(diff, pid, x, y)


def _schedule(d: PhaseDecision) -> str:
    if d.slip_days:
        return f"{d.schedule} ({_count(d.slip_days, 'day')})"
    return str(d.schedule)


def _go(diff: _Diff, pid: str, x: PhaseDecision, y: PhaseDecision) -> None:
    subject = f"go/no-go of {pid}"
    bx, by = [b.text for b in x.blockers], [b.text for b in y.blockers]
    if x.go != y.go:
        why = f" ({'; '.join(by)})" if y.go == "NO-GO" else ""
        diff.add("changed", subject, "go", x.go, y.go,
                 f"{subject}: {x.go or 'not judged'} -> {y.go or f'not judged ({y.state})'}{why}")
    elif y.go == "NO-GO" and bx != by:
        cleared = [t for t in bx if t not in by]
        new = [t for t in by if t not in bx]
        parts = ([f"cleared: {'; '.join(cleared)}"] if cleared else []) + ([f"new: {'; '.join(new)}"] if new else [])
        diff.add("changed", subject, "blockers", bx, by, f"{subject}: still NO-GO; {'; '.join(parts)}")


# -- readiness findings ----------------------------------------------------------

def _findings(diff: _Diff, xs: Iterable[Finding], ys: Iterable[Finding]) -> None:
    """Findings matched by rule and message, never by line: moving text in a
    file changes no finding. A finding that only changed severity (waived,
    or a rule's level changed) is one change."""
    old = Counter((f.rule, f.message, f.severity) for f in xs if f.rule)
    new = Counter((f.rule, f.message, f.severity) for f in ys if f.rule)
    gone, came = old - new, new - old
    for (rule, message, severity), n in sorted(came.items(), key=_finding_order):
        for _ in range(n):
            was = next((s for (r, msg, s), k in sorted(gone.items()) if (r, msg) == (rule, message) and k > 0), None)
            if was is not None:
                gone[(rule, message, was)] -= 1
                diff.add("changed", "lint", str(rule), f"{was}: {message}", f"{severity}: {message}",
                         f"readiness {_kind_of(was)} now {severity}: {rule}: {message}")
            else:
                diff.add("added", "lint", str(rule), None, f"{severity}: {message}",
                         f"readiness {_kind_of(severity)} added: {rule}: {message}")
    for (rule, message, severity), n in sorted(gone.items(), key=_finding_order):
        for _ in range(n):
            diff.add("removed", "lint", str(rule), f"{severity}: {message}", None,
                     f"readiness {_kind_of(severity)} removed: {rule}: {message}")


def _kind_of(severity: str) -> str:
    return "finding (waived)" if severity == "waived" else severity


_SEVERITY_ORDER = {"error": 0, "warning": 1, "note": 2, "waived": 3}


def _finding_order(item: tuple[tuple[Any, str, str], int]) -> tuple[int, str, str]:
    (rule, message, severity), _ = item
    return (_SEVERITY_ORDER.get(severity, 9), str(rule), message)
