"""Every page of the site as a view, and the navigation: the last pure step
before templates.

`site_views(analysis)` is the one entry point: it derives the pages across
plans (portfolio, calendar, approvals, dependencies, directory, runbooks,
rules) from the analysed plans and pairs each page with its template.
"""

from __future__ import annotations

import hashlib
import re
from collections import defaultdict
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field, replace
from datetime import date, datetime, timedelta
from functools import partial
from typing import Any

from plangen.errors import short
from plangen.analysis.analyse import Analysis
from plangen.analysis.conflicts import KINDS, Conflicts, Member, grouped
from plangen.analysis.registry import PILLARS, rules
from plangen.model.site import SiteConfig
from plangen.views.audit import audit_page
from plangen.views.base import (Directory, Ref, Who, audit_path, day, days, directory_path, label, phase_ref,
                                plan_path, runbook_path)
from plangen.analysis.freezes import site_freezes_of
from plangen.views.diagrams import Gantt, Ids, Section, Task, freeze_span
from plangen.views.parts import (CALENDAR_PAST, CalendarRow, Duty, Head, OpenDependency, PendingApproval,
                                 PlanPart, PortfolioRow, RunbookRow, plan_part)
from plangen.views.plan import as_of_marker, plan_page
from plangen.views.runbook import runbook_page


@dataclass(frozen=True)
class Page:
    """One Markdown file of the site: where it goes, its template, its view.
    A view made where its page is rendered (in a worker, alongside others)
    is None here and made by `_make`, which templates cannot reach."""

    path: str
    template: str
    view: Any
    _make: Callable[[], Any] | None = None

    def made(self) -> Any:
        return self._make() if self._make is not None else self.view


@dataclass(frozen=True)
class NavItem:
    title: str
    path: str = ""  # a page, or "" for a section
    children: tuple[NavItem, ...] = ()


# -- the pages across plans ------------------------------------------------------

@dataclass(frozen=True)
class Rows:
    """Some rows of a table across plans: those of one batch of plans (see
    `batches`), under a heading of their own when the site has several."""
    title: str  # "" when the site has one batch: no heading
    anchor: str
    rows: tuple[Any, ...]


@dataclass(frozen=True)
class PortfolioPage:
    title: str
    organisation: str
    as_of: str
    rows: tuple[Rows, ...]  # of PortfolioRow
    counts: tuple[tuple[str, int], ...]  # status -> number of plans
    pillars: tuple[str, ...]
    downloads: tuple[tuple[Ref, str], ...]  # file, what it holds


@dataclass(frozen=True)
class CalendarPage:
    as_of: str
    gantt: Gantt
    rows: tuple[Rows, ...]  # of CalendarRow, by the month they start in when there are many
    freezes: tuple[Rows, ...]  # of (plan, first, last, reason): by the month they start in when there are many
    undated: tuple[CalendarRow, ...]
    site_freezes: tuple[tuple[str, str], ...] = ()  # when, reason: for every plan

    @property
    def freezes_batched(self) -> bool:
        """The plans' freezes come under batch headings (the site-wide ones then get one too)."""
        return bool(self.freezes) and bool(self.freezes[0].title)


@dataclass(frozen=True)
class ApproverGroup:
    who: Who
    approvals: tuple[Rows, ...]  # of PendingApproval: by the month their first gated phase starts, then by batch


@dataclass(frozen=True)
class ApprovalsPage:
    as_of: str
    groups: tuple[ApproverGroup, ...]


@dataclass(frozen=True)
class OwnerGroup:
    who: Who | None  # None: dependencies nobody owns
    dependencies: tuple[Rows, ...]  # of OpenDependency: by the month they are needed by, then by batch


@dataclass(frozen=True)
class DependenciesPage:
    as_of: str
    groups: tuple[OwnerGroup, ...]


@dataclass(frozen=True)
class RunbooksPage:
    rows: tuple[Rows, ...]  # of RunbookRow


@dataclass(frozen=True)
class DirectoryEntryPage:
    path: str
    who: Who
    kind: str
    details: tuple[tuple[str, str], ...]  # label, value
    members: tuple[Who, ...]  # people of a team or role; teams and roles of a person
    # each of Duty: owned, approved, may authorise (rollback), on the escalation path,
    # in runbooks (steps owned, triggers decided); empty when there is none
    owns: tuple[Rows, ...]
    approves: tuple[Rows, ...]
    authorises: tuple[Rows, ...]
    escalation: tuple[Rows, ...]
    runbook: tuple[Rows, ...]


@dataclass(frozen=True)
class DirectoryIndexPage:
    people: tuple[Who, ...]
    teams: tuple[Who, ...]
    roles: tuple[Who, ...]
    automations: tuple[Who, ...] = ()


@dataclass(frozen=True)
class ConflictGroup:
    """One thing shared (or several, shared by the same phases) and the overlapping phases."""

    shared: str
    days: str
    phases: tuple[tuple[Ref, str], ...]  # a plan's phase, its days: the first LISTED
    more: int = 0  # phases not listed (each plan's page lists its own conflicts)


@dataclass(frozen=True)
class LoadRow:
    approver: Who
    week: str
    count: int
    approvals: tuple[tuple[Ref, str], ...]  # the plan's approval, its name: the first LISTED
    more: int = 0  # approvals not listed


@dataclass(frozen=True)
class ConflictsPage:
    as_of: str
    # Each kind's conflicts (ConflictGroup rows): by the month they start in when the site's tables
    # come in batches (an edit converts again the months whose rows name its plan, not the table).
    dependencies: tuple[Rows, ...]
    systems: tuple[Rows, ...]
    people: tuple[Rows, ...]
    limit: int | None  # approvals per approver per week, from site.yaml
    loads: tuple[LoadRow, ...]
    frozen: tuple[tuple[Ref, str, str], ...]  # phase, days, freeze


@dataclass(frozen=True)
class RuleRow:
    id: str
    pillar: str
    severity: str
    summary: str
    why: str
    fix: str


@dataclass(frozen=True)
class RulesPage:
    rules: tuple[RuleRow, ...]


@dataclass(frozen=True)
class SiteViews:
    title: str
    organisation: str
    pages: tuple[Page, ...]
    nav: tuple[NavItem, ...]
    hidden: tuple[str, ...] = field(default=())  # pages reached from links and indexes, not from the sidebar (globs)
    description: str = ""  # the site's meta description


# -- building ----------------------------------------------------------------------

BATCH = 20  # plans per batch in the tables across plans, as in the sidebar's sections


def batches(parts: Sequence[PlanPart]) -> dict[str, tuple[int, str]]:
    """Each plan's batch (its number and the ids it spans) when there are more plans
    than one batch holds: BATCH plans in the order of their ids, named by
    the first and last. A table across plans shows its rows batch by batch,
    so that a long table is many short ones, each converted and kept on its
    own: an edit to one plan changes its batch's table alone. Ids do not
    move when a title is edited."""
    ids = sorted(part.id for part in parts)
    if len(ids) <= BATCH:
        return {}
    out = {}
    for n, first in enumerate(range(0, len(ids), BATCH)):
        chunk = ids[first:first + BATCH]
        title = f"{chunk[0]} to {chunk[-1]}"
        out.update({ident: (n, title) for ident in chunk})
    return out


def in_batches(rows: Sequence[tuple[str, Any]], batch: dict[str, tuple[int, str]], anchor: str) -> tuple[Rows, ...]:
    """Rows (plan id, row) by batch, each batch's rows in the order given; one
    group without a heading when there are no batches, none without rows."""
    if not rows:
        return ()
    if not batch:
        return (Rows("", anchor, tuple(row for _, row in rows)),)
    found: dict[int, list[Any]] = defaultdict(list)
    for ident, row in rows:
        found[batch[ident][0]].append(row)
    spans = dict(batch.values())
    return tuple(Rows(f"Plans {spans[n]}", f"{anchor}-{n + 1}", tuple(found[n])) for n in sorted(found))


def portfolio(parts: Sequence[PlanPart], site: SiteConfig, as_of: date) -> PortfolioPage:
    counts: dict[str, int] = defaultdict(int)
    for part in parts:
        counts[label(part.status)] += 1
    return PortfolioPage(
        site.site.title, site.site.organisation or "", day(as_of),
        in_batches([(part.id, part.row) for part in parts], batches(parts), "plans"),
        tuple(sorted(counts.items())), PILLARS, DOWNLOADS,
    )


DOWNLOADS = (
    (Ref("plans.json", "plans.json"), "every plan with its findings and decisions, for tools"),
    (Ref("calendar.ics", "calendar.ics"), "phases and freezes, to subscribe to in a calendar"),
    (Ref("schema.json", "schema.json"), "the plan format as JSON Schema, for editors"),
)


CALENDAR_AHEAD = timedelta(days=366)  # site freezes that repeat are drawn for a year ahead


def calendar(parts: Sequence[PlanPart], site: SiteConfig | None, as_of: date) -> CalendarPage:
    """All phases and freezes in tables; in the chart, the bars each plan
    keeps (see parts.py) and the site-wide freezes."""
    ids = Ids("t")
    since = datetime.combine(as_of, datetime.min.time()) - CALENDAR_PAST
    sections = [Section(short(part.title), tuple(replace(bar, id=ids.next()) for bar in part.bars))
                for part in parts if part.bars]
    rows = [(part.id, row) for part in parts for row in part.dated]
    site_freezes: list[tuple[str, str]] = []
    site_tasks = []
    for f in site_freezes_of(site):
        site_freezes.append((f.label, f.reason or ""))
        if f.weekly:
            continue  # a weekly lock would be a bar every week: the table says it once
        for first, last in f.occurrences(as_of, as_of + CALENDAR_AHEAD):
            start, end = freeze_span(first, last)
            if end > since and start < since + CALENDAR_PAST + CALENDAR_AHEAD:
                site_tasks.append(Task(ids.next(), f"Freeze: {short(f.reason)}" if f.reason else "Freeze", start, end,
                                       "freeze"))
    if site_tasks:
        sections.append(Section("Site-wide freezes", tuple(site_tasks)))
    rows.sort(key=lambda r: (r[1].first_day, r[1].plan.label, r[1].phase))
    freezes = sorted(((part.id, f) for part in parts for f in part.freezes), key=lambda r: (r[1][1], r[1][0].label))
    batch = batches(parts)
    return CalendarPage(day(as_of), Gantt("Release calendar", tuple(sections), as_of_marker(as_of, sections)),
                        by_month(rows, batch, lambda row: row.first_day, "Starting in {}", "phases"),
                        by_month(freezes, batch, lambda row: row[1], "Starting in {}", "freezes"),
                        tuple(row for part in parts for row in part.undated), tuple(site_freezes))


def by_month(rows: Sequence[tuple[str, Any]], batch: dict[str, tuple[int, str]], when: Callable[[Any], str | None],
             label: str, anchor: str) -> tuple[Rows, ...]:
    """Rows (plan id, row; in order of their days, `when`) by month, then by
    batch of plans; one group without a heading when there are no batches.
    (A long table in one piece would be converted again whole for an edit
    to any of its rows.)"""
    if not batch:
        return in_batches(rows, batch, anchor)
    groups: dict[tuple[str, int], list[Any]] = defaultdict(list)
    for ident, row in rows:
        groups[(when(row) or "")[:7], batch[ident][0]].append(row)
    spans = dict(batch.values())
    return tuple(Rows(f"{label.format(month) if month else 'Not scheduled'}: plans {spans[n]}",
                      f"{anchor}-{month or 'unscheduled'}-{n + 1}", tuple(found))
                 for (month, n), found in sorted(groups.items(), key=lambda item: (item[0][0] or "9999", item[0][1])))


def _anchor(ident: str) -> str:
    """An id as part of an anchor: as it is when it can be, else with a
    digest of it, so that two ids never give one anchor."""
    slug = re.sub(r"[^A-Za-z0-9_]+", "-", ident)
    return slug if slug == ident else f"{slug}-{hashlib.sha256(ident.encode('utf-8')).hexdigest()[:8]}"


def pending_approvals(parts: Sequence[PlanPart], people: Directory, as_of: date) -> ApprovalsPage:
    groups: dict[str, list[tuple[str, PendingApproval]]] = defaultdict(list)
    for part in parts:
        for approver, row in part.approvals:
            groups[approver].append((part.id, row))
    ordered = sorted(groups.items(), key=lambda item: people.name(item[0]).lower())
    batch = batches(parts)
    return ApprovalsPage(day(as_of), tuple(
        ApproverGroup(people.who(ident), by_month(
            sorted(rows, key=lambda r: (r[1].first_gated_day or "9999", r[1].name)), batch,
            lambda row: row.first_gated_day, "Due in {}", f"approvals-{_anchor(ident)}"))
        for ident, rows in ordered
    ))


def open_dependencies(parts: Sequence[PlanPart], people: Directory, as_of: date) -> DependenciesPage:
    groups: dict[str, list[tuple[str, OpenDependency]]] = defaultdict(list)
    for part in parts:
        for owner, row in part.dependencies:
            groups[owner].append((part.id, row))
    ordered = sorted(groups.items(), key=lambda item: (item[0] == "", people.name(item[0]).lower()))
    batch = batches(parts)
    return DependenciesPage(day(as_of), tuple(
        OwnerGroup(people.who(owner) if owner else None, by_month(
            sorted(rows, key=lambda r: (r[1].needed_by or "9999", r[1].name)), batch,
            lambda row: row.needed_by, "Needed in {}", f"dependencies-{_anchor(owner)}"))
        for owner, rows in ordered
    ))


def runbooks(parts: Sequence[PlanPart]) -> RunbooksPage:
    rows = sorted(((part.id, part.runbook) for part in parts), key=lambda r: r[1].plan.label.lower())
    return RunbooksPage(in_batches(rows, batches(parts), "runbooks"))


# The kinds of duty a directory page lists, with their anchors on the page.
DUTIES = (("owns", "owns"), ("approves", "approves"), ("authorises", "authorises"), ("escalation", "escalation"),
          ("runbook", "runbooks"))


def directory_pages(parts: Sequence[PlanPart], people: Directory) -> list[DirectoryEntryPage]:
    site = people.site
    duties: dict[str, dict[str, list[tuple[str, Duty]]]] = defaultdict(lambda: defaultdict(list))
    for part in parts:
        for ident, kind, duty in part.duties:
            duties[ident][kind].append((part.id, duty))
            # the people behind a team or role get the duty too, marked with the team or role (made
            # here, not kept in each plan's part: that would be most of the parts' bytes); an
            # automation's owner answers for it, but does not hold its duties
            for person in people.people_of(ident):
                if person != ident:
                    duties[person][kind].append((part.id, Duty(duty.plan, duty.what, people.name(ident))))
    batch = batches(parts)
    pages = []
    for kind, entries in (("person", site.people), ("team", site.teams), ("role", site.roles),
                          ("automation", site.automations)):
        for ident in sorted(entries):
            mine = duties[ident]
            if kind == "person":
                person = site.people[ident]
                details = tuple((k, v) for k, v in (("Mail", person.email), ("Phone", person.phone)) if v)
                members = tuple(people.who(x) for x in ([person.team] if person.team else []))
                members += tuple(people.who(r) for r, role in sorted(site.roles.items()) if ident in role.held_by)
            elif kind == "automation":
                machine = site.automations[ident]
                details = tuple((k, v) for k, v in (("Kind", machine.kind), ("Docs", machine.docs)) if v)
                members = (people.who(machine.owner),)
            elif kind == "team":
                team = site.teams[ident]
                details = tuple((k, v) for k, v in (("Contact", team.contact), ("On call", team.oncall)) if v)
                members = tuple(people.who(x) for x in people.people_of(ident))
            else:
                details = ()
                members = tuple(people.who(x) for x in people.people_of(ident))
            pages.append(DirectoryEntryPage(
                directory_path(kind, ident), people.who(ident), kind, details, members,
                *(in_batches(mine[kind], batch, anchor) for kind, anchor in DUTIES),
            ))
    return pages


# Phases (or approvals) named in one row of the conflicts page; the rest are
# counted (each of their plans' pages says it is in the conflict). A thing
# shared by hundreds of phases is told by its count; an edit to one of the
# many plans then changes the rows that name it, not every row.
LISTED = 12


def conflicts_page(result: Conflicts, parts: Sequence[PlanPart], people: Directory, as_of: date) -> ConflictsPage:
    """Each conflict once: the phases of several plans that share a thing on
    the same days (things shared by exactly the same phases in one row)."""
    rows: dict[str, dict[tuple[Member, ...], list[str]]] = {kind: {} for kind in KINDS}
    for c in result.conflicts:
        rows[c.use.kind].setdefault(c.members, []).append(c.use.named)

    batched = bool(batches(parts))

    def group(members: tuple[Member, ...], labels: list[str]) -> tuple[date, ConflictGroup]:
        first = min(m.first for m in members)
        return first, ConflictGroup(
            ", ".join(labels), days(first, max(m.last for m in members)),
            tuple((phase_ref(m.plan, m.title, m.phase, m.name), days(m.first, m.last)) for m in members[:LISTED]),
            max(0, len(members) - LISTED))

    def groups(kind: str, anchor: str) -> tuple[Rows, ...]:
        found = [group(members, labels)
                 for members, labels in sorted(rows[kind].items(), key=lambda item: (item[0][0].first, item[1]))]
        if not batched:
            return (Rows("", anchor, tuple(row for _, row in found)),) if found else ()
        months: dict[str, list[ConflictGroup]] = defaultdict(list)
        for first, row in found:
            months[first.isoformat()[:7]].append(row)
        return tuple(Rows(f"Starting in {month}", f"{anchor}-{month}", tuple(rows_of))
                     for month, rows_of in sorted(months.items()))

    loads = tuple(LoadRow(people.who(load.approver), day(load.week), len(load.members), tuple(
        (Ref(short(fp.title), plan_path(fp.plan), f"approval-{due.approval}"), short(due.name))
        for fp, due in load.members[:LISTED]), max(0, len(load.members) - LISTED))
        for load in result.loads)
    limit = people.site.limits.approvals_per_week
    frozen = tuple(row for part in sorted(parts, key=lambda part: part.id) for row in part.frozen)
    return ConflictsPage(day(as_of), groups("dependency", "dependencies"), groups("system", "systems"),
                         groups("person", "people"), limit, loads, frozen)


def conflicts_shown(result: Conflicts) -> tuple[Any, ...]:
    """What conflicts_page reads of the checks across plans: no places in
    files, so an edit that only moves lines leaves the page as it was."""
    return result.conflicts, tuple((load.approver, load.week, load.limit,
                                    tuple((fp.plan, fp.title, due.approval, due.name) for fp, due in load.members))
                                   for load in result.loads)


def rules_page() -> RulesPage:
    return RulesPage(tuple(RuleRow(r.id, r.pillar, r.severity, r.summary, r.why, r.fix) for r in rules().values()))


def _group_title(group: str) -> str:
    return " / ".join(part.replace("-", " ").replace("_", " ").capitalize() for part in group.split("/"))


SECTION = 20  # plans per sidebar section


def _sections(items: list[tuple[str, NavItem]]) -> list[NavItem]:
    """A long list of plans (id, entry) in sections of SECTION, named by
    their first and last ids: a page renders only its own section's entries,
    so a page's size does not grow with the number of plans in its folder."""
    if len(items) <= SECTION:
        return [item for _, item in items]
    chunks = [items[i:i + SECTION] for i in range(0, len(items), SECTION)]
    return [NavItem(f"{short(c[0][0], 24)} – {short(c[-1][0], 24)}", children=tuple(item for _, item in c))
            for c in chunks]


def navigation(parts: Sequence[Head]) -> tuple[NavItem, ...]:
    """One entry per plan (its runbook is linked from the plan page and the
    Runbooks index), in sections by folder, in the order of their ids: ids
    stay put when a title is edited, so the edit changes the sidebar of its
    own section only, not where every other page's links point."""
    groups: dict[str, list[tuple[str, NavItem]]] = defaultdict(list)
    for part in sorted(parts, key=lambda part: part.id):
        groups[part.group].append((part.id, NavItem(short(part.title), plan_path(part.id))))
    plan_items = _sections(groups.pop("", []))
    plan_items += [NavItem(_group_title(g), children=tuple(_sections(items))) for g, items in sorted(groups.items())]
    return (
        NavItem("Portfolio", "index.md"),
        NavItem("Plans", children=tuple(plan_items)),
        NavItem("Release calendar", "calendar.md"),
        NavItem("Pending approvals", "approvals.md"),
        NavItem("Open dependencies", "dependencies.md"),
        NavItem("Conflicts", "conflicts.md"),
        NavItem("Runbooks", "runbooks.md"),
        NavItem("People and teams", "directory/index.md"),
        NavItem("Readiness rules", "rules.md"),
    )


def plan_pages(analysis: Analysis, history: str = "") -> list[Page]:
    """Each plan's three pages: plan, runbook, audit, their views made where
    they are rendered (they need nothing from across plans, so they can be
    rendered while the pages across plans are made). `history`: why the
    plans' git history was not read ("" when it was)."""
    site = analysis.project.site or SiteConfig()
    people = Directory(site)
    titles = {p.context.plan.id: p.context.plan.title for p in analysis.plans}
    pages = []
    for p in analysis.plans:
        shared = grouped(analysis.conflicts.by_file.get(p.loaded.doc.file, ([], []))[0])
        ident = p.context.plan.id
        pages += [Page(audit_path(ident), "audit.md.j2", None, partial(audit_page, p, people, history)),
                  Page(plan_path(ident), "plan.md.j2", None, partial(plan_page, p, people, titles, shared)),
                  Page(runbook_path(ident), "runbook.md.j2", None, partial(runbook_page, p, people))]
    return pages


def plan_parts(analysis: Analysis) -> list[PlanPart]:
    """Each plan's part of the pages across plans."""
    people = Directory(analysis.project.site or SiteConfig())
    return [plan_part(p, people, runbook_page(p, people)) for p in analysis.plans]


def site_views(parts: Sequence[PlanPart], site: SiteConfig | None, as_of: date,
               plan_pages: Sequence[Page] = (), across: Conflicts = Conflicts((), (), ())) -> SiteViews:
    """The site from every plan's part, in plan order; `plan_pages` are the
    plans' own pages to render with the rest (none when they are kept);
    `across`, the conflicts between all of them."""
    people = Directory(site or SiteConfig())
    config = people.site
    pages: list[Page] = [Page("index.md", "portfolio.md.j2", portfolio(parts, config, as_of)), *plan_pages]
    pages += [
        Page("calendar.md", "calendar.md.j2", calendar(parts, site, as_of)),
        Page("approvals.md", "approvals.md.j2", pending_approvals(parts, people, as_of)),
        Page("dependencies.md", "dependencies.md.j2", open_dependencies(parts, people, as_of)),
        Page("conflicts.md", "conflicts.md.j2", conflicts_page(across, parts, people, as_of)),
        Page("runbooks.md", "runbooks.md.j2", runbooks(parts)),
        Page("rules.md", "rules.md.j2", rules_page()),
        Page("directory/index.md", "directory.md.j2", DirectoryIndexPage(
            tuple(people.who(x) for x in sorted(config.people)),
            tuple(people.who(x) for x in sorted(config.teams)),
            tuple(people.who(x) for x in sorted(config.roles)),
            tuple(people.who(x) for x in sorted(config.automations)),
        )),
    ]
    entries = directory_pages(parts, people)
    pages += [Page(e.path, "person.md.j2", e) for e in entries]
    return replace(frame([part.head for part in parts], site), pages=tuple(pages))


def frame(heads: Sequence[Head], site: SiteConfig | None, plan_pages: Sequence[Page] = ()) -> SiteViews:
    """The site without its pages across plans (the plans' own `plan_pages`
    only): what mkdocs.yml is made from, for a build that keeps the pages
    across plans from the last one."""
    config = site or SiteConfig()
    # Reached from links: every runbook and directory entry. Two globs, not
    # a line per page: MkDocs matches each pattern against every file.
    hidden = (runbook_path("*"), audit_path("*"), "directory/*/*.md")
    return SiteViews(config.site.title, config.site.organisation or "", tuple(plan_pages), navigation(heads),
                     hidden, config.site.description or "")
