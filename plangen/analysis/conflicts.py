"""Conflicts between plans: phases of different plans that run at the same
time and lean on the same release-critical dependency, system or person,
and approvers with more decisions due in one week than the site allows.

Each plan is reduced to its footprint (which phases run when, what each
needs, which approvals are due in which week, with their places in the
file), so that the check needs no plan text: a build can keep a plan's
footprint with the rest of its share and never read the plan again.

Time: for each shared thing the phases that use it are sorted once, split
into runs that overlap in time, and each phase counts the phases of other
plans it overlaps by binary search; so n log n in the number of phases,
plus at most `EXAMPLES` phases named per finding (named when they are all
there are, else their number told roughly: see ROUGHLY).
"""

from __future__ import annotations

import re
from bisect import bisect_left, bisect_right
from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from functools import cached_property
from datetime import date, timedelta

from plangen.analysis.context import PlanContext
from plangen.errors import FieldPath, Finding, format_path
from plangen.model.plan import Dependency

KINDS = ("dependency", "system", "person")
RULE = {"dependency": "conflict-dependency", "system": "conflict-system", "person": "conflict-person"}
APPROVER_LOAD = "approver-load"
RULES = (*RULE.values(), APPROVER_LOAD)
EXAMPLES = 3  # phases of other plans named in one finding; the rest are counted
RUNNING = ("planned", "active", "paused")  # phase states that still hold what they need
OVER = ("rolled-back", "complete", "retired")  # plan states that no longer run anything


@dataclass(frozen=True)
class Use:
    """Something a phase leans on: a release-critical dependency, a system, a person."""

    kind: str  # one of KINDS
    key: str  # the same key in two plans means the same thing
    label: str  # how to name it

    @property
    def named(self) -> str:
        """How a finding or page names it: a person with their id, anything else by its name."""
        return f"{self.label} ({self.key})" if self.kind == "person" and self.label != self.key else self.label


@dataclass(frozen=True)
class Window:
    """One phase that runs or will run, its days (inclusive) and what it needs."""

    phase: str
    name: str
    first: date
    last: date
    path: FieldPath
    line: int
    col: int
    uses: tuple[Use, ...]


@dataclass(frozen=True)
class Due:
    """A pending approval and the week (its Monday) it is due in."""

    approval: str
    name: str
    approver: str
    week: date
    path: FieldPath
    line: int
    col: int


@dataclass(frozen=True)
class Footprint:
    plan: str
    title: str
    file: str
    windows: tuple[Window, ...]
    due: tuple[Due, ...]
    waivers: tuple[tuple[str, str, str], ...] = ()  # rule, approved by, reason: of the rules below


@dataclass(frozen=True)
class Member:
    """A phase of a plan, as a conflict names it."""

    plan: str
    title: str
    phase: str
    name: str
    first: date
    last: date


@dataclass(frozen=True)
class Overlap:
    """One phase of one plan, and the phases of other plans it overlaps that
    lean on the same thing (the first EXAMPLES of them; `count` in all)."""

    use: Use
    plan: str
    file: str
    window: Window
    others: tuple[Member, ...]
    count: int


@dataclass(frozen=True)
class Conflict:
    """One shared thing and the phases of several plans that use it at
    overlapping times (each overlaps at least one other plan's phase)."""

    use: Use
    first: date
    last: date
    members: tuple[Member, ...]


@dataclass(frozen=True)
class Load:
    """An approver with more approvals due in one week than the limit."""

    approver: str
    week: date
    limit: int
    members: tuple[tuple[Footprint, Due], ...]


@dataclass(frozen=True)
class Conflicts:
    conflicts: tuple[Conflict, ...]  # for the conflicts page: each once
    overlaps: tuple[Overlap, ...]  # for each plan: its phases' part in them
    loads: tuple[Load, ...]

    @cached_property
    def by_file(self) -> dict[str, tuple[list[Overlap], list[Load]]]:
        """Each plan file's overlaps and the loads it has a part in, found once."""
        out: dict[str, tuple[list[Overlap], list[Load]]] = defaultdict(lambda: ([], []))
        for o in self.overlaps:
            out[o.file][0].append(o)
        for load in self.loads:
            for file in dict.fromkeys(fp.file for fp, _ in load.members):
                out[file][1].append(load)
        return dict(out)


def key_of(text: str) -> str:
    """Names written by different teams: case and spacing do not matter."""
    return re.sub(r"\s+", " ", text).strip().casefold()


def week_of(day: date) -> date:
    return day - timedelta(days=day.weekday())


def find(footprints: Sequence[Footprint], approvals_per_week: int | None = None) -> Conflicts:
    """Every conflict between the plans, in a fixed order."""
    uses: dict[tuple[str, str], list[tuple[Footprint, Window]]] = defaultdict(list)
    labels: dict[tuple[str, str], Use] = {}
    for fp in footprints:
        for window in fp.windows:
            for use in window.uses:
                uses[use.kind, use.key].append((fp, window))
                labels.setdefault((use.kind, use.key), use)
    conflicts: list[Conflict] = []
    overlaps: list[Overlap] = []
    for thing in sorted(uses):
        if len({fp.plan for fp, _ in uses[thing]}) < 2:
            continue
        for run in _runs(uses[thing]):
            found = _overlaps(labels[thing], run)
            if found:
                overlaps += found
                titles = {fp.plan: fp.title for fp, _ in run}
                members = {(o.plan, o.window.phase): _member(o.plan, titles[o.plan], o.window) for o in found}
                ordered = sorted(members.values(), key=lambda m: (m.first, m.last, m.plan, m.phase))
                conflicts.append(Conflict(labels[thing], min(m.first for m in ordered),
                                          max(m.last for m in ordered), tuple(ordered)))
    return Conflicts(tuple(conflicts), tuple(overlaps), tuple(_loads(footprints, approvals_per_week)))


def _member(plan: str, title: str, w: Window) -> Member:
    return Member(plan, title, w.phase, w.name, w.first, w.last)


def _runs(items: list[tuple[Footprint, Window]]) -> Iterable[list[tuple[Footprint, Window]]]:
    """The phases in order of their first day, split where no phase before
    reaches the next one: phases of different runs never overlap."""
    items = sorted(items, key=lambda item: (item[1].first, item[1].last, item[0].plan, item[1].phase))
    run: list[tuple[Footprint, Window]] = []
    reach = date.min
    for item in items:
        if run and item[1].first > reach:
            yield run
            run = []
        run.append(item)
        reach = max(reach, item[1].last) if len(run) > 1 else item[1].last
    if run:
        yield run


def _overlaps(use: Use, run: list[tuple[Footprint, Window]]) -> list[Overlap]:
    """For each phase of the run, the phases of other plans whose days meet
    its days. Counted by binary search (phases that start by its last day,
    less those that ended before its first day, less its own plan's)."""
    if len({fp.plan for fp, _ in run}) < 2:
        return []
    firsts = [w.first for _, w in run]  # sorted: the run is in order of first days
    lasts = sorted(w.last for _, w in run)
    own: dict[str, list[Window]] = defaultdict(list)
    for fp, w in run:
        own[fp.plan].append(w)
    out = []
    for fp, w in run:
        meeting = bisect_right(firsts, w.last) - bisect_left(lasts, w.first)
        count = meeting - sum(1 for x in own[fp.plan] if x.first <= w.last and x.last >= w.first)
        if count <= 0:
            continue
        examples: list[Member] = []
        k = bisect_right(firsts, w.last)
        while k > 0 and len(examples) < min(EXAMPLES, count):  # nearest starts first
            k -= 1
            other_fp, other = run[k]
            if other_fp.plan != fp.plan and other.last >= w.first:
                examples.append(_member(other_fp.plan, other_fp.title, other))
        examples.sort(key=lambda m: (m.first, m.last, m.plan, m.phase))
        out.append(Overlap(use, fp.plan, fp.file, w, tuple(examples), count))
    return out


def _loads(footprints: Sequence[Footprint], limit: int | None) -> Iterable[Load]:
    if limit is None:
        return
    weeks: dict[tuple[str, date], list[tuple[Footprint, Due]]] = defaultdict(list)
    for fp in footprints:
        for due in fp.due:
            weeks[due.approver, due.week].append((fp, due))
    for (approver, week), members in sorted(weeks.items()):
        if len(members) > limit:
            yield Load(approver, week, limit, tuple(sorted(members, key=lambda m: (m[0].plan, m[1].approval))))


def footprint(ctx: PlanContext) -> Footprint:
    """What a plan brings to the conflict checks: the phases that still run
    (planned, active or paused, not over before the build date, in a plan
    that still runs) with what each needs, and its pending approvals by week."""
    plan, as_of = ctx.plan, ctx.as_of
    windows: list[Window] = []
    if plan.status not in OVER:
        named = [*(plan.authority.rollback if plan.authority else [])]
        if plan.support:
            named += [level.team for level in plan.support.escalation]
            named += [plan.support.incident_owner] if plan.support.incident_owner else []
        people = _people(ctx, named)
        shared = [Use("system", key_of(s.name), s.name) for s in (plan.integration.systems if plan.integration else [])]
        shared += [Use("person", p, _name(ctx, p)) for p in sorted(people)]
        for i, phase in enumerate(plan.rollout.phases):
            times = ctx.times.get(phase.id)
            first, last = (times.first_day, times.last_day) if times else (None, None)
            if phase.status not in RUNNING or first is None or last is None:
                continue
            if last < as_of:
                if phase.status != "active":
                    continue  # planned days gone by: the plan's own rules say it slipped
                last = as_of  # still running past its planned end
            needs = [Use("dependency", _dependency_key(d), d.name) for d in plan.dependencies
                     if d.criticality == "release-critical" and (not d.needed_for or phase.id in d.needed_for)]
            path: FieldPath = ("rollout", "phases", i)
            line, col = ctx.doc.position(path)
            windows.append(Window(phase.id, phase.name, first, last, path, line, col,
                                  tuple(dict.fromkeys(needs + shared))))
    due: list[Due] = []
    for i, a in enumerate(plan.approvals):
        if plan.status in OVER or a.status in ("granted", "not-required") or ctx.decision.history(a.before):
            continue  # decided (an expired grant is the expiry rule's), or it gated only finished phases
        starts = sorted(d for d in (ctx.times[pid].first_day for pid in a.before if pid in ctx.times) if d is not None)
        if starts:
            path = ("approvals", i)
            line, col = ctx.doc.position(path)
            due.append(Due(a.id, a.name, a.approver, week_of(starts[0]), path, line, col))
    waivers = tuple((w.rule, w.approved_by, w.reason) for w in plan.waivers if w.rule in RULES)
    return Footprint(plan.id, plan.title, ctx.doc.file, tuple(windows), tuple(due), waivers)


def _dependency_key(d: Dependency) -> str:
    """Another plan's phase is known by its ids; anything else by its name."""
    if d.plan:
        return f"plan {d.plan}" + (f" phase {d.phase}" if d.phase else "")
    return key_of(d.name)


def _people(ctx: PlanContext, named: Iterable[str]) -> set[str]:
    """People named, or holding a role named (an on-call rota is its people).
    A team is a queue that answers as one and an automation is no one: two
    plans escalating to the same team do not wait for the same person."""
    site = ctx.site
    out: set[str] = set()
    for ident in named:
        if ident in site.people:
            out.add(ident)
        elif ident in site.roles:
            out.update(site.roles[ident].held_by)
    return out


def _name(ctx: PlanContext, person: str) -> str:
    who = ctx.site.people.get(person)
    return who.name if who else person


# -- findings ------------------------------------------------------------------

_WHY = {"dependency": ("also need the release-critical dependency {}", "also need the release-critical dependencies {}"),
        "system": ("also use the system {}", "also use the systems {}"),
        "person": ("also rely on {} for rollback or escalation",) * 2}


def findings(result: Conflicts, fp: Footprint, levels: Mapping[str, str]) -> list[Finding]:
    """The findings the conflicts give one plan (before its waivers), one per
    phase and kind of shared thing: the people shared with the same phases
    are named together."""
    from plangen.analysis.registry import rules

    defaults = {rid: r.severity for rid, r in rules().items() if rid in RULES}
    overlaps, loads = result.by_file.get(fp.file, ([], []))
    out = []
    for shared in grouped(overlaps):
        kind, w = shared.kind, shared.window
        rule_id = RULE[kind]
        if levels.get(rule_id) == "off":
            continue
        names = [u.named if kind == "person" else quote_name(u.named) for u in shared.uses]
        listed = (f"more than {shared.over} phases of other plans (see the site's conflicts page)" if shared.over
                  else _by_plan(shared.others))
        message = (f"phase {quote_name(w.name)} ({_days(w.first, w.last)}) overlaps phases of other plans that "
                   f"{_WHY[kind][len(names) > 1].format(_and(names))}: {listed}")
        out.append(Finding(fp.file, w.line, w.col, format_path(w.path), message,
                           severity=levels.get(rule_id, defaults[rule_id]), rule=rule_id))  # type: ignore[arg-type]
    if levels.get(APPROVER_LOAD) != "off":
        for load in loads:
            mine = [due for member, due in load.members if member.file == fp.file]
            elsewhere = [(member, due) for member, due in load.members if member.file != fp.file]
            for due in mine:
                others_text = "; ".join(f"{quote_name(m.title)}: {quote_name(d.name)}" for m, d in elsewhere[:EXAMPLES])
                more = f"; and {len(elsewhere) - EXAMPLES} more" if len(elsewhere) > EXAMPLES else ""
                message = (f"{load.approver} has {len(load.members)} approvals due in the week of {load.week} "
                           f"across plans, more than the site's limit of {load.limit}"
                           + (f"; the others: {others_text}{more}" if elsewhere else " (all in this plan)"))
                out.append(Finding(fp.file, due.line, due.col, format_path(due.path), message,
                                   severity=levels.get(APPROVER_LOAD, defaults[APPROVER_LOAD]),  # type: ignore[arg-type]
                                   rule=APPROVER_LOAD))
    return sorted(out)


@dataclass(frozen=True)
class Shared:
    """One phase's overlaps of one kind with the same phases of other plans,
    over one or more things (the people two rotas share are named together):
    those phases when there are at most EXAMPLES of them, else `over`, a
    round number of phases they are more than."""

    kind: str
    window: Window
    uses: tuple[Use, ...]
    others: tuple[Member, ...]
    over: int = 0


# How many phases a plan's page and findings say there are, when too many to
# name: more than one of these (the conflicts page tells more). Told exactly,
# or by name, every plan's page of a large conflict would change when one of
# its plans moves a phase by a day.
ROUGHLY = (EXAMPLES, 10, 30, 100, 300, 1_000, 3_000, 10_000, 30_000, 100_000)


def _over(count: int) -> int:
    return 0 if count <= EXAMPLES else max(n for n in ROUGHLY if n < count)


def grouped(overlaps: Iterable[Overlap]) -> list[Shared]:
    """A plan's overlaps, one entry per phase, kind and what is told of the other phases, in plan order."""
    groups: dict[tuple[str, str, tuple[Member, ...], int], list[Overlap]] = defaultdict(list)
    for o in overlaps:
        over = _over(o.count)
        groups[o.window.phase, o.use.kind, () if over else o.others, over].append(o)
    out = [Shared(kind, found[0].window, tuple(o.use for o in found), others, over)
           for (_, kind, others, over), found in groups.items()]
    return sorted(out, key=lambda s: (s.window.line, KINDS.index(s.kind)))


def _by_plan(members: Sequence[Member]) -> str:
    """'Plan B' (phase 'Canary' 2026-12-01, phase 'Full' 2026-12-02 to 2026-12-04); 'Plan C' (...)"""
    plans: dict[str, list[Member]] = {}
    for m in members:
        plans.setdefault(m.plan, []).append(m)
    return "; ".join(f"{quote_name(ms[0].title)} (" + ", ".join(
        f"phase {quote_name(m.name)} {_days(m.first, m.last)}" for m in ms) + ")" for ms in plans.values())


def quote_name(text: str) -> str:
    return f"'{text}'"


def _and(items: list[str]) -> str:
    return items[0] if len(items) == 1 else ", ".join(items[:-1]) + " and " + items[-1]


def _days(first: date, last: date) -> str:
    return str(first) if first == last else f"{first} to {last}"
