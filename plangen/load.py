"""Bytes -> plain data with a position for every value. All YAML hazards stop here.

The file is read as strict UTF-8 under a size cap and scanned for control and
bidirectional characters. Then libyaml's event parser (the C parser, never the
recursive composer, which crashes on deep nesting) is walked once, iteratively:
depth, node count, anchors, aliases, tags, merge keys, duplicate and complex
keys are all refused here with a line and column.

Every scalar becomes a string (plain `~`, `null` and empty become None), so
YAML 1.1 guessing never happens: `id: no` stays "no", `version: 1.10` stays
"1.10". The model converts strings to numbers, dates and booleans by field
type, and its errors point back through the position map.
"""

from __future__ import annotations

import hashlib
import re
import unicodedata
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from plangen.errors import FieldPath, Finding, format_path, quote

MAX_BYTES = 1024 * 1024
MAX_DEPTH = 64
MAX_NODES = 100_000
MAX_FINDINGS = 50  # per file: a pathological file must not flood the terminal

_Parser = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
_NULLS = frozenset({"", "~", "null", "Null", "NULL"})

# Characters no plan text (nor a file or folder name) may hold, typed
# literally or written as a YAML escape: C0 controls other than tab and
# newline; DEL and C1 controls (YAML 1.1 reads NEL as a line break);
# bidirectional marks, embeddings, overrides and isolates (they make text
# display differently from what it says); invisible characters (zero-width
# space, word joiner, invisible operators, tag characters, interlinear
# annotations, deprecated format controls); line and paragraph separators;
# stray byte-order marks; noncharacters. The zero-width joiner and non-joiner
# are needed by emoji and several scripts: they pass only between two
# non-ASCII characters, never beside ASCII text (where they can only hide a
# difference, e.g. in 'roll<ZWJ>back').
_BANNED = (
    "\x00-\x08\x0b-\x1f\x7f-\x9f\u061c\u180e\u200b\u200e\u200f\u202a-\u202e"
    "\u2060-\u2064\u2066-\u206f\u2028\u2029\ufeff\ufff9-\ufffb\ufffe\uffff"
    "\U000e0000-\U000e007f"
)
FORBIDDEN = re.compile(
    f"[{_BANNED}]"
    "|(?:^|(?<=[\x00-\x7f]))[\u200c\u200d]"
    "|[\u200c\u200d](?=[\x00-\x7f]|$)"
)
# Within ASCII, FORBIDDEN finds only control characters; most plans are ASCII,
# and this class scans them several times faster.
_ASCII_FORBIDDEN = re.compile("[\x00-\x08\x0b-\x1f\x7f]")


def forbidden(text: str) -> re.Pattern[str]:
    """The pattern to search `text` with for FORBIDDEN characters."""
    return _ASCII_FORBIDDEN if text.isascii() else FORBIDDEN


_BIDI = frozenset("\u061c\u200e\u200f\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069")


def describe_char(ch: str) -> str:
    if ch in _BIDI:
        kind = "bidirectional control character"
    elif ch in "\u2028\u2029":
        kind = "Unicode line separator"
    elif unicodedata.category(ch) == "Cc":
        kind = "control character"
    else:
        kind = "invisible character"
    return f"{kind} U+{ord(ch):04X}"


@dataclass(frozen=True)
class Document:
    """One loaded YAML file: its data and where each value and key stands."""

    file: str
    data: dict[str, Any]
    positions: dict[FieldPath, tuple[int, int]] = field(repr=False)
    key_positions: dict[FieldPath, tuple[int, int]] = field(repr=False)
    sha256: str = field(default="", repr=False, compare=False)  # of the bytes it was read from

    def position(self, path: FieldPath, *, key: bool = False) -> tuple[int, int]:
        """1-based line and column of `path`, or of its nearest known ancestor.

        With `key=True` the position of the key itself is preferred (for
        unknown fields), otherwise the position of the value.
        """
        path = tuple(path)
        if key and path in self.key_positions:
            return self.key_positions[path]
        while path:
            if path in self.positions:
                return self.positions[path]
            path = path[:-1]
        return self.positions.get((), (1, 1))

    def finding(self, path: FieldPath, message: str, hint: str = "", *, key: bool = False) -> Finding:
        line, col = self.position(path, key=key)
        return Finding(self.file, line, col, format_path(path), message, hint)


@dataclass(frozen=True)
class _Mark:
    line: int  # 0-based, as YAML marks are
    column: int


class _Stop(Exception):
    """Raised inside the walk when the rest of the file cannot be trusted."""


@dataclass
class _Frame:
    container: dict[str, Any] | list[Any]
    path: FieldPath
    flow: bool  # written inline with [ ] or { }
    is_map: bool
    key: str | None = None  # mapping only: the key waiting for its value
    discard: bool = False  # mapping only: the waiting key was a duplicate


class _Walker:
    def __init__(self, file: str, text: str) -> None:
        self.file = file
        self.lines = text.split("\n")
        self.text = text
        self.findings: list[Finding] = []
        self.positions: dict[FieldPath, tuple[int, int]] = {}
        self.key_positions: dict[FieldPath, tuple[int, int]] = {}
        self.stack: list[_Frame] = []
        self.root: Any = None
        self.nodes = 0
        self.documents = 0

    # -- reporting -------------------------------------------------------
    def report(self, mark: Any, path: FieldPath, message: str, hint: str = "", *, warning: bool = False) -> None:
        self.findings.append(Finding(self.file, mark.line + 1, mark.column + 1, format_path(path), message, hint,
                                     severity="warning" if warning else "error"))
        if len(self.findings) >= MAX_FINDINGS:
            raise _Stop

    def fatal(self, mark: Any, path: FieldPath, message: str, hint: str = "") -> None:
        self.report(mark, path, message, hint)
        raise _Stop

    # -- the walk --------------------------------------------------------
    def run(self) -> None:
        try:
            for event in yaml.parse(self.text, Loader=_Parser):
                self.on_event(event)
        except _Stop:
            return
        except yaml.MarkedYAMLError as exc:
            self.syntax_error(exc)
            return
        except yaml.YAMLError as exc:  # reader errors carry no mark
            self.findings.append(Finding(self.file, 1, 1, "", f"invalid YAML: {exc}", "check the file's encoding"))
            return
        if self.documents == 0 or self.root is None:
            self.findings.append(
                Finding(self.file, 1, 1, "", "the file is empty", "write the fields as 'key: value' lines")
            )

    def on_event(self, ev: Any) -> None:
        kind = type(ev)  # libyaml yields these exact classes; one lookup instead of a chain of isinstance
        if kind not in _NODES:
            if kind in _ENDS:
                self.stack.pop()
            elif kind is yaml.DocumentStartEvent:
                self.documents += 1
                if self.documents > 1:
                    self.fatal(
                        ev.start_mark, (), "expected a single document, found a second one",
                        "remove the '---' line, or put each plan in a file of its own",
                    )
            return

        frame = self.stack[-1] if self.stack else None
        if frame is not None and frame.is_map and frame.key is None:
            self.on_key(ev, frame)
            return

        path = self.child_path(frame)
        self.check_node(ev, path)
        value: Any
        if kind is yaml.ScalarEvent:
            value = None if not ev.style and ev.value in _NULLS else ev.value  # style '' or None: plain
            if not ev.style:
                self.check_cut(ev, path)
        elif kind is yaml.MappingStartEvent:
            value = {}
        elif kind is yaml.SequenceStartEvent:
            value = []
        else:
            self.report(
                ev.start_mark, path, f"YAML aliases (*{ev.anchor}) are not allowed",
                "write the value out in full; plans are read by people, not only by YAML parsers",
            )
            value = None

        if frame is None:
            if not isinstance(value, dict):
                found = "a list" if isinstance(value, list) else "a single value"
                self.fatal(
                    ev.start_mark, (), f"the top level must be a mapping of fields, found {found}",
                    "write one 'key: value' per line at the top level",
                )
            self.root = value
        elif frame.is_map:
            if not frame.discard:
                frame.container[frame.key] = value  # type: ignore[index]
            frame.key, frame.discard = None, False
        else:
            frame.container.append(value)  # type: ignore[union-attr]
        mark = ev.start_mark
        self.positions.setdefault(path, (mark.line + 1, mark.column + 1))
        if value is not None and kind is not yaml.ScalarEvent:
            self.stack.append(_Frame(value, path, bool(ev.flow_style), kind is yaml.MappingStartEvent))

    def check_cut(self, ev: Any, path: FieldPath) -> None:
        """`expect: posted in #ops` is cut at ' #' (YAML reads a comment). A
        comment one space after a plain value is most likely text the author
        meant to keep; two or more spaces is the usual way to write a comment."""
        end = ev.end_mark
        rest = self.lines[end.line][end.column:] if end.line < len(self.lines) else ""
        if rest[:1] in (" ", "\t") and rest[1:2] == "#":
            dropped = rest[1:].rstrip()
            self.report(
                _Mark(end.line, end.column + 1), path,
                f"the text {quote(dropped)} after the value is read as a YAML comment and dropped",
                "to keep it, put the whole value in quotes ('...' or \"...\"); if it is a comment, put two "
                "spaces before '#'",
                warning=True,
            )

    def child_path(self, frame: _Frame | None) -> FieldPath:
        if frame is None:
            return ()
        if frame.is_map:
            return (*frame.path, frame.key)  # type: ignore[arg-type]
        return (*frame.path, len(frame.container))

    def check_node(self, ev: Any, path: FieldPath) -> None:
        self.nodes += 1
        if self.nodes > MAX_NODES:
            self.fatal(
                ev.start_mark, path, f"the file holds more than {MAX_NODES} values",
                "split it; no real deployment plan is this large",
            )
        if type(ev) in _STARTS and len(self.stack) >= MAX_DEPTH:
            self.fatal(
                ev.start_mark, path[:4], f"nesting deeper than {MAX_DEPTH} levels",
                "a plan never needs this; check for runaway brackets",
            )
        anchor = ev.anchor
        if anchor is not None and type(ev) is not yaml.AliasEvent:
            self.report(
                ev.start_mark, path, f"YAML anchors (&{anchor}) are not allowed",
                "remove the anchor and write each value out in full",
            )
        tag = getattr(ev, "tag", None)  # an alias has none
        if tag is not None:
            self.report(
                ev.start_mark, path, f"YAML tags ({_short_tag(tag)}) are not allowed",
                "remove the tag; plans hold plain text, numbers, dates, lists and mappings",
            )

    def on_key(self, ev: Any, frame: _Frame) -> None:
        if not isinstance(ev, yaml.ScalarEvent):
            what = "an alias" if isinstance(ev, yaml.AliasEvent) else "a list or mapping"
            self.fatal(
                ev.start_mark, frame.path, f"a key must be plain text, found {what}",
                "write keys as 'name: value'",
            )
        key = ev.value
        mark = ev.start_mark
        self.check_node(ev, (*frame.path, key))
        bad = forbidden(key).search(key)
        if bad:  # typed as an escape in a quoted key: never print it raw
            self.fatal(mark, frame.path, f"{describe_char(bad.group())} in a key", "keys are plain field names")
        if not ev.style and key == "<<":
            self.report(
                mark, frame.path, "YAML merge keys (<<) are not allowed",
                "copy the fields you meant to merge into this mapping",
            )
        elif not ev.style and key in _NULLS:
            self.report(mark, frame.path, "a key is empty", "every field needs a name: 'name: value'")
        container = frame.container
        assert isinstance(container, dict)
        child = (*frame.path, key)
        if key in container:
            first = self.key_positions.get(child, (0, 0))[0]
            self.report(
                mark, child, f"duplicate key {quote(key)} (first at line {first})",
                "YAML keeps only one of them; remove or rename one",
            )
            frame.discard = True
        else:
            self.key_positions.setdefault(child, (mark.line + 1, mark.column + 1))
        frame.key = key

    # -- syntax errors ---------------------------------------------------
    def error_path(self, line: int) -> FieldPath:
        """The field being read when the parser stopped: the next item of a
        list, a key waiting for its value, else the last value read on the
        error's line, else the enclosing mapping."""
        if not self.stack:
            return ()
        top = self.stack[-1]
        if isinstance(top.container, list):
            return (*top.path, len(top.container))
        if top.key is not None:
            return (*top.path, top.key)
        on_line = [path for path, (ln, _) in self.positions.items() if ln == line and path[: len(top.path)] == top.path]
        return on_line[-1] if on_line else top.path

    def syntax_error(self, exc: yaml.MarkedYAMLError) -> None:
        mark = exc.problem_mark or exc.context_mark
        line = mark.line + 1 if mark else 1
        col = mark.column + 1 if mark else 1
        problem = (exc.problem or "").strip()
        ch = self.char_at(line, col)
        message, hint = f"invalid YAML: {problem}", "check the syntax near here; quoting the value often helps"
        if problem == "found character that cannot start any token" and ch == "\t":
            message, hint = "a tab cannot indent YAML", "indent with spaces, never tabs"
        elif problem == "found character that cannot start any token" and ch:
            value = self.lines[line - 1][col - 1 :].strip()
            if self.stack and self.stack[-1].flow:
                value = re.split(r"[,\]}]", value, maxsplit=1)[0].strip()
            message = f"a value cannot start with {quote(ch)}"
            hint = "quote it: " + '"' + value.replace("\\", "\\\\").replace('"', '\\"') + '"'
        elif problem.startswith("mapping values are not allowed"):
            message = "a ': ' inside a value ends the key too early"
            hint = "quote the whole value: key: \"text: with a colon\""
        elif problem.startswith("could not find expected ':'"):
            message = "expected 'key: value' here"
            hint = "check the indentation of this line and the one before it"
        elif exc.context in _UNCLOSED and exc.context_mark is not None:
            line, col = exc.context_mark.line + 1, exc.context_mark.column + 1
            message = f"{_UNCLOSED[exc.context]} is never closed"
            hint = "add the closing quote or bracket"
        elif problem.startswith(("expected <block end>", "did not find expected")):
            hint = "check the indentation: items of one list or mapping must line up"
        self.findings.append(Finding(self.file, line, col, format_path(self.error_path(line)), message, hint))

    def char_at(self, line: int, col: int) -> str:
        if 1 <= line <= len(self.lines) and 1 <= col <= len(self.lines[line - 1]):
            return self.lines[line - 1][col - 1]
        return ""


_STARTS = frozenset({yaml.MappingStartEvent, yaml.SequenceStartEvent})
_NODES = _STARTS | {yaml.ScalarEvent, yaml.AliasEvent}
_ENDS = frozenset({yaml.MappingEndEvent, yaml.SequenceEndEvent})

_UNCLOSED = {
    "while scanning a quoted scalar": "the quoted value that starts here",
    "while parsing a flow sequence": "the '[' list that starts here",
    "while parsing a flow mapping": "the '{' mapping that starts here",
}


def _short_tag(tag: str) -> str:
    return "!!" + tag[len("tag:yaml.org,2002:") :] if tag.startswith("tag:yaml.org,2002:") else tag


def _normalise_breaks(text: str) -> str:
    """CRLF and lone CR become LF: YAML counts each as one break, so lines and
    columns stay the same, and every later count needs to know only LF."""
    return text.replace("\r\n", "\n").replace("\r", "\n")


def _line_col(text: str, pos: int) -> tuple[int, int]:
    return text.count("\n", 0, pos) + 1, pos - (text.rfind("\n", 0, pos) + 1) + 1


def _fields_at(text: str, spots: list[tuple[int, int]]) -> list[str]:
    """The path of the value around each position, from one lenient parse.

    Encoding and character errors are found before the real parse; with the
    bad characters blanked out, the same walk tells which field holds them.
    """
    walker = _Walker("", FORBIDDEN.sub(" ", text.replace("\ufffd", " ")))
    walker.run()
    ordered = sorted((pos, path) for path, pos in walker.positions.items())
    out = []
    for spot in spots:
        before = [path for pos, path in ordered if pos <= spot]
        out.append(format_path(before[-1]) if before else "")
    return out


def _decode(data: bytes, file: str) -> tuple[str | None, list[Finding]]:
    if data.startswith(b"\xef\xbb\xbf"):
        data = data[3:]
    try:
        text = _normalise_breaks(data.decode("utf-8"))
    except UnicodeDecodeError as exc:
        lenient = _normalise_breaks(data.decode("utf-8", errors="replace"))
        line, col = _line_col(lenient, len(_normalise_breaks(data[: exc.start].decode("utf-8", errors="replace"))))
        (path,) = _fields_at(lenient, [(line, col)])
        message = f"not valid UTF-8 (byte 0x{data[exc.start]:02X})"
        return None, [Finding(file, line, col, path, message, "save the file as UTF-8")]
    spots = [(_line_col(text, m.start()), m.group()) for m in forbidden(text).finditer(text)][:MAX_FINDINGS]
    if not spots:
        return text, []
    paths = _fields_at(text, [spot for spot, _ in spots])
    return None, [
        Finding(
            file, line, col, path, f"{describe_char(ch)} is not allowed",
            "delete it; it is invisible or changes how the text around it displays",
        )
        for ((line, col), ch), path in zip(spots, paths)
    ]


def _too_big(file: str, size: int) -> list[Finding]:
    return [
        Finding(
            file, 1, 1, "", f"the file is {size} bytes, over the limit of {MAX_BYTES} (1 MiB)",
            "split it; a plan is a page of YAML, not a data set",
        )
    ]


def load_bytes(data: bytes, file: str) -> tuple[Document | None, list[Finding]]:
    """Parse one file's bytes. Returns the document, or None and the reasons."""
    if len(data) > MAX_BYTES:
        return None, _too_big(file, len(data))
    text, findings = _decode(data, file)
    if text is None:
        return None, findings
    walker = _Walker(file, text)
    walker.run()
    findings = sorted(walker.findings)
    if any(f.severity == "error" for f in findings):
        return None, findings
    return Document(file, walker.root, walker.positions, walker.key_positions,
                    hashlib.sha256(data).hexdigest()), findings


def load_file(path: Path, file: str | None = None) -> tuple[Document | None, list[Finding]]:
    """Read and parse one file; `file` is the name shown in messages."""
    name = file if file is not None else str(path)
    try:
        with path.open("rb") as handle:
            data = handle.read(MAX_BYTES + 1)  # never read a huge file whole
    except OSError as exc:
        return None, [Finding(name, 1, 1, "", f"cannot read the file: {exc.strerror or exc}",
                              "check that it exists and that you may read it")]
    if len(data) > MAX_BYTES:
        return None, _too_big(name, path.stat().st_size)
    return load_bytes(data, name)
