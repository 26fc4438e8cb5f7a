"""Every page of the site as a view, and the navigation: the last pure step
before templates.

`site_views(analysis)` is the one entry point: it derives the pages across
plans (portfolio, calendar, approvals, dependencies, directory, runbooks,
rules) from the analysed plans and pairs each page with its template.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from functools import partial
from typing import Any

from plangen.errors import short
from plangen.analysis.analyse import Analysis, PlanAnalysis
from plangen.analysis.registry import PILLARS, rules
from plangen.model.site import SiteConfig
from plangen.views.base import Directory, Ref, Who, day, directory_path, label, plan_path, runbook_path, status_icon
from plangen.views.decision import DecisionCard, decision_card
from plangen.analysis.freezes import site_freezes_of
from plangen.views.diagrams import Gantt, Ids, Section, Task, freeze_span, task_span
from plangen.views.plan import BAR, as_of_marker, covers_text, plan_page, verdict_word
from plangen.views.runbook import RunbookPage, runbook_page


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


# -- portfolio -------------------------------------------------------------------

@dataclass(frozen=True)
class PortfolioRow:
    plan: Ref
    group: str
    status: str
    risk: str
    completeness: int  # rule-based, per the readiness rules: not a go/no-go signal
    completeness_ref: Ref
    errors: int
    warnings: int
    card: DecisionCard
    runbook: Ref


@dataclass(frozen=True)
class PortfolioPage:
    title: str
    organisation: str
    as_of: str
    rows: tuple[PortfolioRow, ...]
    counts: tuple[tuple[str, int], ...]  # status -> number of plans
    pillars: tuple[str, ...]
    downloads: tuple[tuple[Ref, str], ...]  # file, what it holds


@dataclass(frozen=True)
class CalendarRow:
    plan: Ref
    phase: str
    kind: str
    first_day: str
    last_day: str
    status: str


@dataclass(frozen=True)
class CalendarPage:
    as_of: str
    gantt: Gantt
    rows: tuple[CalendarRow, ...]
    freezes: tuple[tuple[Ref, str, str, str], ...]  # plan, first, last, reason
    undated: tuple[CalendarRow, ...]
    site_freezes: tuple[tuple[str, str], ...] = ()  # when, reason: for every plan


@dataclass(frozen=True)
class PendingApproval:
    plan: Ref
    name: str
    icon: str
    status: str
    gates: str
    first_gated_day: str
    covers: str


@dataclass(frozen=True)
class ApproverGroup:
    who: Who
    approvals: tuple[PendingApproval, ...]


@dataclass(frozen=True)
class ApprovalsPage:
    as_of: str
    groups: tuple[ApproverGroup, ...]


@dataclass(frozen=True)
class OpenDependency:
    plan: Ref
    name: str
    criticality: str
    needed_by: str
    needed_for: str
    status: str
    overdue: bool
    fallback: str


@dataclass(frozen=True)
class OwnerGroup:
    who: Who | None  # None: dependencies nobody owns
    dependencies: tuple[OpenDependency, ...]


@dataclass(frozen=True)
class DependenciesPage:
    as_of: str
    groups: tuple[OwnerGroup, ...]


@dataclass(frozen=True)
class RunbookRow:
    plan: Ref
    runbook: Ref
    status: str
    triggers: int
    steps: int
    total_time: str
    incident_owner: Who | None
    complete: bool  # it has triggers and steps


@dataclass(frozen=True)
class RunbooksPage:
    rows: tuple[RunbookRow, ...]


@dataclass(frozen=True)
class Duty:
    """One thing a person, team or role is named for, on one plan."""

    plan: Ref
    what: str
    via: str  # "" when named directly, else the team or role that names them


@dataclass(frozen=True)
class DirectoryEntryPage:
    path: str
    who: Who
    kind: str
    details: tuple[tuple[str, str], ...]  # label, value
    members: tuple[Who, ...]  # people of a team or role; teams and roles of a person
    owns: tuple[Duty, ...]
    approves: tuple[Duty, ...]
    authorises: tuple[Duty, ...]
    escalation: tuple[Duty, ...]
    runbook: tuple[Duty, ...]  # runbook steps owned, triggers decided


@dataclass(frozen=True)
class DirectoryIndexPage:
    people: tuple[Who, ...]
    teams: tuple[Who, ...]
    roles: tuple[Who, ...]
    automations: tuple[Who, ...] = ()


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
    hidden: tuple[str, ...] = field(default=())  # pages reached from links and indexes, not from the sidebar
    description: str = ""  # the site's meta description


# -- building ----------------------------------------------------------------------

def _plan_ref(p: PlanAnalysis, anchor: str = "") -> Ref:
    return Ref(short(p.context.plan.title), plan_path(p.context.plan.id), anchor)


def portfolio(analysis: Analysis, site: SiteConfig) -> PortfolioPage:
    rows = []
    people = Directory(site)
    for p in analysis.plans:
        plan = p.context.plan
        rows.append(PortfolioRow(
            _plan_ref(p), p.loaded.group, label(plan.status), plan.risk, p.completeness, _plan_ref(p, "completeness"),
            sum(f.severity == "error" for f in p.findings), sum(f.severity == "warning" for f in p.findings),
            decision_card(p, people), Ref("Runbook", runbook_path(plan.id)),
        ))
    counts: dict[str, int] = defaultdict(int)
    for p in analysis.plans:
        counts[label(p.context.plan.status)] += 1
    return PortfolioPage(
        site.site.title, site.site.organisation or "", day(analysis.as_of), tuple(rows),
        tuple(sorted(counts.items())), PILLARS, DOWNLOADS,
    )


DOWNLOADS = (
    (Ref("plans.json", "plans.json"), "every plan with its findings and decisions, for tools"),
    (Ref("calendar.ics", "calendar.ics"), "phases and freezes, to subscribe to in a calendar"),
    (Ref("schema.json", "schema.json"), "the plan format as JSON Schema, for editors"),
)


CALENDAR_PAST = timedelta(days=30)  # the chart starts a month before the build date
CALENDAR_AHEAD = timedelta(days=366)  # site freezes that repeat are drawn for a year ahead
OVER = ("complete", "retired", "rolled-back")


def calendar(analysis: Analysis) -> CalendarPage:
    """All phases and freezes in tables; in the chart, only plans still going
    and what ends after a month ago, so old work does not squeeze the rest."""
    ids = Ids("t")
    since = datetime.combine(analysis.as_of, datetime.min.time()) - CALENDAR_PAST
    sections = []
    rows, undated, freezes = [], [], []
    site_freezes: list[tuple[str, str]] = []
    for p in analysis.plans:
        plan = p.context.plan
        tasks = []
        for phase in plan.rollout.phases:
            times = p.context.times[phase.id]
            d = p.decision.phases[phase.id]
            row = CalendarRow(_plan_ref(p, f"phase-{phase.id}"), short(phase.name), phase.kind, day(times.first_day),
                              day(times.last_day), verdict_word(d))
            span = task_span(times)
            if span is None:
                undated.append(row)
                continue
            rows.append(row)
            status = BAR.get(d.state) or ("crit" if d.go == "NO-GO" else "")
            if plan.status not in OVER and span[1] > since:
                tasks.append(Task(ids.next(), f"{short(phase.name)} ({verdict_word(d)})", span[0], span[1], status))
        window = plan.release_window
        for f in window.freezes if window else []:
            freezes.append((_plan_ref(p), day(f.from_), day(f.to), f.reason or ""))
            start, end = freeze_span(f.from_, f.to)
            if plan.status not in OVER and end > since:
                tasks.append(Task(ids.next(), f"Freeze: {short(f.reason)}" if f.reason else "Freeze", start, end, "freeze"))
        if tasks:
            sections.append(Section(short(plan.title), tuple(tasks)))
    site_tasks = []
    for f in site_freezes_of(analysis.project.site):
        site_freezes.append((f.label, f.reason or ""))
        if f.weekly:
            continue  # a weekly lock would be a bar every week: the table says it once
        for first, last in f.occurrences(analysis.as_of, analysis.as_of + CALENDAR_AHEAD):
            start, end = freeze_span(first, last)
            if end > since and start < since + CALENDAR_PAST + CALENDAR_AHEAD:
                site_tasks.append(Task(ids.next(), f"Freeze: {short(f.reason)}" if f.reason else "Freeze", start, end,
                                       "freeze"))
    if site_tasks:
        sections.append(Section("Site-wide freezes", tuple(site_tasks)))
    rows.sort(key=lambda r: (r.first_day, r.plan.label, r.phase))
    return CalendarPage(day(analysis.as_of), Gantt("Release calendar", tuple(sections), as_of_marker(analysis.as_of, sections)),
                        tuple(rows), tuple(freezes), tuple(undated), tuple(site_freezes))


def pending_approvals(analysis: Analysis, people: Directory) -> ApprovalsPage:
    groups: dict[str, list[PendingApproval]] = defaultdict(list)
    for p in analysis.plans:
        plan = p.context.plan
        names = {ph.id: short(ph.name) for ph in plan.rollout.phases}
        for a in plan.approvals:
            lapsed = a.status == "granted" and a.expires_on is not None and a.expires_on < analysis.as_of
            if (a.status == "granted" and not lapsed) or a.status == "not-required" or p.decision.history(a.before):
                continue  # in force, or it gated only finished phases: history
            starts = [p.context.times[pid].first_day for pid in a.before]
            known = sorted(d for d in starts if d is not None)
            groups[a.approver].append(PendingApproval(
                _plan_ref(p, f"approval-{a.id}"), short(a.name), status_icon("expired" if lapsed else a.status),
                f"granted, expired on {a.expires_on}: renew" if lapsed else label(a.status),
                ", ".join(names[pid] for pid in a.before),
                day(known[0]) if known else "", covers_text(a.covers),
            ))
    ordered = sorted(groups.items(), key=lambda item: people.name(item[0]).lower())
    return ApprovalsPage(day(analysis.as_of), tuple(
        ApproverGroup(people.who(ident), tuple(sorted(rows, key=lambda r: (r.first_gated_day or "9999", r.name))))
        for ident, rows in ordered
    ))


def open_dependencies(analysis: Analysis, people: Directory) -> DependenciesPage:
    groups: dict[str, list[OpenDependency]] = defaultdict(list)
    for p in analysis.plans:
        plan = p.context.plan
        names = {ph.id: short(ph.name) for ph in plan.rollout.phases}
        for d in plan.dependencies:
            if d.status == "done" or p.decision.history(d.needed_for):
                continue  # delivered, or needed only by finished phases: history
            overdue = d.needed_by is not None and d.needed_by < analysis.as_of
            groups[d.owner or ""].append(OpenDependency(
                _plan_ref(p, "dependencies"), short(d.name), label(d.criticality or ""), day(d.needed_by),
                ", ".join(names[x] for x in d.needed_for), label(d.status), overdue, d.fallback or "",
            ))
    ordered = sorted(groups.items(), key=lambda item: (item[0] == "", people.name(item[0]).lower()))
    return DependenciesPage(day(analysis.as_of), tuple(
        OwnerGroup(people.who(owner) if owner else None,
                   tuple(sorted(rows, key=lambda r: (r.needed_by or "9999", r.name))))
        for owner, rows in ordered
    ))


def runbooks(analysis: Analysis, pages: dict[str, RunbookPage]) -> RunbooksPage:
    rows = []
    for p in analysis.plans:
        plan = p.context.plan
        book = pages[plan.id]
        rows.append(RunbookRow(_plan_ref(p), Ref("Runbook", book.path), label(plan.status), len(book.triggers),
                               len(book.steps), book.total_time, book.incident_owner, book.complete))
    return RunbooksPage(tuple(sorted(rows, key=lambda r: r.plan.label.lower())))


def directory_pages(analysis: Analysis, people: Directory) -> list[DirectoryEntryPage]:
    site = people.site
    duties: dict[str, dict[str, list[Duty]]] = defaultdict(lambda: defaultdict(list))

    def name(ident: str, plan: Ref, what: str, kind: str) -> None:
        duties[ident][kind].append(Duty(plan, what, ""))
        # people behind a team or role get the duty too, marked with the team or role
        # (an automation's owner answers for it, but does not hold its duties)
        for person in people.people_of(ident):
            if person != ident:
                duties[person][kind].append(Duty(plan, what, people.name(ident)))

    for p in analysis.plans:
        plan = p.context.plan
        ref = _plan_ref(p)
        name(plan.owner, ref, "Owns the plan", "owns")
        for d in plan.dependencies:
            if d.owner and (d.status == "done" or not p.decision.history(d.needed_for)):
                name(d.owner, _plan_ref(p, "dependencies"), f"Delivers dependency: {short(d.name)}", "owns")
        for s in plan.safeguards:
            if s.owner:
                name(s.owner, _plan_ref(p, "safeguards"), f"Runs safeguard: {short(s.name)}", "owns")
        for c in plan.validation:
            if c.owner:
                name(c.owner, _plan_ref(p, "validation"), f"Runs check: {short(c.check)}", "owns")
        if plan.integration:
            for sys in plan.integration.systems:
                if sys.owner:
                    name(sys.owner, _plan_ref(p, "integration"), f"Owns system: {short(sys.name)}", "owns")
        for a in plan.approvals:
            if a.status != "granted" and p.decision.history(a.before):
                continue  # never decided, and no longer needed
            name(a.approver, _plan_ref(p, "approvals"), f"Approves: {short(a.name)} ({label(a.status)})", "approves")
        for w in plan.waivers:
            name(w.approved_by, _plan_ref(p, "completeness"), f"Accepted a waiver of {w.rule}", "approves")
        if plan.authority:
            for action, who in (("roll back", plan.authority.rollback), ("pause", plan.authority.pause),
                                ("approve an emergency change", plan.authority.emergency_change)):
                for ident in who:
                    name(ident, _plan_ref(p, "authority"), f"May {action}", "authorises")
        if plan.support:
            runbook_ref = Ref(short(plan.title), runbook_path(plan.id), "escalation")
            if plan.support.incident_owner:
                name(plan.support.incident_owner, runbook_ref, "Owns incidents", "escalation")
            for level in plan.support.escalation:
                name(level.team, runbook_ref, f"Escalation level {level.level}", "escalation")
        if plan.rollback:
            for t in plan.rollback.triggers:
                if t.decided_by:
                    name(t.decided_by, Ref(short(plan.title), runbook_path(plan.id), "triggers"),
                         f"Decides: {short(t.symptom)}", "runbook")
            for n, step in enumerate(plan.rollback.steps, start=1):
                if step.owner:
                    name(step.owner, Ref(short(plan.title), runbook_path(plan.id), "steps"),
                         f"Step {n}: {short(step.do)}", "runbook")

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
                tuple(mine["owns"]), tuple(mine["approves"]), tuple(mine["authorises"]),
                tuple(mine["escalation"]), tuple(mine["runbook"]),
            ))
    return pages


def rules_page() -> RulesPage:
    return RulesPage(tuple(RuleRow(r.id, r.pillar, r.severity, r.summary, r.why, r.fix) for r in rules().values()))


def _group_title(group: str) -> str:
    return " / ".join(part.replace("-", " ").replace("_", " ").capitalize() for part in group.split("/"))


SECTION = 20  # plans per sidebar section


def _sections(items: list[NavItem]) -> list[NavItem]:
    """A long list of plans in sections of SECTION, named by their first and
    last titles: a page renders only its own section's entries, so a page's
    size does not grow with the number of plans in its folder."""
    if len(items) <= SECTION:
        return items
    chunks = [items[i:i + SECTION] for i in range(0, len(items), SECTION)]
    return [NavItem(f"{short(c[0].title, 24)} – {short(c[-1].title, 24)}", children=tuple(c)) for c in chunks]


def navigation(analysis: Analysis) -> tuple[NavItem, ...]:
    """One entry per plan (its runbook is linked from the plan page and the
    Runbooks index), in sections by folder."""
    groups: dict[str, list[NavItem]] = defaultdict(list)
    for p in sorted(analysis.plans, key=lambda p: p.context.plan.title.lower()):
        plan = p.context.plan
        groups[p.loaded.group].append(NavItem(short(plan.title), plan_path(plan.id)))
    plan_items = _sections(groups.pop("", []))
    plan_items += [NavItem(_group_title(g), children=tuple(_sections(items))) for g, items in sorted(groups.items())]
    return (
        NavItem("Portfolio", "index.md"),
        NavItem("Plans", children=tuple(plan_items)),
        NavItem("Release calendar", "calendar.md"),
        NavItem("Pending approvals", "approvals.md"),
        NavItem("Open dependencies", "dependencies.md"),
        NavItem("Runbooks", "runbooks.md"),
        NavItem("People and teams", "directory/index.md"),
        NavItem("Readiness rules", "rules.md"),
    )


def site_views(analysis: Analysis) -> SiteViews:
    site = analysis.project.site or SiteConfig()
    people = Directory(site)
    pages: list[Page] = [Page("index.md", "portfolio.md.j2", portfolio(analysis, site))]
    books: dict[str, RunbookPage] = {}
    titles = {p.context.plan.id: p.context.plan.title for p in analysis.plans}
    for p in analysis.plans:
        book = runbook_page(p, people)  # the runbooks index needs every one
        books[p.context.plan.id] = book
        pages += [Page(plan_path(p.context.plan.id), "plan.md.j2", None, partial(plan_page, p, people, titles)),
                  Page(book.path, "runbook.md.j2", book)]
    pages += [
        Page("calendar.md", "calendar.md.j2", calendar(analysis)),
        Page("approvals.md", "approvals.md.j2", pending_approvals(analysis, people)),
        Page("dependencies.md", "dependencies.md.j2", open_dependencies(analysis, people)),
        Page("runbooks.md", "runbooks.md.j2", runbooks(analysis, books)),
        Page("rules.md", "rules.md.j2", rules_page()),
        Page("directory/index.md", "directory.md.j2", DirectoryIndexPage(
            tuple(people.who(x) for x in sorted(site.people)),
            tuple(people.who(x) for x in sorted(site.teams)),
            tuple(people.who(x) for x in sorted(site.roles)),
            tuple(people.who(x) for x in sorted(site.automations)),
        )),
    ]
    entries = directory_pages(analysis, people)
    pages += [Page(e.path, "person.md.j2", e) for e in entries]
    hidden = tuple(b.path for b in books.values()) + tuple(e.path for e in entries)  # reached from links
    return SiteViews(site.site.title, site.site.organisation or "", tuple(pages), navigation(analysis),
                     hidden, site.site.description or "")
