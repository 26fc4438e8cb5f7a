"""Small view values shared by every page: references, people, formatting.

Views hold raw plan text; escaping happens later, in the render stage, for
the context each value lands in.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime, time

from plangen.errors import short
from plangen.model.base import is_web_url
from plangen.model.site import SiteConfig


@dataclass(frozen=True)
class Ref:
    """A link to a page of the site (docs-relative path) and an anchor on it."""

    label: str
    path: str
    anchor: str = ""


@dataclass(frozen=True)
class Link:
    """A link to outside the site: a checked http, https or mailto URL."""

    label: str
    href: str


@dataclass(frozen=True)
class Contact:
    """One way to reach someone: a web, mailto or tel link, or plain text."""

    text: str
    href: str = ""  # "" when shown as text


@dataclass(frozen=True)
class Reach:
    """A labelled line of contacts: "On call: pagerduty:ml-oncall"."""

    label: str
    contacts: tuple[Contact, ...]


@dataclass(frozen=True)
class Who:
    """A person, team or role, with its page and the ways to reach it."""

    id: str
    kind: str  # person | team | role | automation
    ref: Ref
    contacts: tuple[Reach, ...]  # how to reach them now: on call first, then the contact, then each person
    people: tuple[str, ...]  # names of the people behind it

    @property
    def holders(self) -> str:
        """Who holds a role, or is in a team, by name; "nobody" for a role no
        one holds; "" for a person or a team with no members listed."""
        if self.kind == "person":
            return ""
        return ", ".join(self.people) or ("nobody" if self.unheld else "")

    @property
    def unheld(self) -> bool:
        """A role no one holds: whatever waits on it cannot happen."""
        return self.kind == "role" and not self.people


_FOLDERS = {"person": "people", "team": "teams", "role": "roles", "automation": "automations"}


def directory_path(kind: str, ident: str) -> str:
    return f"directory/{_FOLDERS[kind]}/{ident}.md"


class Directory:
    """Resolves "who" ids to names, pages and contacts (built once per site)."""

    def __init__(self, site: SiteConfig) -> None:
        self.site = site
        self._who: dict[str, Who] = {}  # every page names the same few people
        self._people: dict[str, tuple[str, ...]] = {}  # a team's members are found by going through everyone

    def kind(self, ident: str) -> str:
        if ident in self.site.people:
            return "person"
        if ident in self.site.teams:
            return "team"
        if ident in self.site.automations:
            return "automation"
        return "role"

    def people_of(self, ident: str) -> tuple[str, ...]:
        if ident not in self._people:
            self._people[ident] = self.site.people_of(ident)
        return self._people[ident]

    def name(self, ident: str) -> str:
        site = self.site
        entry = site.people.get(ident) or site.teams.get(ident) or site.roles.get(ident) or site.automations.get(ident)
        return entry.name if entry is not None else ident

    def contacts(self, ident: str) -> tuple[Reach, ...]:
        """On-call rotation first, then the team's or role's own contact, then
        each person behind it with their phone and mail."""
        site = self.site
        if ident in site.people:
            person = site.people[ident]
            own = tuple(c for c in (phone(person.phone), mail(person.email)) if c)
            return (Reach("", own),) if own else ()
        if ident in site.automations:  # whom to reach about a machine: its owner
            owner = site.automations[ident].owner
            return (Reach("Owned by", (Contact(self.name(owner)),)), *self.contacts(owner))
        entry = site.teams.get(ident) or site.roles.get(ident)
        lines = []
        if entry is not None and entry.oncall:
            lines.append(Reach("On call", (free_text(entry.oncall),)))
        if entry is not None and entry.contact:
            lines.append(Reach("Contact", (free_text(entry.contact),)))
        for p in self.people_of(ident):
            person = site.people.get(p)
            own = tuple(c for c in (phone(person.phone), mail(person.email)) if c) if person else ()
            lines.append(Reach(self.name(p), own))
        return tuple(lines)

    def who(self, ident: str) -> Who:
        if ident not in self._who:
            kind = self.kind(ident)
            self._who[ident] = Who(
                ident, kind, Ref(self.name(ident), directory_path(kind, ident)), self.contacts(ident),
                tuple(short(self.name(p)) for p in self.people_of(ident)),  # referred to, not defined
            )
        return self._who[ident]


_MAIL = re.compile(r"[^@\s?&#/<>\"']+@[^@\s?&#/<>\"']+\.[A-Za-z]{2,}")


def mail(address: str | None) -> Contact | None:
    """A mail address as a mailto: link, if it is one."""
    if not address:
        return None
    return Contact(address, f"mailto:{address}" if _MAIL.fullmatch(address) else "")


def phone(number: str | None) -> Contact | None:
    """A phone number or extension as a tel: link (its digits, and a leading +)."""
    if not number:
        return None
    digits = re.sub(r"[^0-9]", "", number)
    plus = "+" if number.strip().startswith("+") else ""
    # An internal extension ("x4471", "ext. 12") is dialled from a desk phone, not a tel: link.
    internal = re.match(r"\s*(x|ext)", number, re.IGNORECASE) is not None
    return Contact(number, f"tel:{plus}{digits}" if len(digits) >= 3 and not internal else "")


def free_text(text: str) -> Contact:
    """A contact written as free text: linked when it is an http(s) URL, a mail
    address or a phone number; shown as text otherwise (#channel, pagerduty:x)."""
    if is_web_url(text):
        return Contact(text, text)
    if _MAIL.fullmatch(text):
        return Contact(text, f"mailto:{text}")
    if re.fullmatch(r"\+?[0-9][0-9 ()./-]{5,}", text.strip()):
        return phone(text) or Contact(text)
    return Contact(text)


def status_icon(status: str) -> str:
    """A sign beside a status word, so colour is never the only signal."""
    if status in ("granted", "not-required", "passed", "waived", "done", "complete"):
        return "✅"
    if status in ("rejected", "expired", "failed", "blocked", "rolled-back"):
        return "❌"
    return "⏳"


def plan_path(plan_id: str) -> str:
    return f"plans/{plan_id}/index.md"


def runbook_path(plan_id: str) -> str:
    return f"plans/{plan_id}/runbook.md"


def audit_path(plan_id: str) -> str:
    return f"plans/{plan_id}/audit.md"


def phase_ref(plan_id: str, plan_title: str, phase_id: str, phase_name: str) -> Ref:
    """A phase of a plan, named from another page: "Plan: Phase"."""
    return Ref(f"{short(plan_title)}: {short(phase_name)}", plan_path(plan_id), f"phase-{phase_id}")


def moment(value: datetime) -> str:
    """2026-12-01 10:40, or 2026-12-01 at midnight; seconds only when there are some."""
    if value.time() == time():
        return value.date().isoformat()
    return value.isoformat(sep=" ", timespec="seconds" if value.second else "minutes")


def starts_at(value: datetime | None) -> str:
    """A phase's start as people plan around it: the day, and the time when it has one."""
    return moment(value) if value is not None else ""


def day(value: date | None) -> str:
    return value.isoformat() if value else ""


def days(first: date | None, last: date | None) -> str:
    """A span of days: "2026-12-01", or "2026-12-01 to 2026-12-05"."""
    return day(first) if first == last else f"{day(first)} to {day(last)}"


def percent(value: float | None) -> str:
    return "" if value is None else f"{value:g}%"


def label(value: str) -> str:
    """An enum value as people read it: 'in-review' -> 'in review'."""
    return value.replace("-", " ").replace("_", " ")
