"""Cross-checks that no single field can make: ids, references, cycles, dates.

Each check walks a validated plan with the paths it visits, so every finding
points at the exact entry in the YAML file.
"""

from __future__ import annotations

import zoneinfo
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from datetime import date, datetime, timezone

from plangen.errors import FieldPath, Finding, format_path, quote
from plangen.load import Document
from plangen.model.explain import did_you_mean
from plangen.model.plan import V1, V1_1, Plan, Step
from plangen.model.base import MAX_DAY
from plangen.model.schedule import OUT_OF_RANGE, find_cycle, phase_times, zones
from plangen.model.versions import check_version
from plangen.model.site import SiteConfig


@dataclass(frozen=True)
class Directory:
    """The ids a "who" field may name, and where the directory came from."""

    people: frozenset[str]
    teams: frozenset[str]
    roles: frozenset[str]
    source: str | None  # None: no site.yaml was found
    automations: frozenset[str] = frozenset()

    @classmethod
    def of(cls, site: SiteConfig | None, source: str | None) -> Directory:
        if site is None:
            return cls(frozenset(), frozenset(), frozenset(), source)
        return cls(frozenset(site.people), frozenset(site.teams), frozenset(site.roles), source,
                   frozenset(site.automations))

    @property
    def ids(self) -> frozenset[str]:
        return self.people | self.teams | self.roles


def machine_may_act(path: FieldPath) -> bool:
    """Whether the "who" field at `path` may name an automation (since 1.1):
    a machine can decide on a trigger or an analysis, roll back or pause, run
    a step or a check. Owning a plan, approving, accepting a waiver and
    answering for incidents stay with people."""
    if path[-1] == "decided_by" or (path[0] == "authority" and path[1] in ("rollback", "pause")):
        return True
    return path[-1] == "owner" and (
        "steps" in path or "alternatives" in path or path[0] == "validation"
    )


def who_references(plan: Plan) -> Iterator[tuple[FieldPath, str]]:
    """Every person/team/role reference in a plan, with its path."""
    yield ("owner",), plan.owner
    if plan.integration:
        for i, step in enumerate(plan.integration.workflow):
            if step.role:
                yield ("integration", "workflow", i, "role"), step.role
        for i, system in enumerate(plan.integration.systems):
            if system.owner:
                yield ("integration", "systems", i, "owner"), system.owner
    for i, dep in enumerate(plan.dependencies):
        if dep.owner:
            yield ("dependencies", i, "owner"), dep.owner
    for i, approval in enumerate(plan.approvals):
        yield ("approvals", i, "approver"), approval.approver
    if plan.authority:
        for name in ("rollback", "pause", "emergency_change"):
            for j, who in enumerate(getattr(plan.authority, name)):
                yield ("authority", name, j), who
    for i, guard in enumerate(plan.safeguards):
        if guard.owner:
            yield ("safeguards", i, "owner"), guard.owner
    for i, check in enumerate(plan.validation):
        if check.owner:
            yield ("validation", i, "owner"), check.owner
    for i, phase in enumerate(plan.rollout.phases):
        for j, gate in enumerate(phase.analysis):
            if gate.decided_by:
                yield ("rollout", "phases", i, "analysis", j, "decided_by"), gate.decided_by
        yield from _step_owners(phase.steps, ("rollout", "phases", i, "steps"))
    if plan.rollback:
        for i, trigger in enumerate(plan.rollback.triggers):
            if trigger.decided_by:
                yield ("rollback", "triggers", i, "decided_by"), trigger.decided_by
        yield from _step_owners(plan.rollback.steps, ("rollback", "steps"))
    if plan.support:
        if plan.support.incident_owner:
            yield ("support", "incident_owner"), plan.support.incident_owner
        for i, level in enumerate(plan.support.escalation):
            yield ("support", "escalation", i, "team"), level.team
    for i, waiver in enumerate(plan.waivers):
        yield ("waivers", i, "approved_by"), waiver.approved_by


def _step_owners(steps: Sequence[Step], path: FieldPath) -> Iterator[tuple[FieldPath, str]]:
    for i, step in enumerate(steps):
        if step.owner:
            yield (*path, i, "owner"), step.owner
        for j, other in enumerate(step.alternatives):
            if other.owner:
                yield (*path, i, "alternatives", j, "owner"), other.owner


def phase_references(plan: Plan) -> Iterator[tuple[FieldPath, str]]:
    """Every reference to a phase id, with its path."""
    for i, phase in enumerate(plan.rollout.phases):
        for j, ref in enumerate(phase.after or []):
            yield ("rollout", "phases", i, "after", j), ref
    for i, dep in enumerate(plan.dependencies):
        for j, ref in enumerate(dep.needed_for):
            yield ("dependencies", i, "needed_for", j), ref
    for i, approval in enumerate(plan.approvals):
        for j, ref in enumerate(approval.before):
            yield ("approvals", i, "before", j), ref
    for i, check in enumerate(plan.validation):
        for j, ref in enumerate(check.before):
            yield ("validation", i, "before", j), ref
    for i, note in enumerate(plan.communications):
        if note.phase:
            yield ("communications", i, "phase"), note.phase
    if plan.rollback and plan.rollback.window and plan.rollback.window.phase:
        yield ("rollback", "window", "phase"), plan.rollback.window.phase


def plan_ids(plan: Plan) -> Iterator[tuple[FieldPath, str]]:
    """Every id declared inside a plan: one namespace, so anchors never clash."""
    for i, phase in enumerate(plan.rollout.phases):
        yield ("rollout", "phases", i, "id"), phase.id
    for i, dep in enumerate(plan.dependencies):
        yield ("dependencies", i, "id"), dep.id
    for i, approval in enumerate(plan.approvals):
        yield ("approvals", i, "id"), approval.id
    for i, check in enumerate(plan.validation):
        yield ("validation", i, "id"), check.id
    for i, phase in enumerate(plan.rollout.phases):
        for j, gate in enumerate(phase.analysis):
            yield ("rollout", "phases", i, "analysis", j, "id"), gate.id
    for i, monitor in enumerate(plan.monitoring):
        if monitor.id:
            yield ("monitoring", i, "id"), monitor.id
    if plan.rollback:
        for i, trigger in enumerate(plan.rollback.triggers):
            yield ("rollback", "triggers", i, "id"), trigger.id


def check_plan(doc: Document, plan: Plan, directory: Directory | None) -> list[Finding]:
    """All cross-checks of one plan; `directory` None skips the "who" checks."""
    findings: list[Finding] = check_version(doc, plan)
    ids = list(_unique_ids(doc, plan))
    clashes = bool(ids)
    findings += ids
    if directory is not None:
        findings += _who(doc, plan, directory)
    phase_findings = _phase_refs(doc, plan)
    findings += phase_findings + list(_monitor_refs(doc, plan))
    cycle = None if clashes else find_cycle(plan)  # with clashing ids the graph is ambiguous
    if cycle:
        index = next(i for i, p in enumerate(plan.rollout.phases) if p.id == cycle[0])
        implicit = [p.id for p in plan.rollout.phases if p.id in cycle and p.after is None]
        note = f" ({', '.join(implicit)} without 'after' follows the phase listed before it)" if implicit else ""
        findings.append(
            doc.finding(
                ("rollout", "phases", index, "after"),
                "phases wait for each other in a circle: " + " -> ".join(cycle) + note,
                "remove one of these links so the phases have an order; 'after: []' means no predecessor",
            )
        )
    findings += _dates(doc, plan, schedule=not (cycle or phase_findings or clashes))
    return findings


def _unique_ids(doc: Document, plan: Plan) -> Iterator[Finding]:
    seen: dict[str, FieldPath] = {}
    for path, ident in plan_ids(plan):
        if ident in seen:
            first = seen[ident]
            line, _ = doc.position(first)
            yield doc.finding(
                path,
                f"id '{ident}' is already used at line {line} ({_section(first)})",
                "ids of phases, analyses, approvals, checks, dependencies and triggers must be unique within a plan",
            )
        else:
            seen[ident] = path


def _section(path: FieldPath) -> str:
    return format_path(path[:-1])


def _who(doc: Document, plan: Plan, directory: Directory) -> Iterator[Finding]:
    refs = list(who_references(plan))
    if directory.source is None:
        # One finding, not one per reference: the fix is a single file.
        path, who = refs[0]
        others = f" and {len(refs) - 1} other references" if len(refs) > 1 else ""
        yield doc.finding(
            path,
            f"'{who}'{others} cannot be resolved: no people, teams or roles are defined",
            "create site_config/site.yaml with people, teams and roles, or pass --site-config",
        )
        return
    known = directory.ids
    for path, who in refs:
        if who in directory.automations:
            if not machine_may_act(path):
                yield doc.finding(path, f"'{who}' is an automation: a person, team or role must be named here",
                                  "an automation may decide triggers and analyses, roll back, pause, and run steps "
                                  "and checks; owning, approving and answering for incidents stay with people")
            elif plan.format == V1:
                yield doc.finding(path, f"naming an automation ('{who}') needs format {V1_1}",
                                  f"write `format: {V1_1}` on the first line")
        elif who not in known:
            names = known | directory.automations if machine_may_act(path) else known
            hint = did_you_mean(who, names)
            hint = f"{hint} (people, teams and roles are defined in {directory.source})" if hint else \
                f"add it to {directory.source}"
            yield doc.finding(path, f"unknown person, team or role '{who}'", hint)


def _monitor_refs(doc: Document, plan: Plan) -> Iterator[Finding]:
    """A trigger's `monitor` names a monitoring entry by id or metric."""
    names = [m.id for m in plan.monitoring if m.id] + [m.metric for m in plan.monitoring]
    for i, trigger in enumerate(plan.rollback.triggers if plan.rollback else []):
        if trigger.monitor is not None and trigger.monitor not in names:
            hint = did_you_mean(trigger.monitor, names) if names else "add the signal to `monitoring` first"
            yield doc.finding(("rollback", "triggers", i, "monitor"),
                              f"unknown monitoring entry {quote(trigger.monitor)}",
                              hint + " (a monitoring entry's id or metric)")


def _phase_refs(doc: Document, plan: Plan) -> list[Finding]:
    phases = [p.id for p in plan.rollout.phases]
    return [
        doc.finding(path, f"unknown phase '{ref}'", did_you_mean(ref, phases))
        for path, ref in phase_references(plan)
        if ref not in phases
    ]


def _dates(doc: Document, plan: Plan, *, schedule: bool) -> Iterator[Finding]:
    window = plan.release_window
    if window:
        if window.end is not None and window.end < window.start:
            yield doc.finding(
                ("release_window", "end"),
                f"the window ends ({window.end}) before it starts ({window.start})",
                "swap the dates, or correct the one that is wrong",
            )
        if window.timezone and window.timezone not in zones():
            yield doc.finding(
                ("release_window", "timezone"),
                f"unknown time zone {quote(window.timezone)}",
                did_you_mean(window.timezone, zones()) + " (IANA names such as Europe/London)",
            )
        for i, freeze in enumerate(window.freezes):
            if freeze.to < freeze.from_:
                yield doc.finding(
                    ("release_window", "freezes", i, "to"),
                    f"the freeze ends ({freeze.to}) before it starts ({freeze.from_})",
                    "'from' is the first frozen day and 'to' the last",
                )
    zone = window.timezone if window and window.timezone in zones() else None
    for i, phase in enumerate(plan.rollout.phases):
        for key in ("start", "end"):
            moment = getattr(phase, key)
            if zone and isinstance(moment, datetime) and not _exists(moment, zone):
                yield doc.finding(("rollout", "phases", i, key),
                                  f"{_shown(moment)} does not exist in {zone}: the clocks jump over it that night",
                                  "choose a time outside the daylight-saving change, e.g. an hour later")
        if phase.end is not None and phase.duration is not None:
            yield doc.finding(
                ("rollout", "phases", i, "duration"),
                "give either 'end' or 'duration', not both",
                "keep the one you mean; the other is derived",
            )
    for i, dep in enumerate(plan.dependencies):
        if dep.phase is not None and dep.plan is None:
            yield doc.finding(("dependencies", i, "phase"), "'phase' names a phase of another plan, but 'plan' is missing",
                              "add `plan:` with that plan's id; phases of this plan go in `needed_for`")
        if dep.plan is not None and "status" in dep.model_fields_set:
            yield doc.finding(("dependencies", i, "status"), f"the status is read from plan '{dep.plan}'",
                              "remove `status`: it follows that plan's phase")
    for i, approval in enumerate(plan.approvals):
        if approval.status == "not-required" and approval.when is None:
            yield doc.finding(("approvals", i, "status"), "'not-required' is only for an approval with a `when`",
                              "say in `when` which case needs the approval, or set the status it has")
        if approval.decided_on and approval.expires_on and approval.expires_on < approval.decided_on:
            yield doc.finding(
                ("approvals", i, "expires_on"),
                f"the approval expires ({approval.expires_on}) before it was decided ({approval.decided_on})",
                "check both dates",
            )
    if not schedule:
        return
    times = phase_times(plan)
    for i, phase in enumerate(plan.rollout.phases):
        t = times[phase.id]
        if t is OUT_OF_RANGE:
            yield doc.finding(
                ("rollout", "phases", i),
                f"the phase would end after {MAX_DAY}, the last day plangen can schedule",
                "check its start, end and duration, and those of the phases before it",
            )
            continue
        if phase.end is not None and t.start is not None and t.end is not None and t.end <= t.start:
            how = "its 'start'" if phase.start else "the end of the phases before it"
            yield doc.finding(
                ("rollout", "phases", i, "end"),
                f"the phase ends ({_shown(phase.end)}) before it starts ({_shown(t.start)}, from {how})",
                "correct 'end', or give a 'duration' instead",
            )


def _exists(moment: datetime, zone: str) -> bool:
    """Whether a wall-clock time happens in a zone (not skipped at a daylight-saving change)."""
    tz = zoneinfo.ZoneInfo(zone)
    back = moment.replace(tzinfo=tz).astimezone(timezone.utc).astimezone(tz).replace(tzinfo=None)
    return back == moment


def _shown(moment: date) -> str:
    if isinstance(moment, datetime):
        return moment.isoformat(sep=" ", timespec="seconds" if moment.second else "minutes").removesuffix(" 00:00")
    return moment.isoformat()


def check_site(doc: Document, site: SiteConfig) -> list[Finding]:
    """Teams and people referenced inside the directory exist; ids are unambiguous."""
    findings = []
    for pid, person in site.people.items():
        if person.team and person.team not in site.teams:
            findings.append(
                doc.finding(("people", pid, "team"), f"unknown team '{person.team}'", did_you_mean(person.team, site.teams))
            )
    for rid, role in site.roles.items():
        for j, holder in enumerate(role.held_by):
            if holder not in site.people:
                findings.append(
                    doc.finding(
                        ("roles", rid, "held_by", j), f"unknown person '{holder}'",
                        did_you_mean(holder, site.people) or "roles are held by people listed under 'people'",
                    )
                )
    for aid, machine in site.automations.items():
        if machine.owner in site.automations:
            findings.append(doc.finding(("automations", aid, "owner"), f"'{machine.owner}' is an automation",
                                        "a person, team or role answers for an automation"))
        elif machine.owner not in site.people and machine.owner not in site.teams and machine.owner not in site.roles:
            findings.append(doc.finding(("automations", aid, "owner"), f"unknown person, team or role '{machine.owner}'",
                                        did_you_mean(machine.owner, [*site.people, *site.teams, *site.roles])))
    findings += _site_freezes(doc, site)
    sections = (("people", site.people), ("teams", site.teams), ("roles", site.roles), ("automations", site.automations))
    for n, (name, ids) in enumerate(sections):
        for other, other_ids in sections[n + 1 :]:
            for ident in sorted(set(ids) & set(other_ids)):
                findings.append(
                    doc.finding(
                        (other, ident), f"'{ident}' is both in {name} and in {other}",
                        "a plan could not tell which one it names; rename one of them", key=True,
                    )
                )
    return findings


def _site_freezes(doc: Document, site: SiteConfig) -> Iterator[Finding]:
    seen: set[str] = set()
    for i, freeze in enumerate(site.freezes):
        if freeze.id in seen:
            yield doc.finding(("freezes", i, "id"), f"freeze id '{freeze.id}' is already used",
                              "give each freeze its own id")
        seen.add(freeze.id)
        if freeze.from_ and freeze.to and freeze.to < freeze.from_:
            yield doc.finding(("freezes", i, "to"), f"the freeze ends ({freeze.to}) before it starts ({freeze.from_})",
                              "'from' is the first frozen day and 'to' the last")
        if freeze.timezone and freeze.timezone not in zones():
            yield doc.finding(("freezes", i, "timezone"), f"unknown time zone {quote(freeze.timezone)}",
                              did_you_mean(freeze.timezone, zones()) + " (IANA names such as Europe/London)")
