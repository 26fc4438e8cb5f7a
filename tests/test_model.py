"""The models: the contract with the spec, derived dates, documentation."""

from __future__ import annotations

import re
from datetime import date

import pytest
from pydantic import BaseModel, ValidationError

from conftest import REPO
from plangen.model import plan as plan_module
from plangen.model.plan import RULE_IDS, Plan
from plangen.model.schedule import find_cycle, phase_times
from plangen.model.site import SiteConfig
from plangen.project import load_project


def _spec_plan() -> Plan:
    project = load_project([REPO / "plans" / "finance" / "invoice-risk-review.yaml"], REPO / "site_config")
    assert project.ok, project.findings
    return project.plans[0].plan


def _rule_table(text: str) -> list[str]:
    return re.findall(r"^\| ([a-z]+(?:-[a-z]+)+) \|", text, flags=re.M)


def test_rule_ids_are_the_specs_and_the_documented_extensions(spec_text: str) -> None:
    spec = _rule_table(spec_text)
    added = _rule_table((REPO / "docs" / "plan-format.md").read_text(encoding="utf-8"))
    assert [r for r in RULE_IDS if r in spec] == spec  # every spec id, in the spec's order
    assert sorted(set(RULE_IDS) - set(spec)) == sorted(added)


def test_phase_dates_follow_the_spec() -> None:
    times = phase_times(_spec_plan())
    days = {pid: (t.first_day, t.last_day) for pid, t in times.items()}
    assert days == {
        "shadow": (date(2026, 12, 1), date(2026, 12, 5)),  # start + 5d
        "pilot": (date(2026, 12, 6), date(2026, 12, 12)),  # after shadow, 1w
        "eu": (date(2026, 12, 13), date(2026, 12, 15)),  # after pilot, 3d
        "full": (date(2026, 12, 16), None),  # no end, no duration
    }


def _plan(phases: list[dict], **extra: object) -> Plan:
    data = {"format": "plangen/v1", "id": "p", "title": "t", "owner": "o", "status": "draft", "risk": "low",
            "rollout": {"phases": phases}, **extra}
    return Plan.model_validate(data)


def test_phase_without_after_follows_the_previous_one_and_empty_after_starts_at_window() -> None:
    plan = _plan(
        [
            {"id": "a", "name": "A", "kind": "pilot", "duration": "2d"},
            {"id": "b", "name": "B", "kind": "full", "duration": "12h"},
            {"id": "c", "name": "C", "kind": "full", "after": [], "end": "2026-12-03"},
        ],
        release_window={"start": "2026-12-01", "end": "2026-12-31"},
    )
    times = phase_times(plan)
    assert (times["b"].first_day, times["b"].last_day) == (date(2026, 12, 3), date(2026, 12, 3))
    assert (times["c"].first_day, times["c"].last_day) == (date(2026, 12, 1), date(2026, 12, 3))


def test_unknown_predecessor_dates_stay_unknown() -> None:
    plan = _plan([{"id": "a", "name": "A", "kind": "pilot"}, {"id": "b", "name": "B", "kind": "full", "duration": "1d"}])
    times = phase_times(plan)
    assert times["a"].start is None and times["b"].start is None and times["b"].end is None


def test_cycles_are_found_and_schedules_still_terminate() -> None:
    plan = _plan(
        [
            {"id": "a", "name": "A", "kind": "pilot", "after": ["c"]},
            {"id": "b", "name": "B", "kind": "pilot", "after": ["a"]},
            {"id": "c", "name": "C", "kind": "full", "after": ["b"]},
        ]
    )
    assert find_cycle(plan) == ["a", "c", "b", "a"]
    assert set(phase_times(plan)) == {"a", "b", "c"}


def test_plans_are_frozen() -> None:
    plan = _spec_plan()
    with pytest.raises(ValidationError):
        plan.title = "changed"  # type: ignore[misc]


def _models(module: object) -> list[type[BaseModel]]:
    return [v for v in vars(module).values() if isinstance(v, type) and issubclass(v, BaseModel)
            and v.__module__ == getattr(module, "__name__")]


@pytest.mark.parametrize("model", _models(plan_module) + [SiteConfig], ids=lambda m: m.__name__)
def test_every_field_is_documented(model: type[BaseModel]) -> None:
    undocumented = [name for name, field in model.model_fields.items() if not field.description]
    assert undocumented == []
    assert model.__doc__


def test_people_team_and_role_ids_may_hold_dots_and_underscores() -> None:
    site = SiteConfig.model_validate({"people": {"priya.n": {"name": "P"}}, "teams": {"ml_platform": {"name": "M"}}})
    assert set(site.people) == {"priya.n"} and set(site.teams) == {"ml_platform"}
