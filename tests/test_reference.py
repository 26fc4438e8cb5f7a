"""docs/reference.md: generated from the models, complete, and a well-formed page."""

from __future__ import annotations

import re
from typing import Any, get_args

from markdown_it import MarkdownIt
from pydantic import BaseModel

from conftest import REPO
from plangen.model.plan import Plan
from plangen.model.reference import reference_markdown
from plangen.model.site import SiteConfig

PAGE = REPO / "docs" / "reference.md"
_ANCHOR = re.compile(r"\{ #([a-z0-9-]+) \}$")
_CELL_SPLIT = re.compile(r"(?<!\\)\|")  # a pipe that is not escaped


def _parse(text: str) -> list[Any]:
    return MarkdownIt("commonmark").enable("table").parse(text)


def _sections(text: str) -> dict[str, set[str]]:
    """Each h2's title -> the keys in its table's first column, from the parsed page."""
    tokens = _parse(text)
    sections: dict[str, set[str]] = {}
    title, in_body, first_cell = "", False, False
    for i, token in enumerate(tokens):
        if token.type == "heading_open" and token.tag == "h2":
            title = tokens[i + 1].content
            sections[title] = set()
        elif token.type in ("tbody_open", "tbody_close"):
            in_body = token.type == "tbody_open"
        elif token.type == "tr_open":
            first_cell = True
        elif token.type == "td_open" and in_body and first_cell:
            first_cell = False
            sections[title].add(tokens[i + 1].content.strip("`"))
    return sections


def _nested_models(annotation: Any) -> list[type[BaseModel]]:
    """The models inside a field's type: Items[Phase], Covers | None, dict[str, Person]..."""
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return [annotation]
    return [model for arg in get_args(annotation) for model in _nested_models(arg)]


def _reachable(root: type[BaseModel]) -> list[type[BaseModel]]:
    found, todo = [], [root]
    while todo:
        model = todo.pop()
        if model not in found:
            found.append(model)
            todo += [m for f in model.model_fields.values() for m in _nested_models(f.annotation)]
    return found


def _keys(model: type[BaseModel]) -> set[str]:
    # by_alias: the key a YAML file uses (`from`, not `from_`)
    return {field.alias or name for name, field in model.model_fields.items()}


def test_reference_page_is_generated_from_the_models() -> None:
    assert PAGE.read_text(encoding="utf-8") == reference_markdown(), "run make docs"


def test_cli_prints_the_reference_page(run) -> None:
    result = run(["schema", "--markdown"])
    assert (result.exit_code, result.stdout) == (0, reference_markdown())
    assert run(["schema", "--markdown", "--site"]).exit_code == 2


def test_every_key_of_every_model_has_a_row() -> None:
    """Walks the models, not the schema the generator reads: a field the
    generator skips, or an object it never reaches, fails here."""
    sections = _sections(reference_markdown())
    models = _reachable(Plan) + _reachable(SiteConfig)
    for model in models:
        keys = _keys(model)
        closest = max(sections.values(), key=lambda rows: len(rows & keys))
        assert keys in sections.values(), f"{model.__name__}: no section lists {sorted(keys - closest)}"
    tables = [rows for rows in sections.values() if rows]
    assert len(tables) == len(models)


def test_tables_are_well_formed() -> None:
    text = reference_markdown()
    lines = text.splitlines()
    tokens = _parse(text)
    tables = [t for t in tokens if t.type == "table_open"]
    assert len(tables) == len([t for t in tokens if t.type == "heading_open" and t.tag == "h2"]) - 1  # Types: a list
    for table in tables:
        start, end = table.map
        header, delimiter, *rows = lines[start:end]
        width = _width(header)
        assert width == 4 and _width(delimiter) == width
        for row in rows:
            assert _width(row) == width, f"line {lines.index(row) + 1}: {row}"
    # every source row is a markdown-it row: none fell out of its table
    body_rows = sum(1 for t in tokens if t.type == "tr_open")
    assert body_rows == sum(1 for line in lines if line.startswith("| "))


def _width(row: str) -> int:
    assert row.startswith("|") and row.endswith("|"), row
    return len(_CELL_SPLIT.split(row[1:-1]))


def test_links_point_at_sections() -> None:
    text = reference_markdown()
    anchors = [m.group(1) for line in text.splitlines() if line.startswith("## ") for m in [_ANCHOR.search(line)] if m]
    assert len(anchors) == len(set(anchors)) == text.count("\n## ")
    targets = set(re.findall(r"\]\(#([^)]+)\)", text))
    assert targets <= set(anchors)
