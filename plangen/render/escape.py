"""Escaping plan text for each place it lands on a page.

Plan text is text: nothing an author writes may become Markdown, HTML, a
Mermaid directive or a broken table. Each output context has one function
here, and templates reach them only through the filters in `env.py`.
"""

from __future__ import annotations

import html
import re
from functools import lru_cache
from urllib.parse import quote as url_quote

from plangen.errors import MARKDOWN_SYNTAX
from plangen.model.base import is_web_url

# Between the pieces of a long page (a line of its own, blank lines around):
# a Markdown reference definition, so it shows nothing; the engine converts
# each piece on its own and keeps it, so an edit converts its piece alone.
# Plan text cannot write it: a line of plan text never starts with "[".
PIECE = "[//]: # (piece)"

# Characters read as syntax anywhere in a line are written as numeric
# entities: entities are never syntax, and every renderer shows them as the
# character. One pass over the text, so no replacement can corrupt another.
_MD_SPECIAL = MARKDOWN_SYNTAX
_MD_MAP = {ord(c): f"&#{ord(c)};" for c in _MD_SPECIAL}
# At the start of a block almost any symbol starts syntax in some extension:
# headings, lists and rules (# - + *), admonitions (!!!), details (???),
# blocks (///), snippets (--8<--), tabs (===), definitions (:), maths ($$),
# fenced divs (:::), and whatever the next extension brings (all of them
# ASCII). So a line that begins with any ASCII character but a letter or a
# digit begins with an entity instead, and a line that begins with a word
# cannot continue as a list marker ("1.", "1)", and with fancylists "a.",
# "iv)"). tests/test_escape.py enumerates the extensions this must hold for.
# "1." or "1)" (always), and with fancylists "a. ", "iv) " (a letter or a
# roman numeral, then a space: "ana.s@example.com" is left as it is).
_NUMBERED = re.compile(r"^([0-9]+)([.)])|^([A-Za-z]|[ivxlcdmIVXLCDM]+)([.)])(?=\s|$)")
_SPACE = re.compile(r"\s+")
_BREAK = re.compile(r"\r\n?|\n")


def md_inline(text: str) -> str:
    """Text inside a paragraph, heading, list item or cell: one line, all syntax inert."""
    return _md_inline(str(text))


@lru_cache(maxsize=1 << 16)  # names and labels recur on every page that mentions them
def _md_inline(text: str) -> str:
    line = _SPACE.sub(" ", str(text)).strip()
    first = line[:1]
    if first.isascii() and first and not first.isalnum() and first not in _MD_SPECIAL:
        line = f"&#{ord(first)};{line[1:].translate(_MD_MAP)}"
    else:
        line = line.translate(_MD_MAP)
    return _NUMBERED.sub(lambda m: f"{m.group(1) or m.group(3)}&#{ord(m.group(2) or m.group(4))};", line)


def md_paragraphs(text: str) -> str:
    """Multi-paragraph text (a summary): blank lines separate paragraphs; a
    valid http(s) URL in the text becomes a link to exactly that URL (since
    1.1), and nothing else is read as markup."""
    paragraphs = [p for p in re.split(r"\n\s*\n", str(text).replace("\r", "")) if p.strip()]
    return "\n\n".join(_linked(p) for p in paragraphs)


# A URL runs to the next space or angle bracket; punctuation that ends a
# sentence is not part of it, nor a closing bracket it did not open.
_WEB_URL = re.compile(r"https?://[^\s<>\"]+", re.IGNORECASE)
_TRAILING = ".,;:!?'"


def _url_end(candidate: str) -> str:
    while candidate and (candidate[-1] in _TRAILING or
                         (candidate[-1] == ")" and candidate.count(")") > candidate.count("("))):
        candidate = candidate[:-1]
    return candidate


def _linked(paragraph: str) -> str:
    line = _SPACE.sub(" ", paragraph).strip()
    out, at = [], 0
    for m in _WEB_URL.finditer(line):
        found = _url_end(m.group())
        if m.start() < at or not is_web_url(found):
            continue
        out.append(line[at:m.start()])
        out.append(found)
        at = m.start() + len(found)
    if not out:
        return md_inline(line)
    out.append(line[at:])
    pieces = []
    for n, piece in enumerate(out):
        if n % 2:  # a URL
            pieces.append(md_link(piece, piece))
        elif piece:
            # only the line's start needs md_inline's care; later text keeps its spaces
            pieces.append(md_inline(piece) + " " * piece.endswith(" ") if n == 0 else piece.translate(_MD_MAP))
    return "".join(pieces)


def md_cell(text: str) -> str:
    """Text inside a table cell: line breaks kept as <br>, never a new row or column."""
    lines = [md_inline(line) for line in _BREAK.split(str(text))]
    return "<br>".join(line for line in lines if line) or " "


# Mermaid: always inside a double-quoted label; only a plain set of ASCII
# passes through, every other character becomes #<codepoint>; which Mermaid
# turns back into the character when it draws the label.
# `$` is not among them: Mermaid typesets $...$ and $$...$$ as maths.
_MERMAID_SAFE = re.compile(r"[A-Za-z0-9 _.,\-/()+=?!@*'~^]")


def mermaid_label(text: str, *, gantt: bool = False) -> str:
    """The inside of a quoted Mermaid label (gantt: no line breaks at all)."""
    lines = _BREAK.split(str(text).strip())
    encoded = ["".join(c if _MERMAID_SAFE.fullmatch(c) else f"#{ord(c)};" for c in line) for line in lines]
    return (" " if gantt else "<br>").join(encoded)


def url(href: str) -> str:
    """A validated http(s)/mailto URL made safe inside a Markdown link target.

    Characters that would end the link early or break out of it are
    percent-encoded; `&` is written as `&amp;`, so an entity in the URL
    (`&#64;` is `@`) reaches the browser as the characters that were
    validated, never as the character it names. Everything else is kept.
    """
    return url_quote(str(href), safe="/:?#[]@!$&'*+,;=%~.-_").replace("&", "&amp;")


def md_link(label: str, href: str) -> str:
    """A Markdown link whose label is plain text and whose target is a checked URL."""
    return f"[{md_inline(label)}]({url(href)})"


# pymdownx.snippets reads every line of the page before anything else, code
# blocks included: a line that looks like `--8<-- "file"` (or a bare
# `--8<--`) is replaced by that file. Its own escape is a leading `;`.
_SNIPPET_LINE = re.compile(r"^([ \t]*)(;*-+8<-+)")


def code_block(text: str, lang: str = "text", *, snippets: bool = False) -> str:
    """A fenced code block that no content can close early, and that shows
    its lines as written even when the snippets extension is on."""
    longest = max((len(run) for run in re.findall(r"`+", str(text))), default=0)
    fence = "`" * max(3, longest + 1)
    # Blank lines around a command are not part of it (Markdown drops a leading one anyway).
    body = re.sub(r"^(?:[ \t]*\n)+", "", _BREAK.sub("\n", str(text))).rstrip("\n")
    if snippets:
        body = "\n".join(_SNIPPET_LINE.sub(r"\1;\2", line) for line in body.split("\n"))
    return f"{fence}{lang}\n{body}\n{fence}"


def theme_text(text: str) -> str:
    """Text the theme prints as HTML without escaping it (the site name, nav
    titles, page titles): one line, HTML-escaped."""
    return html.escape(_SPACE.sub(" ", str(text)).strip())


_CSS_SAFE = re.compile(r"[A-Za-z0-9 .,:/()-]")


def css_string(text: str) -> str:
    """The inside of a double-quoted CSS string (a printed page header): every
    character but a plain ASCII set as a six-digit hex escape, so nothing can
    end the string, the rule or the <style> element."""
    line = _SPACE.sub(" ", str(text)).strip()
    # The space after each escape ends it (CSS swallows one), so a real space that follows is kept.
    return "".join(c if _CSS_SAFE.fullmatch(c) else f"\\{ord(c):06x} " for c in line)
