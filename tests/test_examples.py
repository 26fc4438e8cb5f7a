"""The example plans: they validate, they match the spec, they show what the issue asked for."""

from __future__ import annotations

import datetime as dt
import json
import re

import jsonschema
import pytest
import yaml

from conftest import CASES, REPO
from plangen.model.schema import plan_schema, site_schema
from plangen.project import load_project

PLANS = sorted((REPO / "plans").rglob("*.yaml"))


def _spec_blocks(spec_text: str) -> list[str]:
    return re.findall(r"```yaml\n(.*?)```", spec_text, flags=re.S)


def test_the_example_project_validates(run) -> None:
    result = run(["validate"])
    assert result.exit_code == 0, result.stdout
    assert result.stdout == ""
    assert f"{len(PLANS)} plans valid" in result.stderr


def test_the_specs_complete_plan_is_an_example_unchanged(spec_text: str) -> None:
    site_block, plan_block = _spec_blocks(spec_text)
    assert (REPO / "plans" / "finance" / "invoice-risk-review.yaml").read_text(encoding="utf-8") == plan_block
    assert (CASES / "site_config" / "site.yaml").read_text(encoding="utf-8") == site_block


def test_the_specs_plan_validates_against_the_specs_own_directory(run, tmp_path, spec_text: str) -> None:
    site_block, plan_block = _spec_blocks(spec_text)
    (tmp_path / "site_config").mkdir()
    (tmp_path / "site_config" / "site.yaml").write_text(site_block, encoding="utf-8")
    (tmp_path / "plans").mkdir()
    (tmp_path / "plans" / "copy.yaml").write_text(plan_block, encoding="utf-8")
    result = run(["validate"], cwd=tmp_path)
    assert (result.exit_code, result.stdout) == (0, "")


def test_the_example_directory_keeps_every_entry_of_the_spec(spec_text: str) -> None:
    spec_site = yaml.safe_load(_spec_blocks(spec_text)[0])
    ours = yaml.safe_load((REPO / "site_config" / "site.yaml").read_text(encoding="utf-8"))
    for section in ("people", "teams", "roles"):
        for key, value in spec_site[section].items():
            assert ours[section][key] == value


def test_the_examples_cover_the_requested_shapes() -> None:
    plans = {p.plan.id: p.plan for p in load_project([REPO / "plans"], REPO / "site_config").plans}
    assert len(plans) >= 4
    kinds = {pid: [ph.kind for ph in plan.rollout.phases] for pid, plan in plans.items()}
    # a pilot-then-phased release into an existing workflow, with a reviewer fallback
    assert any(k[0] == "pilot" and len(k) > 2 and any(s.kind == "fallback" for s in plans[pid].safeguards)
               for pid, k in kinds.items())
    # a low-risk internal tool with one plain full release
    assert any(k == ["full"] and plans[pid].risk == "low" for pid, k in kinds.items())
    # a shadow-then-canary swap with release-critical vendor dependencies, one of them an API quota
    swaps = [plans[pid] for pid, k in kinds.items() if k[0] == "shadow" and "canary" in k]
    assert any(
        sum(d.kind == "vendor" and d.criticality == "release-critical" for d in p.dependencies) >= 1
        and any("quota" in d.name.lower() for d in p.dependencies)
        for p in swaps
    )


def _jsonable(value: object) -> object:
    """yaml.safe_load gives dates; editors see them as strings."""
    if isinstance(value, dict):
        return {str(k): _jsonable(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_jsonable(v) for v in value]
    if isinstance(value, (dt.date, dt.datetime)):
        return value.isoformat()
    return value


@pytest.mark.parametrize("path", PLANS, ids=lambda p: p.stem)
def test_examples_satisfy_the_published_json_schema(path) -> None:
    data = _jsonable(yaml.safe_load(path.read_text(encoding="utf-8")))
    schema = json.loads(json.dumps(plan_schema()))
    jsonschema.Draft202012Validator(schema, format_checker=jsonschema.FormatChecker()).validate(data)


def test_site_config_satisfies_its_json_schema() -> None:
    data = _jsonable(yaml.safe_load((REPO / "site_config" / "site.yaml").read_text(encoding="utf-8")))
    jsonschema.Draft202012Validator(site_schema()).validate(data)


def test_the_json_schema_rejects_a_typo() -> None:
    data = _jsonable(yaml.safe_load(PLANS[0].read_text(encoding="utf-8")))
    data["rollout"]["phases"][0]["exit_criterias"] = data["rollout"]["phases"][0].pop("exit_criteria", ["x"])
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.Draft202012Validator(plan_schema()).validate(data)
