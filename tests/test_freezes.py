"""Site-wide freezes (format 1.1): which phases a weekly lock or a yearly
freeze catches, read in the right time zone."""

from __future__ import annotations

from datetime import date, datetime

import pytest

from plangen.analysis.freezes import Freeze, hits
from plangen.model.schedule import PhaseTimes
from plangen.model.site import SiteFreeze


def _lock(zone: str | None, span: tuple[str, str] = ("fri 16:00", "mon 08:00")) -> Freeze:
    site = SiteFreeze.model_validate({"id": "lock", "reason": "r", "weekly": {"from": span[0], "to": span[1]},
                                      **({"timezone": zone} if zone else {})})
    return Freeze("lock", "", "r", site)


def _at(text: str) -> PhaseTimes:
    start = datetime.fromisoformat(text)
    return PhaseTimes(start, start.replace(hour=23, minute=59))


@pytest.mark.parametrize(("start", "plan_zone", "lock_zone", "inside"), [
    ("2026-12-04T15:59", "Europe/London", "Europe/London", False),
    ("2026-12-04T16:00", "Europe/London", "Europe/London", True),
    ("2026-12-07T07:59", "Europe/London", None, True),  # a lock with no zone is in the plan's
    ("2026-12-07T08:00", "Europe/London", None, False),
    ("2026-12-05T00:00", "Europe/London", "Europe/London", True),  # a day alone: the lock covers all of Saturday
    ("2026-12-04T00:00", "Europe/London", "Europe/London", False),  # but not all of Friday
    ("2026-12-07T00:00", "Europe/London", "Europe/London", False),  # nor all of Monday
    # Saturday in Tokyo begins at 15:00 on Friday in London, before the lock: not the whole day.
    ("2026-12-05T00:00", "Asia/Tokyo", "Europe/London", False),
    ("2026-12-06T00:00", "Asia/Tokyo", "Europe/London", True),
    # A plan with no zone is in UTC: 23:00 UTC on Sunday is in a London lock, not in a New York one
    # that runs Sunday 22:00 to Monday 04:00 New York time (03:00 to 09:00 UTC on Monday).
    ("2026-11-29T23:00", None, "Europe/London", True),
])
def test_a_weekly_lock_catches_a_phase_that_starts_inside_it(start: str, plan_zone: str | None,
                                                              lock_zone: str | None, inside: bool) -> None:
    assert hits(_lock(lock_zone), _at(start), plan_zone) is inside


def test_a_lock_over_sunday_night_in_another_zone() -> None:
    new_york = _lock("America/New_York", ("sun 22:00", "mon 04:00"))
    assert not hits(new_york, _at("2026-11-29T23:00"), None)  # 18:00 in New York
    assert hits(new_york, _at("2026-11-30T04:00"), None)  # 23:00 on Sunday in New York


def test_a_phase_that_has_started_is_not_caught_by_a_weekly_lock() -> None:
    assert hits(_lock("Europe/London"), _at("2026-12-04T17:00"), "Europe/London")
    assert not hits(_lock("Europe/London"), _at("2026-12-04T17:00"), "Europe/London", started=True)


def test_a_yearly_freeze_over_the_new_year_meets_phases_on_either_side() -> None:
    site = SiteFreeze.model_validate({"id": "year-end", "reason": "r", "yearly": {"from": "12-20", "to": "01-04"}})
    freeze = Freeze("year-end", "", "r", site)
    day = lambda d: PhaseTimes(datetime.combine(date.fromisoformat(d), datetime.min.time()),  # noqa: E731
                               datetime.combine(date.fromisoformat(d), datetime.min.time()).replace(hour=12))
    assert hits(freeze, day("2027-01-03"), None) and hits(freeze, day("2026-12-20"), None)
    assert not hits(freeze, day("2027-01-05"), None) and not hits(freeze, day("2026-12-19"), None)
