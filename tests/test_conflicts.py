"""Conflicts between plans (analysis/conflicts.py): phases that overlap and
lean on the same thing, and approvers' weekly load, checked against a
brute-force count."""

from __future__ import annotations

from datetime import date, timedelta

from hypothesis import given, settings
from hypothesis import strategies as st

from plangen.analysis.conflicts import Due, Footprint, Use, Window, find, findings, week_of

DB = Use("dependency", "payments db migration", "Payments DB migration")
D0 = date(2026, 12, 1)


def window(phase: str, first: int, last: int, *uses: Use) -> Window:
    return Window(phase, phase.title(), D0 + timedelta(days=first), D0 + timedelta(days=last),
                  ("rollout", "phases", 0), 1, 1, uses or (DB,))


def plan(ident: str, *windows: Window, due: tuple[Due, ...] = ()) -> Footprint:
    return Footprint(ident, f"Plan {ident}", f"plans/{ident}.yaml", windows, due)


def test_two_plans_sharing_a_dependency_in_the_same_days_conflict_once() -> None:
    result = find([plan("a", window("pilot", 0, 6)), plan("b", window("canary", 5, 9)),
                   plan("c", window("full", 7, 9))])
    assert len(result.conflicts) == 1
    conflict = result.conflicts[0]
    assert conflict.use == DB and [m.plan for m in conflict.members] == ["a", "b", "c"]
    by_plan = {o.plan: o for o in result.overlaps}
    assert [m.plan for m in by_plan["a"].others] == ["b"] and by_plan["a"].count == 1
    assert [m.plan for m in by_plan["b"].others] == ["a", "c"] and by_plan["b"].count == 2
    assert [m.plan for m in by_plan["c"].others] == ["b"]  # a ended the day before c starts


def test_phases_that_do_not_meet_or_need_other_things_do_not_conflict() -> None:
    other = Use("dependency", "feature store", "Feature store")
    assert find([plan("a", window("pilot", 0, 4)), plan("b", window("canary", 5, 9))]).conflicts == ()
    assert find([plan("a", window("pilot", 0, 4)), plan("b", window("canary", 0, 4, other))]).conflicts == ()
    assert find([plan("a", window("pilot", 0, 4), window("full", 2, 9))]).conflicts == ()  # one plan's own phases


def test_each_kind_of_shared_thing_is_its_own_conflict() -> None:
    system = Use("system", "ledger", "Ledger")
    person = Use("person", "omar.h", "Omar Haddad")
    result = find([plan("a", window("pilot", 0, 4, DB, system, person)),
                   plan("b", window("canary", 3, 9, system, person))])
    assert sorted(c.use.kind for c in result.conflicts) == ["person", "system"]
    assert len(result.overlaps) == 4


def test_an_overlap_holds_a_few_phases_and_counts_the_rest() -> None:
    result = find([plan(f"p{i}", window("pilot", i, 20)) for i in range(10)])
    first = next(o for o in result.overlaps if o.plan == "p0")
    assert first.count == 9 and len(first.others) == 3


def test_a_finding_names_the_other_phases_when_few_and_rounds_their_number_when_many() -> None:
    """A phase that overlaps a few phases of other plans names them; one that
    overlaps many says roughly how many. Moving one of many plans' phases by
    a day (or adding one) then changes the findings of that plan, not those
    of every plan it overlaps (each would be read and built again)."""
    few = find([plan(f"p{i}", window("pilot", i, 20)) for i in range(4)])
    assert "'Plan p1' (phase 'Pilot'" in findings(few, plan("p0", window("pilot", 0, 20)), {})[0].message

    def told(plans: list[Footprint]) -> dict[str, list[str]]:
        result = find(plans)
        return {fp.plan: [f.message for f in findings(result, fp, {})] for fp in plans}

    many = [plan(f"p{i:02d}", window("pilot", i % 3, 20)) for i in range(40)]
    before = told(many)
    assert before["p05"] == ["phase 'Pilot' (2026-12-03 to 2026-12-21) overlaps phases of other plans that also need "
                             "the release-critical dependency 'Payments DB migration': more than 30 phases of other "
                             "plans (see the site's conflicts page)"]
    moved = told([plan("p00", window("pilot", 5, 21)), *many[1:]])  # the nearest start of every other phase
    grown = told([*many, plan("p40", window("pilot", 1, 20))])
    assert {name for name, text in moved.items() if text != before[name]} == {"p00"}  # its own days
    assert {name for name, text in grown.items() if text != before.get(name)} == {"p40"}
    shrunk = told(many[:31])  # 30 others: not more than 30
    assert "more than 10 phases of other plans" in shrunk["p05"][0]


def test_an_approver_with_more_approvals_due_in_a_week_than_the_limit() -> None:
    def due(ident: str, day: int, approver: str = "cab") -> Due:
        return Due(ident, ident, approver, week_of(D0 + timedelta(days=day)), ("approvals", 0), 1, 1)

    plans = [plan("a", due=(due("x", 0), due("y", 2))), plan("b", due=(due("z", 3), due("w", 3, "dpo"))),
             plan("c", due=(due("v", 9),))]  # the next week
    loads = find(plans, approvals_per_week=2).loads
    assert [(load.approver, load.week, len(load.members)) for load in loads] == [("cab", week_of(D0), 3)]
    assert find(plans, approvals_per_week=3).loads == ()
    assert find(plans).loads == ()  # no limit set


spans = st.lists(st.tuples(st.integers(0, 5), st.integers(0, 30), st.integers(0, 10)), max_size=30)


@given(spans)
@settings(max_examples=200, deadline=None)
def test_counts_and_names_agree_with_checking_every_pair(items: list[tuple[int, int, int]]) -> None:
    footprints: dict[str, list[Window]] = {}
    for n, (owner, start, length) in enumerate(items):
        footprints.setdefault(f"p{owner}", []).append(window(f"ph{n}", start, start + length))
    result = find([plan(ident, *ws) for ident, ws in sorted(footprints.items())])
    everything = [(ident, w) for ident, ws in footprints.items() for w in ws]
    expected = {}
    for ident, w in everything:
        meets = [(o, x) for o, x in everything if o != ident and x.first <= w.last and x.last >= w.first]
        if meets:
            expected[ident, w.phase] = meets
    assert {(o.plan, o.window.phase): o.count for o in result.overlaps} == {k: len(v) for k, v in expected.items()}
    for o in result.overlaps:
        assert len(o.others) == min(3, o.count)
        assert all(m.plan != o.plan and m.first <= o.window.last and m.last >= o.window.first for m in o.others)
    listed = [(m.plan, m.phase) for c in result.conflicts for m in c.members]
    assert sorted(listed) == sorted(expected) and len(set(listed)) == len(listed)  # each phase once
