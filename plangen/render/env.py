"""The Jinja environment: template lookup, escaping by default, context filters.

Templates lay out; they never decide how text is escaped. Every `{{ value }}`
is escaped as inline Markdown text unless a filter already produced `Md`
(Markdown that is safe as it is): `cell` for table cells, `paragraphs` for
multi-paragraph text, `ref`/`link` for links, `code` for code blocks,
`diagram` for Mermaid. The only way around escaping is the explicit, greppable
`trusted_md` filter, for Markdown that plangen itself generated.

User templates override built-in ones by file name, and can extend them with
`{% extends "!builtin/plan.md.j2" %}`. Everything runs in Jinja's sandbox with
StrictUndefined, so a template typo is an error, not an empty string.
"""

from __future__ import annotations

import json
import posixpath
from functools import lru_cache
from pathlib import Path
from typing import Any

from jinja2 import ChoiceLoader, FileSystemLoader, PrefixLoader, StrictUndefined, TemplateRuntimeError, Undefined, pass_context
from jinja2.runtime import Context
from jinja2.exceptions import SecurityError
from jinja2.sandbox import SandboxedEnvironment, safe_range

from plangen import __version__
from plangen.render import escape
from plangen.render.escape import PIECE
from plangen.render.keep import KeepExtension
from plangen.render.mermaid import (
    fence, flowchart_source, flowchart_table, gantt_source, gantt_table, too_big,
)
from plangen.render.compiled import template_cache
from plangen.views.base import Contact, Link, Reach, Ref, Who
from plangen.views.diagrams import Flowchart, Gantt


class Md(str):
    """Markdown that may be emitted as it is."""


def _finalize(value: Any) -> str:
    if isinstance(value, Md):
        return value
    if isinstance(value, Undefined):
        return str(value)  # StrictUndefined raises, naming what is missing
    if isinstance(value, bool) or value is None:
        raise TemplateRuntimeError(f"a template printed {value!r}; test it with 'if' instead")
    if isinstance(value, (int, float)):
        return str(value)
    if isinstance(value, str):
        return escape.md_inline(value)
    raise TemplateRuntimeError(f"a template printed a {type(value).__name__}; print one of its fields")


def _relative(page: str, target: str, anchor: str = "") -> str:
    href = _href(posixpath.dirname(page), target) if target != page else ""
    return href + (f"#{anchor}" if anchor else "")


@lru_cache(maxsize=1 << 16)
def _href(folder: str, target: str) -> str:
    # A site links the same few hundred pages from every page: compute each pair once.
    return escape.url(_relpath(target, folder))


def _relpath(target: str, folder: str) -> str:
    """posixpath.relpath(target, folder or "."), for the docs-relative paths
    of the site without asking the system for the working folder (a third of
    the time of every link): segments in common dropped, one '..' per
    segment of the folder left. Paths with empty, '.' or '..' segments go to
    posixpath."""
    parts, base = target.split("/"), folder.split("/") if folder else []
    if any(s in ("", ".", "..") for s in (*parts, *base)):
        return posixpath.relpath(target, folder or ".")
    n = 0
    while n < len(parts) and n < len(base) and parts[n] == base[n]:
        n += 1
    return "/".join([".."] * (len(base) - n) + parts[n:]) or "."


@pass_context
def _ref(ctx: Context, ref: Ref | Who | None, label: str | None = None) -> Md:
    """A link to another page of the site, relative to the page being rendered."""
    if ref is None:
        return Md("")
    if isinstance(ref, Who):
        ref = ref.ref
    text = escape.md_inline(label if label is not None else ref.label)
    return Md(f"[{text}]({_relative(ctx['page_path'], ref.path, ref.anchor)})")


def _link(link: Link | None, label: str | None = None) -> Md:
    if link is None:
        return Md("")
    return Md(escape.md_link(label if label is not None else link.label, link.href))


def _cell(value: Any) -> Md:
    if isinstance(value, Md):
        return value
    return Md(escape.md_cell("" if value is None else str(value)))


def _diagram(chart: Flowchart | Gantt, elsewhere: str = "") -> Md:
    """A Mermaid block, or a table and a note when Mermaid would refuse the
    diagram; only the note when the page lists the same `elsewhere`."""
    if isinstance(chart, Flowchart):
        source, edges, table = flowchart_source(chart), len(chart.edges), flowchart_table
    else:
        source, edges, table = gantt_source(chart), 0, gantt_table
    if too_big(source, edges):
        size = f"This diagram is too large to draw ({len(source)} characters, {edges} links)"
        if elsewhere:
            return Md(f'!!! note "Not drawn"\n    {size}; {escape.md_inline(elsewhere)}.\n\n')
        note = f'!!! note "Shown as a table"\n    {size}; here is the same content as a table.\n\n'
        return Md(note + table(chart))  # type: ignore[arg-type]
    return Md(fence(source))


def _coder(extensions: frozenset[str]) -> Any:
    snippets = "pymdownx.snippets" in extensions

    def _code(text: str, lang: str = "text", indent: int = 0) -> Md:
        """A fenced code block; `indent` pads every line after the first (the
        template indents the first), for blocks inside an admonition."""
        return Md(escape.code_block(text, lang, snippets=snippets).replace("\n", "\n" + " " * indent))

    return _code


_VIEWS = "plangen.views."


class _Sandbox(SandboxedEnvironment):
    """Jinja's sandbox, with its range() limit reported as a template error
    (an OverflowError would escape as a crash)."""

    def __init__(self, **options: Any) -> None:
        super().__init__(**options)
        self.globals["range"] = _safe_range
        self.globals["piece"] = Md(PIECE)  # starts a piece of a long page (see escape.PIECE)

    def getattr(self, obj: Any, attribute: str) -> Any:
        # A view's public dataclass field is plain data: the sandbox's checks
        # (written for arbitrary objects) would cost a third of rendering.
        # Anything else, and any field that holds something callable, goes through them.
        if type(obj).__module__.startswith(_VIEWS) and not attribute.startswith("_") \
                and attribute in getattr(type(obj), "__dataclass_fields__", ()):
            value = getattr(obj, attribute)
            if not callable(value):
                return value
        return super().getattr(obj, attribute)


def _safe_range(*args: int) -> range:
    try:
        return safe_range(*args)
    except OverflowError as exc:
        raise SecurityError(f"range() too big: {exc}") from None


_HIDEABLE = ("navigation", "toc")


def _front_matter(title: str, hide: tuple[str, ...] = (), print_header: str = "", searched: bool = True) -> Md:
    """The page's title for MkDocs: the theme prints it as HTML (in <title>,
    the nav, the breadcrumbs), so it is HTML-escaped here, and JSON-quoted,
    which YAML reads as a plain string (non-ASCII kept as it is: YAML has no
    surrogate-pair escapes for emoji). `hide` names Material sidebars to hide;
    `print_header` is the line printed atop every paper page (theme override);
    a page not `searched` stays out of the search index (it repeats another)."""
    quoted = json.dumps(escape.theme_text(title), ensure_ascii=False)
    hidden = "".join(f"  - {name}\n" for name in hide if name in _HIDEABLE)
    header = f"plangen_print: {json.dumps(escape.css_string(print_header))}\n" if print_header else ""
    search = "" if searched else "search:\n  exclude: true\n"
    return Md(f"---\ntitle: {quoted}\n" + (f"hide:\n{hidden}" if hidden else "") + header + search + "---\n\n")


def _nowrap(text: str) -> Md:
    """Text that must not break across lines (dates): plan text is escaped inside."""
    return Md(f'<span class="pg-nowrap">{escape.md_inline(text)}</span>' if text else "")


def _contacts(lines: tuple[Reach, ...]) -> Md:
    """Ways to reach someone, on one line: "On call: x · Omar Haddad: mail, phone";
    mail, phone and web contacts are links, the rest text."""
    def one(c: Contact) -> str:
        return escape.md_link(c.text, c.href) if c.href else escape.md_inline(c.text)

    parts = []
    for line in lines:
        items = ", ".join(one(c) for c in line.contacts)
        label = escape.md_inline(line.label)
        parts.append(f"{label}: {items}" if label and items else label or items)
    return Md(" · ".join(p for p in parts if p))


def _trusted_md(value: str) -> Md:
    """Markdown that plangen generated itself (never plan text)."""
    return Md(value)


def make_env(user_templates: Path | None, builtin_templates: Path,
             extensions: frozenset[str] = frozenset()) -> SandboxedEnvironment:
    """The environment; `extensions` are the Markdown extensions the site
    enables, for the few escapes that depend on them."""
    builtin = FileSystemLoader(str(builtin_templates))
    loaders = [FileSystemLoader(str(user_templates))] if user_templates and user_templates.is_dir() else []
    env = _Sandbox(
        loader=ChoiceLoader([*loaders, builtin, PrefixLoader({"!builtin": builtin}, delimiter="/")]),
        undefined=StrictUndefined,
        autoescape=False,
        finalize=_finalize,
        keep_trailing_newline=True,
        trim_blocks=True,
        lstrip_blocks=True,
        bytecode_cache=template_cache("plangen", __version__),
        extensions=[KeepExtension],
    )
    env.filters.update(
        cell=_cell,
        paragraphs=lambda text: Md(escape.md_paragraphs(text)),
        ref=_ref,
        link=_link,
        code=_coder(extensions),
        diagram=_diagram,
        front_matter=_front_matter,
        nowrap=_nowrap,
        contacts=_contacts,
        trusted_md=_trusted_md,
    )
    return env
