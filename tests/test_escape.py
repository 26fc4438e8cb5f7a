"""Property tests: any text, in any place it can land, stays text."""

from __future__ import annotations

import re
from html.parser import HTMLParser

import markdown
from hypothesis import given, settings
from hypothesis import strategies as st
from markdown_it import MarkdownIt

from plangen.load import FORBIDDEN
from plangen.render.escape import code_block, md_cell, md_inline, md_paragraphs, mermaid_label

SITE = ["toc", "tables", "admonition", "attr_list", "pymdownx.details", "pymdownx.highlight",
        "pymdownx.superfences"]
# What a project might add in site_config/mkdocs.yml; escaping must hold there too.
EXTENDED = SITE + ["abbr", "footnotes", "def_list", "md_in_html", "pymdownx.tilde", "pymdownx.caret",
                   "pymdownx.mark", "pymdownx.betterem", "pymdownx.inlinehilite", "pymdownx.keys",
                   "pymdownx.critic", "pymdownx.arithmatex"]

# Text a plan may hold: anything but the characters the model refuses; the
# alphabet leans on Markdown, HTML and Mermaid syntax.
SYNTAX = list("<>&\"'`*_[](){}#!|\\~^=:+-.%$@;/ \t\n") + ["-->", "```", "%%", "{:", "<!--", "&amp;", "#35;", "1."]
text = st.lists(st.one_of(st.sampled_from(SYNTAX), st.text(max_size=3)), max_size=25).map("".join).filter(
    lambda s: not FORBIDDEN.search(s))


class Shape(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.tags: list[str] = []
        self.attrs: list[tuple[str, str | None]] = []
        self.data: list[str] = []

    def handle_starttag(self, tag: str, attrs: list) -> None:
        self.tags.append(tag)
        self.attrs += attrs

    def handle_data(self, data: str) -> None:
        self.data.append(data)


def _shape(rendered: str) -> Shape:
    shape = Shape()
    shape.feed(rendered)
    return shape


def _norm(value: str) -> str:
    return " ".join(value.split())


@settings(max_examples=400, deadline=None)
@given(text)
def test_inline_text_renders_as_exactly_that_text(value: str) -> None:
    for extensions in (SITE, EXTENDED):
        shape = _shape(markdown.markdown(md_inline(value), extensions=extensions))
        assert set(shape.tags) <= {"p"}, shape.tags
        assert shape.attrs == []
        assert _norm("".join(shape.data)) == _norm(value)


@settings(max_examples=300, deadline=None)
@given(text)
def test_paragraph_text_keeps_paragraphs_and_nothing_else(value: str) -> None:
    shape = _shape(markdown.markdown(md_paragraphs(value), extensions=EXTENDED))
    assert set(shape.tags) <= {"p"}
    paragraphs = [p for p in re.split(r"\n\s*\n", value) if p.strip()]
    assert _norm("".join(shape.data)) == _norm(" ".join(paragraphs))


@settings(max_examples=300, deadline=None)
@given(text, text)
def test_cells_never_break_a_table(left: str, right: str) -> None:
    table = f"| A | B |\n|---|---|\n| {md_cell(left)} | {md_cell(right)} |\n"
    for extensions in (SITE, EXTENDED):
        shape = _shape(markdown.markdown(table, extensions=extensions))
        assert shape.tags.count("td") == 2 and shape.tags.count("tr") == 2
        assert set(shape.tags) <= {"table", "thead", "tbody", "tr", "th", "td", "br"}
    tokens = MarkdownIt("commonmark").enable("table").parse(table)
    assert sum(t.type == "td_open" for t in tokens) == 2
    one = f"| A |\n|---|\n| {md_cell(left)} |\n"
    shown = [_norm(d) for d in _shape(markdown.markdown(one, extensions=SITE)).data if d.strip()]
    assert shown == ["A"] + [_norm(line) for line in re.split(r"\r\n?|\n", left) if line.strip()]


def _decode_mermaid(label: str) -> str:
    return re.sub(r"#(\d+);", lambda m: chr(int(m.group(1))), label)


@settings(max_examples=500, deadline=None)
@given(text)
def test_mermaid_labels_hold_only_safe_characters_and_decode_to_the_text(value: str) -> None:
    label = mermaid_label(value)
    assert re.fullmatch(r"(?:[A-Za-z0-9 _.,\-/()+=?!@*'$~^]|#\d+;|<br>)*", label)
    lines = re.split(r"\r\n?|\n", value.strip())
    assert _decode_mermaid(label).split("<br>") == lines or "<br>" in value
    gantt = mermaid_label(value, gantt=True)
    assert "<br>" not in gantt.replace("#60;br#62;", "")


@settings(max_examples=300, deadline=None)
@given(text)
def test_code_blocks_show_the_command_exactly(value: str) -> None:
    # Markdown expands tabs to 4-column stops before anything else.
    body = "\n".join(line.expandtabs(4) for line in value.replace("\r", "").strip("\n").split("\n"))
    rendered = markdown.markdown(code_block(value, "sh"), extensions=SITE)
    shape = _shape(rendered)
    assert "pre" in shape.tags or not body.strip()
    if body.strip():
        assert "".join(shape.data).rstrip("\n") == body.rstrip("\n") or body.isspace()
