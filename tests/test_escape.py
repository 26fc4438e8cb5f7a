"""Property tests: any text, in any place it can land, stays text."""

from __future__ import annotations

import re
from html import unescape as html_unescape
from html.parser import HTMLParser

import markdown
import pytest
import yaml
from hypothesis import given, settings
from hypothesis import strategies as st
from markdown_it import MarkdownIt

from conftest import CASES, REPO
from plangen.errors import PlangenError
from plangen.load import FORBIDDEN
from plangen.site.config import REFUSED_EXTENSIONS, check_extensions, load_yaml, markdown_extensions
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
    # Blank lines before the first line of a command are not part of it.
    lines = re.sub(r"^(?:[ \t]*\n)+", "", value.replace("\r", "")).rstrip("\n").split("\n")
    body = "\n".join(line.expandtabs(4) for line in lines)
    rendered = markdown.markdown(code_block(value, "sh"), extensions=SITE)
    shape = _shape(rendered)
    assert "pre" in shape.tags or not body.strip()
    if body.strip():
        assert "".join(shape.data).rstrip("\n") == body.rstrip("\n") or body.isspace()


# -- block starts, per Markdown extension -----------------------------------

BLOCKS = yaml.safe_load((CASES / "hostile" / "blocks.yaml").read_text(encoding="utf-8"))
BASE_EXTENSIONS = sorted(markdown_extensions(load_yaml(REPO / "site_config" / "mkdocs.base.yml")))
# What projects commonly add in site_config/mkdocs.yml (Material's docs list
# most of them). Each must have its block syntax in cases/hostile/blocks.yaml.
COMMON = [
    "abbr", "attr_list", "def_list", "footnotes", "md_in_html", "tables", "toc", "admonition", "fenced_code",
    "codehilite", "legacy_attrs", "meta", "nl2br", "sane_lists", "wikilinks", "pymdownx.arithmatex",
    "pymdownx.betterem", "pymdownx.blocks.admonition", "pymdownx.blocks.caption", "pymdownx.blocks.definition",
    "pymdownx.blocks.details", "pymdownx.blocks.html", "pymdownx.blocks.tab", "pymdownx.bracketspan",
    "pymdownx.caret", "pymdownx.details", "pymdownx.emoji", "pymdownx.escapeall",
    "pymdownx.fancylists", "pymdownx.highlight", "pymdownx.inlinehilite", "pymdownx.keys", "pymdownx.mark",
    "pymdownx.progressbar", "pymdownx.quotes", "pymdownx.saneheaders", "pymdownx.snippets", "pymdownx.striphtml",
    "pymdownx.superfences", "pymdownx.tabbed", "pymdownx.tasklist", "pymdownx.tilde",
]


def test_every_enabled_or_common_extension_has_block_cases() -> None:
    missing = [name for name in BASE_EXTENSIONS + COMMON if name not in BLOCKS]
    assert missing == [], f"add the block syntax of {missing} to tests/cases/hostile/blocks.yaml"
    assert not set(BLOCKS) & REFUSED_EXTENSIONS


@pytest.mark.parametrize("name", sorted(REFUSED_EXTENSIONS))
def test_extensions_that_rewrite_plain_text_are_refused(name: str) -> None:
    with pytest.raises(PlangenError, match=name):
        check_extensions({"markdown_extensions": ["toc", {name: {}}]})


def _contexts(payload: str, snippets: bool) -> dict[str, tuple[str, str]]:
    """Each place plan text lands: (Markdown, the text a reader must see)."""
    one_line = _norm(payload)
    paragraphs = _norm(" ".join(p for p in re.split(r"\n\s*\n", payload) if p.strip()))
    cell = " ".join(_norm(line) for line in re.split(r"\r\n?|\n", payload) if line.strip())
    return {
        "paragraphs": (md_paragraphs(payload), paragraphs),
        "list item": ("- " + md_inline(payload) + "\n", one_line),
        "cell": (f"| A |\n|---|\n| {md_cell(payload)} |\n", _norm("A " + cell)),
        "admonition": ('!!! note "T"\n    ' + md_inline(payload) + "\n", _norm("T " + one_line)),
        "heading": ("## " + md_inline(payload) + "\n", one_line),
        "code": (code_block(payload, "sh", snippets=snippets), ""),
    }


@pytest.mark.parametrize("name", sorted(BLOCKS))
def test_block_syntax_of_each_extension_stays_text(name: str, tmp_path) -> None:
    (tmp_path / "secret.env").write_text("SECRET=hunter2\n", encoding="utf-8")
    configs = {"pymdownx.snippets": {"base_path": [str(tmp_path)], "check_paths": False}}
    extensions = [e for e in dict.fromkeys(BASE_EXTENSIONS + [name]) if e != "codehilite" or name == e]
    if name == "codehilite":
        extensions.remove("pymdownx.highlight")
    snippets = name == "pymdownx.snippets"
    for payload in BLOCKS[name]:
        neutral = _contexts("plain words", snippets)
        for context, (source, expected) in _contexts(payload, snippets).items():
            md = markdown.Markdown(extensions=extensions, extension_configs=configs)
            rendered = md.convert(source)
            baseline = markdown.Markdown(extensions=extensions, extension_configs=configs).convert(
                neutral[context][0])
            shape, base = _shape(rendered), _shape(baseline)
            where = (name, payload, context)
            assert "hunter2" not in rendered, where
            if context == "code":
                body = "\n".join(line.expandtabs(4) for line in payload.split("\n"))
                assert html_unescape(re.sub(r"<[^>]+>", "", rendered)).strip("\n").endswith(body.strip("\n")), where
                continue
            ids = {"id", "href"}  # heading anchors are made from the text
            attrs = [(k, "" if k in ids else v) for k, v in shape.attrs]
            tags = [t for t in shape.tags if t != "br"] if context == "cell" else shape.tags  # line breaks kept
            if context == "paragraphs":  # paragraphs kept
                tags = tags[:1] if set(tags) == {"p"} else tags
            assert tags == base.tags and attrs == [(k, "" if k in ids else v) for k, v in base.attrs], \
                (where, rendered)
            assert _norm((" " if context == "cell" else "").join(shape.data)) == expected, (where, rendered)


def test_a_url_in_paragraph_text_is_a_link_to_exactly_that_url_and_nothing_else_is_markup() -> None:
    text = ("Source: https://kep.example.org/keps/1234/README.md. Dashboards (https://grafana.example.com/d/a_(b)) "
            "and <b>bold</b> **not bold**; spoofed https://models.example.com&#64;evil.example/reg and "
            "http://user:pw@evil.example/x and javascript:alert(1) stay text.")
    tokens = MarkdownIt("commonmark", {"html": False}).parseInline(md_paragraphs(text))[0].children
    hrefs = [t.attrs["href"] for t in tokens if t.type == "link_open"]
    assert [html_unescape(h) for h in hrefs] == ["https://kep.example.org/keps/1234/README.md",
                                                   "https://grafana.example.com/d/a_%28b%29"]
    page = markdown.markdown(md_paragraphs(text), extensions=EXTENDED)
    assert "<b>" not in page and "<strong>" not in page and page.count("<a ") == 2
    shown = re.sub(r"<[^>]+>", "", page)
    assert html_unescape(shown) == text  # every character shown as written
