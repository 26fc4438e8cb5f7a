"""Finding the files, and the whole pipeline up to cross-checks under fuzzing."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from conftest import REPO
from plangen.errors import PlangenError
from plangen.load import MAX_NODES, load_bytes
from plangen.model.checks import Directory, check_plan
from plangen.model.explain import validate
from plangen.model.plan import Plan
from plangen.project import discover, load_project

SPEC_PLAN = REPO / "plans" / "finance" / "invoice-risk-review.yaml"


def _tree(root: Path, files: dict[str, str]) -> None:
    for name, text in files.items():
        (root / name).parent.mkdir(parents=True, exist_ok=True)
        (root / name).write_text(text, encoding="utf-8")


def test_discovery_classifies_files_by_name(tmp_path: Path) -> None:
    _tree(tmp_path, {
        "plans/a.yaml": "x", "plans/sub/b.yml": "x", "plans/.hidden.yaml": "x", "plans/.git/c.yaml": "x",
        "plans/notes.txt": "x", "site_config/site.yaml": "x", "site_config/mkdocs.yml": "x",
    })
    plans, site = discover([tmp_path])
    assert [(p.relative_to(tmp_path).as_posix(), g) for p, g in plans] == [
        ("plans/a.yaml", "plans"), ("plans/sub/b.yml", "plans/sub")]
    assert site == tmp_path / "site_config" / "site.yaml"


def test_a_folder_with_site_yaml_and_plans_checks_both(tmp_path: Path) -> None:
    _tree(tmp_path, {"mixed/site.yaml": "people: {}\n", "mixed/broken.yaml": "garbage: [\n"})
    project = load_project([tmp_path / "mixed"])
    assert not project.ok
    assert [f.file.endswith("broken.yaml") for f in project.findings] == [True]


def test_two_site_files_are_refused(tmp_path: Path) -> None:
    _tree(tmp_path, {"a/site.yaml": "x", "b/site.yaml": "x"})
    with pytest.raises(PlangenError, match="more than one site.yaml"):
        discover([tmp_path / "a", tmp_path / "b"])


def test_a_site_yaml_among_the_paths_wins_over_site_config(tmp_path: Path) -> None:
    _tree(tmp_path, {"own/site.yaml": "people:\n  only.me: {name: Me}\n"})
    project = load_project([SPEC_PLAN, tmp_path / "own"], REPO / "site_config")
    assert "unknown person, team or role 'priya.n'" in {f.message for f in project.findings}


def test_without_any_site_yaml_one_finding_says_so(tmp_path: Path, monkeypatch) -> None:
    monkeypatch.chdir(tmp_path)
    project = load_project([SPEC_PLAN])
    (finding,) = project.findings
    assert "cannot be resolved: no people, teams or roles are defined" in finding.message


def test_an_unreadable_file_is_a_finding_not_a_traceback(tmp_path: Path) -> None:
    # A folder where a file should be fails to open like an unreadable file
    # does (the tests run as root, for whom file modes do not bite).
    from plangen.load import load_file

    doc, findings = load_file(tmp_path, "dir.yaml")
    assert doc is None and "cannot read the file" in findings[0].message


def test_node_limit() -> None:
    data = ("tags: [" + ",".join(["x"] * (MAX_NODES + 1)) + "]\n").encode()
    doc, findings = load_bytes(data[: 1024 * 1024], "many.yaml")
    assert doc is None and "more than 100000 values" in findings[0].message


# -- fuzzing the model and the cross-checks ---------------------------------

_DIRECTORY = None


def _directory() -> Directory:
    global _DIRECTORY
    if _DIRECTORY is None:
        project = load_project([REPO / "site_config"])
        _DIRECTORY = Directory.of(project.site, "site.yaml")
    return _DIRECTORY


def _site():
    return load_project([REPO / "site_config"]).site


_BASE = yaml.safe_load(SPEC_PLAN.read_text(encoding="utf-8"))
_leaf = st.one_of(
    st.none(), st.booleans(), st.integers(-10**6, 10**6), st.floats(allow_nan=True),
    st.text(max_size=30), st.sampled_from(["pilot", "full", "2026-02-30", "9999-12-31", "5d", "0m", "sam.k",
                                           "release-manager", "", "~", "javascript:x", "http://[x"]),
    st.lists(st.sampled_from(["shadow", "pilot", "eu", "full", "x"]), max_size=4),
)


def _paths(node, prefix=()):
    yield prefix
    if isinstance(node, dict):
        for k, v in node.items():
            yield from _paths(v, (*prefix, k))
    elif isinstance(node, list):
        for i, v in enumerate(node):
            yield from _paths(v, (*prefix, i))


_ALL_PATHS = [p for p in _paths(_BASE) if p]


def _mutate(data, path, value, delete):
    node = data
    for part in path[:-1]:
        node = node[part]
    if delete and isinstance(node, dict):
        node.pop(path[-1], None)
    else:
        node[path[-1]] = value


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(st.tuples(st.sampled_from(_ALL_PATHS), _leaf, st.booleans()), min_size=1, max_size=4))
def test_mutated_plans_never_crash_the_model_or_the_checks(mutations) -> None:
    import copy
    import datetime as dt

    data = copy.deepcopy(_BASE)
    for path, value, delete in mutations:
        try:
            _mutate(data, path, value, delete)
        except (KeyError, IndexError, TypeError):
            pass  # an earlier mutation removed or replaced the parent
    text = yaml.safe_dump(data, allow_unicode=True, default_style=None)
    doc, findings = load_bytes(text.encode(), "fuzz.yaml")
    if doc is None:
        assert findings
        return
    plan, findings = validate(doc, Plan)
    if plan is None:
        assert findings and all(f.line >= 1 for f in findings)
        return
    checked = check_plan(doc, plan, _directory())
    for f in checked:
        assert f.line >= 1 and f.message
    if any(f.severity == "error" for f in checked):
        return  # a plan that fails a cross-check never reaches analysis (load_project)
    from plangen.analysis.context import PlanContext
    from plangen.analysis.lint import lint_plan

    ctx = PlanContext.of(plan, doc, _site(), dt.date(2026, 11, 22))
    lint_plan(ctx, {})
    assert set(ctx.decision.phases) == {p.id for p in plan.rollout.phases}


def test_a_plan_given_alone_finds_the_plans_it_names_in_its_plans_folder(tmp_path: Path, monkeypatch) -> None:
    from plangen.project import load_project

    plans = tmp_path / "project" / "plans" / "team"
    plans.mkdir(parents=True)
    head = "format: plangen/v1.1\ntitle: {t}\nowner: release-manager\nstatus: draft\nrisk: low\n"
    (plans / "network.yaml").write_text(head.format(t="Network") + "rollout:\n  phases:\n"
                                        "    - {id: core, name: Core, kind: full, status: complete}\n")
    app = plans / "app.yaml"
    app.write_text(head.format(t="App") + "rollout:\n  phases:\n    - {id: canary, name: Canary, kind: canary}\n"
                   "dependencies:\n  - {id: net, name: Network, plan: network, phase: core, needed_for: [canary]}\n"
                   "  - {id: gone, name: Gone, plan: no-such-plan}\n")
    monkeypatch.chdir(tmp_path)  # no ./plans here: the file's own plans folder is searched
    project = load_project([app], REPO / "site_config")
    assert [(f.path, f.message) for f in project.findings] == [
        ("dependencies[1].plan", "unknown plan 'no-such-plan'")]
    app.write_text(app.read_text().replace("  - {id: gone, name: Gone, plan: no-such-plan}\n", ""))
    project = load_project([app], REPO / "site_config")
    assert project.ok and [p.plan.id for p in project.plans] == ["app"]
    assert project.plans[0].plan.dependencies[0].status == "done"  # read from the network plan's phase
