"""A structural fuzzer over plans and site.yaml.

Starting from the example plans and site config, hypothesis mutates
structure (drops, duplicates and adds keys and items), types (lists for
text, mappings for lists, numbers, booleans), references (unknown, misspelt
and reused ids) and values (dates and durations at the edges of what is
accepted and past them, hostile text), then runs everything a command runs:
validate, lint, rendering every page to Markdown, and the exports. The only
outcomes allowed are a result, or findings that each name a file, a line and
a column (exit 1); a PlangenError is a message; anything else is a bug.

The default profile is quick. PLANGEN_FUZZ=long (set by .ci/run) runs the
long profile: many more examples, derandomised (a fixed seed), a few minutes.
"""

from __future__ import annotations

import copy
import os
from datetime import date
from pathlib import Path
from typing import Any

import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from conftest import CASES, REPO
from plangen.commands.pipeline import Generated, generate
from plangen.commands.report import _github, _text
from plangen.errors import PlangenError

LONG = os.environ.get("PLANGEN_FUZZ") == "long"
PROFILE = settings(
    max_examples=(int(os.environ.get("PLANGEN_FUZZ_EXAMPLES", 0)) or (1500 if LONG else 40)), deadline=None, derandomize=LONG, database=None if LONG else settings().database,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large, HealthCheck.function_scoped_fixture],
)

SEEDS = [yaml.safe_load(p.read_text(encoding="utf-8")) for p in sorted((REPO / "plans").rglob("*.yaml"))]
SITE = yaml.safe_load((REPO / "site_config" / "site.yaml").read_text(encoding="utf-8"))
HOSTILE = [c["text"] * min(c.get("repeat", 1), 3) for c in
           yaml.safe_load((CASES / "hostile" / "strings.yaml").read_text(encoding="utf-8"))]
EDGE_DATES = ["1899-12-31", "1900-01-01", "2999-12-31", "3000-01-01", "9999-12-31", "0001-01-01", "0999-06-30",
              "2026-02-29", "2024-02-29", "2026-13-01", "2026-12-01", "2027-01-04"]
EDGE_DURATIONS = ["0m", "1m", "999999w", "999999d", "3653d", "3654d", "521w", "87672h", "5d", "1w", "-1d", "1.5d"]
AS_OF = [date(1900, 1, 1), date(2999, 12, 31), date(2026, 11, 22), date(1970, 1, 1)]


def _paths(node: Any, prefix: tuple = ()) -> list[tuple]:
    out = [prefix]
    if isinstance(node, dict):
        for key, value in node.items():
            out += _paths(value, (*prefix, key))
    elif isinstance(node, list):
        for i, value in enumerate(node):
            out += _paths(value, (*prefix, i))
    return out


def _get(node: Any, path: tuple) -> Any:
    for part in path:
        node = node[part]
    return node


def _ids(plan: dict) -> list[str]:
    found = [v for p in _paths(plan) if p and p[-1] in ("id", "owner", "approver", "team", "decided_by")
             for v in [_get(plan, p)] if isinstance(v, str)]
    return found or ["x"]


def _scalars(ids: list[str]) -> st.SearchStrategy[Any]:
    return st.one_of(
        st.sampled_from(EDGE_DATES), st.sampled_from(EDGE_DURATIONS), st.sampled_from(ids),
        st.sampled_from(ids).map(lambda s: s[:-1] + "q" if s else "q"),  # a typo of an id
        st.sampled_from(HOSTILE), st.text(max_size=30), st.integers(-10**12, 10**12),
        st.floats(allow_nan=True, allow_infinity=True), st.booleans(), st.none(),
        st.sampled_from(["", "~", "index", "con", "full", "pilot", "granted", "done", "rollback", "critical"]),
    )


def _values(ids: list[str]) -> st.SearchStrategy[Any]:
    return st.recursive(_scalars(ids), lambda inner: st.one_of(
        st.lists(inner, max_size=4), st.dictionaries(st.sampled_from(["id", "name", "x", "from", "to", "after"]),
                                                     inner, max_size=3)), max_leaves=6)


REFERENCES = {"after", "before", "needed_for", "owner", "approver", "decided_by", "team", "role", "held_by",
              "incident_owner", "approved_by", "rollback", "pause", "emergency_change", "rule"}


DATES = ("start", "end", "needed_by", "from", "to", "decided_on", "expires_on", "review_by")
DURATIONS = ("duration", "time", "respond_within")


@st.composite
def mutated(draw: st.DrawFn, seed: dict) -> dict:
    doc = copy.deepcopy(seed)
    ids = _ids(doc)
    for _ in range(draw(st.integers(1, 6))):
        paths = [p for p in _paths(doc) if p]
        if not paths:
            break
        path = draw(st.sampled_from(paths))
        parent, key = _get(doc, path[:-1]), path[-1]
        refs = [p for p in paths if set(p[-2:]) & REFERENCES]
        op = draw(st.sampled_from(["replace", "replace", "delete", "duplicate", "add-key", "swap", "reference",
                                   "retarget", "retarget", "retarget", "redate", "redate"]))
        if op == "redate":  # a date or a duration at an edge, where one is expected
            timed = [p for p in paths if p[-1] in DATES + DURATIONS] or paths
            path = draw(st.sampled_from(timed))
            wanted = EDGE_DURATIONS if path[-1] in DURATIONS else EDGE_DATES
            _get(doc, path[:-1])[path[-1]] = draw(st.sampled_from(wanted))
            continue
        if op == "retarget" and refs:  # a reference to something else: another id, or a typo of one
            kind = draw(st.sampled_from(sorted({k for p in refs for k in set(p[-2:]) & REFERENCES})))
            path = draw(st.sampled_from([p for p in refs if kind in p[-2:]]))
            parent, key = _get(doc, path[:-1]), path[-1]
            target = draw(st.sampled_from(ids))
            parent[key] = draw(st.sampled_from([target, target[:-1] + "q", target + "s", target.upper()]))
            continue
        if op == "replace":
            parent[key] = draw(_values(ids))
        elif op == "delete":
            del parent[key]
        elif op == "duplicate" and isinstance(parent, list):
            parent.insert(key, copy.deepcopy(parent[key]))
        elif op == "add-key" and isinstance(parent[key], dict):
            parent[key][draw(st.sampled_from(["extra", "id", "after", "before", "needed_for", "end", "start",
                                              "duration", "status"]))] = draw(_values(ids))
        elif op == "swap":
            other = draw(st.sampled_from(paths))
            if other[: len(path)] != path and path[: len(other)] != other:
                other_parent = _get(doc, other[:-1])
                parent[key], other_parent[other[-1]] = other_parent[other[-1]], parent[key]
        elif op == "reference":
            parent[key] = draw(st.lists(st.sampled_from(ids), max_size=3))
    return doc


def _check_outcome(result: Generated | list, files: list[str]) -> None:
    if isinstance(result, Generated):
        assert all(isinstance(text, (str, bytes)) for text in result.files.values())
        assert set(result.exports) == {"plans.json", "schema.json", "calendar.ics"}
        for f in result.analysis.findings:
            _text(f), _github(f)
        return
    assert result, "a failed generation must say why"
    for f in result:
        assert f.file in files and f.line >= 1 and f.col >= 1, f
        assert "\n" not in _text(f).replace("\n    hint: ", "", 1), f
        _github(f)


def _run(tmp: Path, plan: Any, site: Any, as_of: date) -> None:
    (tmp / "plans").mkdir(exist_ok=True)
    (tmp / "site_config").mkdir(exist_ok=True)
    (tmp / "plans" / "fuzzed.yaml").write_text(yaml.safe_dump(plan, allow_unicode=True), encoding="utf-8")
    (tmp / "site_config" / "site.yaml").write_text(yaml.safe_dump(site, allow_unicode=True), encoding="utf-8")
    files = [str(tmp / "plans" / "fuzzed.yaml"), str(tmp / "site_config" / "site.yaml")]
    try:
        result = generate([tmp / "plans", tmp / "site_config"], tmp / "site_config", as_of=as_of, offline=False,
                          strict=False, templates=tmp / "no-templates", assets=False)
    except PlangenError as exc:
        assert exc.message
        return
    _check_outcome(result, files)


@PROFILE
@given(st.data())
def test_mutated_plans_give_a_site_or_located_errors(tmp_path_factory, data: st.DataObject) -> None:
    seed = data.draw(st.sampled_from(SEEDS))
    plan = data.draw(mutated(seed))
    as_of = data.draw(st.sampled_from(AS_OF))
    _run(tmp_path_factory.mktemp("fuzz"), plan, SITE, as_of)


@PROFILE
@given(st.data())
def test_mutated_site_config_gives_a_site_or_located_errors(tmp_path_factory, data: st.DataObject) -> None:
    site = data.draw(mutated(SITE))
    plan = data.draw(st.sampled_from(SEEDS))
    _run(tmp_path_factory.mktemp("fuzz"), plan, site, date(2026, 11, 22))
