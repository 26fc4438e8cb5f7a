"""`site_config/site.yaml`: the site's title and the people, teams and roles
that every "who" field in a plan refers to."""

from __future__ import annotations

from typing import Literal

from pydantic import Field

from plangen.model.base import DirectoryId, StrictModel, Text
from plangen.model.plan import RULE_IDS

LintRule = Literal[RULE_IDS + ("unused-waiver",)]  # type: ignore[valid-type]
LintLevel = Literal["error", "warning", "note", "off"]


class SiteInfo(StrictModel):
    """What the site is called and whose it is."""

    title: Text = "Release plans"
    """Site title."""
    organisation: Text | None = None
    """Organisation name, shown in the header and footer."""
    description: Text | None = None
    """One sentence about the site, for search engines and link previews (meta description)."""
    mermaid: Literal["bundled", "cdn"] = "bundled"
    """bundled: diagrams work offline from a pinned local Mermaid; cdn: load Mermaid from a CDN on purpose."""


class Person(StrictModel):
    """Someone who owns, approves or responds."""

    name: Text
    """Full name."""
    email: Text | None = None
    """Mail address, shown as a contact."""
    team: DirectoryId | None = None
    """Team id the person belongs to."""
    phone: Text | None = None
    """Phone number or extension."""


class Team(StrictModel):
    """A team, desk or group."""

    name: Text
    """Team name."""
    contact: Text | None = None
    """How to reach the team: a channel, address or extension."""
    oncall: Text | None = None
    """On-call rotation, e.g. pagerduty:ml-oncall."""


class Role(StrictModel):
    """A role that people hold."""

    name: Text
    """Role name."""
    held_by: list[DirectoryId] = []
    """Person ids holding the role."""
    contact: Text | None = None
    """How to reach whoever holds the role now: a channel, address or duty phone."""
    oncall: Text | None = None
    """On-call rotation that pages the role's holder, e.g. pagerduty:release-duty."""


class SiteConfig(StrictModel):
    """The site settings and the directory of people, teams and roles."""

    site: SiteInfo = Field(default_factory=SiteInfo)
    """Site title and organisation."""
    people: dict[DirectoryId, Person] = {}
    """People by id (e.g. priya.n)."""
    teams: dict[DirectoryId, Team] = {}
    """Teams by id."""
    roles: dict[DirectoryId, Role] = {}
    """Roles by id."""
    lint: dict[LintRule, LintLevel] = {}
    """Severity per readiness rule id: error, warning, note, or off."""

    def people_of(self, ident: str) -> tuple[str, ...]:
        """Person ids behind a person, team or role id: a person is itself, a
        role its holders, a team its members (the spec's resolution rule)."""
        if ident in self.people:
            return (ident,)
        if ident in self.roles:
            return tuple(self.roles[ident].held_by)
        return tuple(pid for pid, person in self.people.items() if person.team == ident)
