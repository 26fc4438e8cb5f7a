"""The cost of a build is linear in the size of the plans.

Python-Markdown, which MkDocs uses, spends time proportional to (characters
it must treat as syntax x length) on each run of inline text it processes: a
paragraph, a heading or a table cell, where the text of each link is a run of
its own. Plan text is written with every such character as an entity, so a
run that joins many fields (a cell listing 100 phase names) costs the square
of their total. These tests build worst-case plans near every cap (text at
its longest and densest, lists at their longest, every approval gating every
phase) and check on the generated Markdown, deterministically, that:

- no run holds more syntax characters than one field may (the longest text),
  so each run's cost is bounded by a constant: the cost of one field;
- the Markdown is at most a stated multiple of the plans' bytes, so the
  number of runs, and the total, grows linearly.

The wall time of the same plans through MkDocs is measured in
bench/worst_case.py, with figures in docs/performance.md.
"""

from __future__ import annotations

import copy
import re
from pathlib import Path
from typing import Any

import pytest
import yaml
from markdown_it import MarkdownIt

from conftest import REPO
from plangen.errors import NAME_LIMIT
from plangen.model.base import MAX_ITEMS, MAX_LONG_TEXT, MAX_TEXT
from plangen.model.schema import plan_schema
from plangen.render.escape import _MD_SPECIAL
from site_helpers import AS_OF, plangen, project_copy

pytestmark = pytest.mark.slow

BASE = yaml.safe_load((REPO / "plans" / "finance" / "invoice-risk-review.yaml").read_text(encoding="utf-8"))
# Escaped characters in the Markdown of every page (plan, runbook,
# portfolio, approvals, dependencies, calendar, directory) per byte of plan:
# Python-Markdown's time is about proportional to it once runs are bounded.
MAX_ESCAPES_PER_BYTE = 8


_NAMES = {"timezone"}  # text that must name something real


def _resolve(schema: dict[str, Any], root: dict[str, Any]) -> list[dict[str, Any]]:
    """The alternatives a schema node allows, with $refs followed."""
    if "$ref" in schema:
        return _resolve(root["$defs"][schema["$ref"].rsplit("/", 1)[1]], root)
    if "anyOf" in schema:
        return [alt for option in schema["anyOf"] for alt in _resolve(option, root)]
    return [schema]


def _fill(data: Any, schema: dict[str, Any], root: dict[str, Any], char: str) -> Any:
    """Every free-text value of `data` replaced by `char` at that field's cap."""
    options = _resolve(schema, root)
    for option in options:
        limit = option.get("maxLength")
        if isinstance(data, str) and limit in (MAX_TEXT, MAX_LONG_TEXT) and "pattern" not in option:
            return char * limit
    for option in options:
        if isinstance(data, dict) and "properties" in option:
            return {k: v if k in _NAMES else _fill(v, option["properties"].get(k, {}), root, char)
                    for k, v in data.items()}
        if isinstance(data, list) and "items" in option:
            return [_fill(v, option["items"], root, char) for v in data]
    return data


def _dense_plan(ident: str) -> dict[str, Any]:
    """The example plan with every text field at its cap, in characters Markdown must escape."""
    root = plan_schema()
    plan = _fill(copy.deepcopy(BASE), root, root, "<")
    plan.update(id=ident, owner="priya.n")
    plan.pop("waivers", None)
    return plan


def _wide_plan(ident: str, phases: int = MAX_ITEMS, gates: int = 20) -> dict[str, Any]:
    """As many phases as a plan may have, every approval, check and dependency
    gating all of them, every name at its cap: each name is referenced from
    every list that can hold it."""
    plan = copy.deepcopy(BASE)
    plan.update(id=ident, summary="Wide.")
    plan.pop("waivers", None)
    name = "<" * MAX_TEXT
    phases = [{"id": f"p{i}", "name": f"{i}{name[:-len(str(i))]}", "kind": "segment", "scope": "s", "duration": "1d",
               "exit_criteria": ["ok"], "after": [f"p{i - 1}"] if i else []} for i in range(phases)]
    phases[0]["start"] = "2026-12-01"
    phases[0]["status"] = "rolled-back"
    phases[1]["status"] = "rolled-back"
    plan["rollout"]["phases"] = phases
    every = [p["id"] for p in phases]
    plan["approvals"] = [{"id": f"a{i}", "name": name, "approver": "sam.k", "status": "pending", "before": every,
                          "conditions": [name] * (MAX_ITEMS if i == 0 else 1)} for i in range(gates)]
    plan["validation"] = [{"id": f"c{i}", "check": name, "owner": "priya.n", "status": "pending", "before": every}
                          for i in range(gates)]
    plan["dependencies"] = [{"id": f"d{i}", "name": name, "owner": "erp-team", "criticality": "release-critical",
                             "status": "in-progress", "needed_by": "2026-11-01", "needed_for": every}
                            for i in range(gates)]
    plan["release_window"] = {"start": "2026-12-01", "end": "2027-12-31"}
    return plan


def _refs_plan(ident: str, phases: int = MAX_ITEMS, gates: int = 33) -> dict[str, Any]:
    """References at their densest: every approval, check and dependency gates
    every phase, and every name is as long and as dense in syntax as a
    reference shows (plangen.errors.short), so each reference costs the most."""
    plan = _wide_plan(ident, phases, gates)
    name = "<" * NAME_LIMIT
    for phase in plan["rollout"]["phases"]:
        phase["name"] = phase["id"] + name[len(phase["id"]):]
    for key, field in (("approvals", "name"), ("validation", "check"), ("dependencies", "name")):
        for item in plan[key]:
            item[field] = name
    for approval in plan["approvals"]:
        approval["conditions"] = ["ok"]
    return plan


class _NoAliases(yaml.SafeDumper):
    def ignore_aliases(self, data: Any) -> bool:
        return True  # plans may not use aliases


_ENTITY = re.compile(r"&#[0-9]+;")
_LINK = re.compile(r"\[([^\[\]]*)\]\([^()\s]*\)")


def _runs(markdown: str) -> list[int]:
    """The escaped characters in each run of inline text Python-Markdown
    processes on its own. In the Markdown plangen writes, every paragraph and
    list item is one line, a bare `|` only separates cells and a bare `[` only
    opens a link (in text both are entities): so a run is a cell or a line,
    with each link's text a run of its own. (A regular expression, because
    markdown-it-py takes a minute and a gigabyte on these pages;
    test_the_run_splitter_agrees_with_a_markdown_parser keeps it honest.)"""
    runs: list[int] = []

    def link(match: re.Match[str]) -> str:
        runs.append(len(_ENTITY.findall(match.group(1))))
        return "link"

    for line in markdown.split("\n"):
        runs.extend(len(_ENTITY.findall(cell)) for cell in _LINK.sub(link, line).split("|"))
    return runs


def _parsed_runs(markdown: str) -> list[int]:
    """The same, by a CommonMark parser (entities decoded: syntax characters counted)."""
    runs: list[int] = []
    body = markdown.split("\n---\n", 1)[1] if markdown.startswith("---\n") else markdown  # MkDocs reads front matter apart
    for token in MarkdownIt("commonmark").enable("table").parse(body):
        if token.type != "inline":
            continue
        stack = [0]
        for child in token.children or []:
            if child.type == "link_open":
                stack.append(0)
            elif child.type == "link_close":
                runs.append(stack.pop())
            elif child.type == "text":
                stack[-1] += sum(map(child.content.count, _MD_SPECIAL))
        runs.extend(stack)
    return runs


def _render(tmp: Path, plans: dict[str, dict[str, Any]]) -> tuple[Path, int]:
    project = project_copy(tmp)
    for path in (project / "plans").rglob("*.yaml"):
        path.unlink()
    size = 0
    for ident, plan in plans.items():
        text = yaml.dump(plan, Dumper=_NoAliases, allow_unicode=True, sort_keys=False, width=100_000)
        (project / "plans" / f"{ident}.yaml").write_text(text, encoding="utf-8")
        size += len(text.encode())
    result = plangen("render", "--as-of", AS_OF, "--out", "md", cwd=project)
    assert result.returncode == 0, result.stdout + result.stderr
    return project / "md" / "docs", size


def _escapes(docs: Path) -> int:
    return sum(len(_ENTITY.findall(page.read_text(encoding="utf-8"))) for page in docs.rglob("*.md"))


@pytest.fixture(scope="module")
def worst_case(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, int]:
    return _render(tmp_path_factory.mktemp("cost"),
                   {"dense": _dense_plan("dense"), "wide": _wide_plan("wide"), "refs": _refs_plan("refs")})


def test_worst_case_plans_are_near_the_caps(worst_case: tuple[Path, int]) -> None:
    docs, size = worst_case
    assert 800_000 < size < 2 * 1024 * 1024  # each under the 1 MiB file cap
    text = (docs / "plans" / "wide" / "index.md").read_text(encoding="utf-8")
    assert text.count("{ #phase-p") == MAX_ITEMS


def test_no_run_of_inline_text_holds_more_syntax_than_one_field(worst_case: tuple[Path, int]) -> None:
    docs, _ = worst_case
    worst = [(count, page.relative_to(docs).as_posix())
             for page in sorted(docs.rglob("*.md")) for count in _runs(page.read_text(encoding="utf-8"))
             if count > MAX_LONG_TEXT]
    assert not worst, sorted(worst, reverse=True)[:10]


def test_the_run_splitter_agrees_with_a_markdown_parser(worst_case: tuple[Path, int]) -> None:
    docs, _ = worst_case
    for name in ("dense/index.md", "dense/runbook.md"):
        text = (docs / "plans" / name).read_text(encoding="utf-8")
        ours = sorted(_runs(text), reverse=True)[:5]
        parsed = sorted(_parsed_runs(text), reverse=True)[:5]
        assert parsed[0] >= MAX_LONG_TEXT  # the longest field
        # The same heaviest runs, up to a brace or a character of a list marker.
        assert all(abs(a - b) <= 5 for a, b in zip(ours, parsed)), (ours, parsed)


def test_the_markdown_grows_linearly_with_the_plans(worst_case: tuple[Path, int],
                                                    tmp_path_factory: pytest.TempPathFactory) -> None:
    docs, size = worst_case
    per_byte = _escapes(docs) / size
    assert per_byte <= MAX_ESCAPES_PER_BYTE, f"{per_byte:.1f} escaped characters per plan byte"
    # References dominate the cost: with four times as many (twice the
    # phases, twice the gates), each costs no more.
    sizes = ((50, 16), (100, 33))
    small, large = (_escapes(_render(tmp_path_factory.mktemp("refs"), {"refs": _refs_plan("refs", n, g)})[0]) / (n * g)
                    for n, g in sizes)
    assert large <= 1.1 * small, f"{large:.0f} escapes per reference at full size, {small:.0f} at half"
