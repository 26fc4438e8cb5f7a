"""The `keep` tag: `{% keep a, b %}...{% endkeep %}` renders its body once
for given values of `a` and `b`, and a later build that renders the page
with the same values may take the text made then from a store of blocks
(`env.blocks`, see site/blocks.py; without one, the body is rendered).

A page across plans lists a row or more per plan, batch by batch (see
views/site.batches); an edit to one plan changes the rows of its batch, so
the page's other batches are kept instead of rendered again. A block's text
is a function of the values it names, the page it is on (links are
relative to it), the template's code and the Markdown extensions: the
values must name everything the body reads but the page's path and the
globals.
"""

from __future__ import annotations

from collections.abc import Callable
from contextlib import AbstractContextManager
from typing import Any, Protocol

from jinja2 import nodes
from jinja2.ext import Extension
from jinja2.parser import Parser


class Store(Protocol):
    """Where blocks are kept, one page at a time (see site/blocks.Blocks)."""

    def page(self, path: str) -> AbstractContextManager[None]: ...

    def block(self, where: str, values: list[Any], body: Callable[[], str]) -> str: ...


class KeepExtension(Extension):
    """The `keep` tag (see the module's doc)."""

    tags = {"keep"}

    def __init__(self, environment: Any) -> None:
        super().__init__(environment)
        environment.extend(blocks=None)

    def parse(self, parser: Parser) -> nodes.Node:
        lineno = next(parser.stream).lineno
        values = [parser.parse_expression()]
        while parser.stream.skip_if("comma"):
            values.append(parser.parse_expression())
        body = parser.parse_statements(("name:endkeep",), drop_needle=True)
        where = nodes.Const(f"{parser.name}:{lineno}")
        call = self.call_method("_keep", [where, nodes.List(values)])
        return nodes.CallBlock(call, [], [], body).set_lineno(lineno)

    def _keep(self, where: str, values: list[Any], caller: Callable[[], str]) -> str:
        blocks: Store | None = self.environment.blocks  # type: ignore[attr-defined]
        return caller() if blocks is None else blocks.block(where, values, caller)
