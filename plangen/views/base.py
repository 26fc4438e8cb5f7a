"""Small view values shared by every page: references, people, formatting.

Views hold raw plan text; escaping happens later, in the render stage, for
the context each value lands in.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

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
class Who:
    """A person, team or role, with its page and the ways to reach it."""

    id: str
    kind: str  # person | team | role
    ref: Ref
    contacts: tuple[str, ...]  # mail, channel, extension, on-call: free text, linked when a web URL
    people: tuple[str, ...]  # names of the people behind it

    @property
    def holders(self) -> str:
        """Who holds a role, or is in a team, by name; "nobody" for a role no
        one holds; "" for a person or a team with no members listed."""
        if self.kind == "person":
            return ""
        return ", ".join(self.people) or ("nobody" if self.kind == "role" else "")


_FOLDERS = {"person": "people", "team": "teams", "role": "roles"}


def directory_path(kind: str, ident: str) -> str:
    return f"directory/{_FOLDERS[kind]}/{ident}.md"


class Directory:
    """Resolves "who" ids to names, pages and contacts (built once per site)."""

    def __init__(self, site: SiteConfig) -> None:
        self.site = site

    def kind(self, ident: str) -> str:
        if ident in self.site.people:
            return "person"
        if ident in self.site.teams:
            return "team"
        return "role"

    def people_of(self, ident: str) -> tuple[str, ...]:
        return self.site.people_of(ident)

    def name(self, ident: str) -> str:
        site = self.site
        entry = site.people.get(ident) or site.teams.get(ident) or site.roles.get(ident)
        return entry.name if entry is not None else ident

    def contacts(self, ident: str) -> tuple[str, ...]:
        site = self.site
        if ident in site.people:
            person = site.people[ident]
            return tuple(x for x in (person.email, person.phone) if x)
        if ident in site.teams:
            team = site.teams[ident]
            return tuple(x for x in (team.contact, team.oncall) if x)
        # a role: reach the people who hold it
        return tuple(
            f"{self.name(p)}: {', '.join(self.contacts(p))}" if self.contacts(p) else self.name(p)
            for p in self.people_of(ident)
        )

    def who(self, ident: str) -> Who:
        kind = self.kind(ident)
        return Who(
            ident, kind, Ref(self.name(ident), directory_path(kind, ident)), self.contacts(ident),
            tuple(self.name(p) for p in self.people_of(ident)),
        )


def status_icon(status: str) -> str:
    """A sign beside a status word, so colour is never the only signal."""
    if status in ("granted", "passed", "waived", "done", "complete"):
        return "✅"
    if status in ("rejected", "expired", "failed", "blocked", "rolled-back"):
        return "❌"
    return "⏳"


def plan_path(plan_id: str) -> str:
    return f"plans/{plan_id}/index.md"


def runbook_path(plan_id: str) -> str:
    return f"plans/{plan_id}/runbook.md"


def human_duration(delta: timedelta) -> str:
    """timedelta -> '1 h 25 min', '3 d', '2 w 1 d' (the largest units that fit)."""
    minutes = int(delta.total_seconds() // 60)
    parts = []
    for unit, size in (("w", 7 * 24 * 60), ("d", 24 * 60), ("h", 60), ("min", 1)):
        if minutes >= size:
            parts.append(f"{minutes // size} {unit}")
            minutes %= size
    return " ".join(parts) or "0 min"


def day(value: date | None) -> str:
    return value.isoformat() if value else ""


def percent(value: float | None) -> str:
    return "" if value is None else f"{value:g}%"


def label(value: str) -> str:
    """An enum value as people read it: 'in-review' -> 'in review'."""
    return value.replace("-", " ").replace("_", " ")
