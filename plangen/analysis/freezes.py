"""Change freezes that apply to a plan: its own, and since 1.1 the site's
(one-off, weekly or yearly), and which phases fall inside them.

Day freezes (a plan's own, one-off and yearly site freezes) protect whole
days: a phase whose days overlap one runs inside it. A weekly freeze is a
change lock (e.g. Friday 16:00 to Monday 08:00): starting a phase inside it
is a change made during the lock; running on through it is not. A phase
that starts on a day with no time starts inside the lock only when the lock
covers that whole day.
"""

from __future__ import annotations

import zoneinfo
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from plangen.model.plan import Plan
from plangen.model.schedule import PhaseTimes, zones
from plangen.model.site import WEEKDAYS, SiteConfig, SiteFreeze

DAY = timedelta(days=1)
WEEK = timedelta(weeks=1)


@dataclass(frozen=True)
class Freeze:
    """One freeze, as every consumer sees it."""

    ref: str  # the site freeze's id, else the plan freeze's dates "from/to"
    label: str  # when, in words: "2026-12-20 to 2027-01-04", "every week, fri 16:00 to mon 08:00"
    reason: str | None
    site: SiteFreeze | None = None  # None: the plan's own freeze
    first: date | None = None  # one-off days (plan freezes and one-off site freezes)
    last: date | None = None

    def describe(self, reason: str | None = None) -> str:
        """"the freeze 2026-12-20 to 2027-01-04 (Year end)", "the site-wide change lock 'weekend', every week ..."."""
        what = "change lock" if self.weekly else "freeze"
        name = f"the site-wide {what} '{self.ref}', {self.label}" if self.site else f"the {what} {self.label}"
        reason = self.reason if reason is None else reason
        return name + (f" ({reason})" if reason else "")

    def span_from(self, as_of: date) -> tuple[datetime, datetime]:
        """The occurrence under way on `as_of`, else the next (a weekly lock: the one
        starting in that week); the end is exclusive."""
        if self.weekly:
            assert self.site is not None and self.site.weekly is not None
            monday = datetime.combine(as_of - timedelta(days=as_of.weekday()), time())
            lo, length = _lock(self.site.weekly.from_, self.site.weekly.to)
            return monday + lo, monday + lo + length
        first, last = next((a, b) for a, b in self.occurrences(as_of, as_of + timedelta(days=366)) if b >= as_of)
        return datetime.combine(first, time()), datetime.combine(last, time()) + DAY

    @property
    def weekly(self) -> bool:
        return self.site is not None and self.site.weekly is not None

    def occurrences(self, first: date, last: date) -> Iterator[tuple[date, date]]:
        """The freeze's frozen days (first, last) that may meet [first, last]."""
        if self.first is not None and self.last is not None:
            yield self.first, self.last
            return
        assert self.site is not None and self.site.yearly is not None
        span = self.site.yearly
        if (last - first).days >= 366:  # a phase of a year or more meets every yearly freeze
            first, last = first, first + timedelta(days=366)
        for year in range(first.year - 1, last.year + 1):
            try:
                start = _month_day(year, span.from_)
                end = _month_day(year + (span.to < span.from_), span.to)
            except ValueError:  # year 1899 or 3000: out of range, nothing there
                continue
            yield start, end


def _month_day(year: int, text: str) -> date:
    month, day = int(text[:2]), int(text[3:])
    if (month, day) == (2, 29):  # outside leap years, the freeze keeps to 28 February
        try:
            return date(year, 2, 29)
        except ValueError:
            return date(year, 2, 28)
    return date(year, month, day)


def plan_freezes(plan: Plan, site: SiteConfig | None) -> list[Freeze]:
    """The plan's own freezes, then the site's."""
    window = plan.release_window
    own = [Freeze(f"{f.from_}/{f.to}", f"{f.from_} to {f.to}", f.reason, None, f.from_, f.to)
           for f in (window.freezes if window else [])]
    return own + site_freezes_of(site)


def site_freezes_of(site: SiteConfig | None) -> list[Freeze]:
    """The freezes site.yaml declares for every plan."""
    out = []
    for f in site.freezes if site else []:
        if f.weekly:
            label = f"every week {f.weekly.from_} to {f.weekly.to}" + (f" ({f.timezone})" if f.timezone else "")
            out.append(Freeze(f.id, label, f.reason, f))
        elif f.yearly:
            out.append(Freeze(f.id, f"every year {f.yearly.from_} to {f.yearly.to}", f.reason, f))
        else:
            out.append(Freeze(f.id, f"{f.from_} to {f.to}", f.reason, f, f.from_, f.to))
    return out


def hits(freeze: Freeze, times: PhaseTimes, plan_zone: str | None, *, started: bool = False) -> bool:
    """Whether a phase with these times runs (or, for a weekly lock, starts)
    inside the freeze. A phase that has `started` made its start already: a
    weekly lock is no longer about it."""
    first, last = times.first_day, times.last_day
    if first is None:
        return False
    if freeze.weekly:
        assert freeze.site is not None
        return not started and _in_weekly(freeze.site, times.start, plan_zone)  # type: ignore[arg-type]
    last = last or first
    return any(start <= last and first <= end for start, end in freeze.occurrences(first, last))


def covers_day(freeze: Freeze, day: date) -> bool:
    """Whether a day freeze covers `day` (weekly locks never make a running phase wrong)."""
    return not freeze.weekly and any(s <= day <= e for s, e in freeze.occurrences(day, day))


def _lock(start: str, end: str) -> tuple[timedelta, timedelta]:
    """A weekly lock's start (time since Monday 00:00) and length; it may run over Sunday night."""
    lo, hi = week_offset(start, end=False), week_offset(end, end=True)
    return lo, (hi - lo) % WEEK or WEEK


def week_offset(text: str, *, end: bool) -> timedelta:
    """"fri 16:00" -> time since Monday 00:00; a day alone is its start (or, as an end, its end)."""
    day, _, clock = text.partition(" ")
    offset = WEEKDAYS.index(day) * DAY
    if not clock:
        return offset + (DAY if end else timedelta())
    return offset + timedelta(hours=int(clock[:2]), minutes=int(clock[3:]))


def _in_weekly(freeze: SiteFreeze, start: datetime, plan_zone: str | None) -> bool:
    assert freeze.weekly is not None
    lo, length = _lock(freeze.weekly.from_, freeze.weekly.to)
    timed = start.time() != time()  # a day alone says nothing of the hour
    moment = start
    # Both read in their own zone: a plan that names none is in UTC, a lock
    # that names none is in the plan's zone.
    known = zones()  # a zone site.yaml misspells is reported there; never opened here
    here = plan_zone if plan_zone in known else "UTC"
    there = freeze.timezone if freeze.timezone in known else here
    if here != there:
        moment = start.replace(tzinfo=zoneinfo.ZoneInfo(here)).astimezone(zoneinfo.ZoneInfo(there)).replace(tzinfo=None)

    week_start = datetime.combine(moment.date() - moment.weekday() * DAY, time())
    into = (moment - week_start - lo) % WEEK  # how far into the lock (if it has begun)
    # A day alone: inside only if the lock covers all of it.
    return into < length if timed else into + DAY <= length
