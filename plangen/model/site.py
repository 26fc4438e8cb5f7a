"""`site_config/site.yaml`: the site's title and the people, teams and roles
that every "who" field in a plan refers to."""

from __future__ import annotations

import re
from datetime import date
from typing import Annotated, Literal

from pydantic import AfterValidator, Field, WithJsonSchema, model_validator
from pydantic_core import PydanticCustomError

from plangen.errors import quote

from plangen.model.base import Day, DirectoryId, Items, Slug, StrictModel, Text, Url
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


class Automation(StrictModel):
    """A machine that decides or acts in a rollout: a rollout controller, an
    analysis job, a feature-flag service. Plans name it like a team."""

    name: Text
    """What it is, e.g. "Argo Rollouts controller (prod-eu)"."""
    owner: DirectoryId
    """The person, team or role who answers for it: whom to chase when it is in the way."""
    kind: Literal["controller", "analysis", "feature-flag", "pipeline", "scheduler"] | None = None
    """controller | analysis | feature-flag | pipeline | scheduler."""
    docs: Url | None = None
    """Link to how it works or how to override it."""


WEEKDAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")


WEEK_TIME_PATTERN = r"^(mon|tue|wed|thu|fri|sat|sun)( ([01][0-9]|2[0-3]):[0-5][0-9])?$"
MONTH_DAY_PATTERN = r"^[0-9]{2}-[0-9]{2}$"


def check_week_time(value: str) -> str:
    if not re.fullmatch(WEEK_TIME_PATTERN, value):
        raise PydanticCustomError("plangen_week_time", "{value} is not a day of the week and a time: expected a day "
                                  "(mon, tue, wed, thu, fri, sat, sun), then optionally HH:MM, like 'fri 16:00'",
                                  {"value": quote(value)})
    return value


def check_month_day(value: str) -> str:
    try:
        if not re.fullmatch(MONTH_DAY_PATTERN, value):
            raise ValueError
        date(2000, int(value[:2]), int(value[3:]))  # a leap year: 02-29 is a day of the year
    except ValueError:
        raise PydanticCustomError("plangen_month_day", "{value} is not a day of the year: expected MM-DD, like 12-20",
                                  {"value": quote(value)}) from None
    return value


WeekTime = Annotated[str, AfterValidator(check_week_time), WithJsonSchema({"type": "string", "pattern": WEEK_TIME_PATTERN})]


class WeeklySpan(StrictModel):
    """A span that repeats every week, e.g. from "fri 16:00" to "mon 08:00"."""

    from_: WeekTime = Field(alias="from")
    """Day and time it starts: mon | tue | wed | thu | fri | sat | sun, then HH:MM (absent: 00:00)."""
    to: WeekTime
    """Day and time it ends (absent time: the end of that day)."""


MonthDay = Annotated[str, AfterValidator(check_month_day), WithJsonSchema({"type": "string", "pattern": MONTH_DAY_PATTERN})]


class YearlySpan(StrictModel):
    """Days that repeat every year, e.g. from 12-20 to 01-04 (may run over the new year)."""

    from_: MonthDay = Field(alias="from")
    """First day, MM-DD."""
    to: MonthDay
    """Last day, MM-DD."""


class SiteFreeze(StrictModel):
    """A change freeze for every plan on the site: once, weekly or yearly."""

    id: Slug
    """Freeze id, unique in site.yaml; findings and go / no-go name the freeze by it."""
    reason: Text
    """Why releases are frozen."""
    from_: Day | None = Field(None, alias="from")
    """First day of a one-off freeze (YYYY-MM-DD)."""
    to: Day | None = None
    """Last day of a one-off freeze (YYYY-MM-DD)."""
    weekly: WeeklySpan | None = None
    """A freeze that repeats every week."""
    yearly: YearlySpan | None = None
    """A freeze that repeats every year."""
    timezone: Text | None = None
    """IANA time zone the times are in. Absent: each plan's release window timezone, else UTC."""
    owner: DirectoryId | None = None
    """Who declares the freeze and grants exceptions."""

    @model_validator(mode="after")
    def _one_form(self) -> SiteFreeze:
        forms = [name for name, on in (("from/to", self.from_ is not None or self.to is not None),
                                       ("weekly", self.weekly is not None), ("yearly", self.yearly is not None)) if on]
        if len(forms) != 1:
            shown = " and ".join(forms) if forms else "none"
            raise PydanticCustomError("plangen_freeze", "a freeze is either one-off (from and to), weekly or yearly: "
                                      "this one has {shown}", {"shown": shown})
        if forms == ["from/to"] and (self.from_ is None or self.to is None):
            raise PydanticCustomError("plangen_freeze", "a one-off freeze needs both 'from' and 'to'")
        return self


class Limits(StrictModel):
    """Limits the checks across plans hold every plan to."""

    approvals_per_week: int | None = Field(default=None, ge=1)
    """Most approvals one approver may have due in one week, across all plans (rule approver-load). Absent: no limit."""


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
    automations: dict[DirectoryId, Automation] = {}
    """Machines that decide or act in rollouts, by id (format 1.1 plans may name them)."""
    freezes: Items[SiteFreeze] = []
    """Change freezes for every plan: one-off, weekly or yearly."""
    lint: dict[LintRule, LintLevel] = {}
    """Severity per readiness rule id: error, warning, note, or off."""
    limits: Limits = Field(default_factory=Limits)
    """Limits across plans, e.g. approvals per approver per week."""

    def people_of(self, ident: str) -> tuple[str, ...]:
        """Person ids behind a person, team or role id: a person is itself, a
        role its holders, a team its members (the spec's resolution rule). An
        automation is no one: its owner answers for it, but does not act as it."""
        if ident in self.people:
            return (ident,)
        if ident in self.roles:
            return tuple(self.roles[ident].held_by)
        return tuple(pid for pid, person in self.people.items() if person.team == ident)
