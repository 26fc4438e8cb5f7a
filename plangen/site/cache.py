"""Built pages kept beside the site, so that a rebuild skips every page whose
inputs did not change.

An entry is found by a key that hashes everything its HTML depends on (the
engine computes it: versions, configuration, theme overrides, the nav and the
page's source), and holds the page's HTML and what the build gathers from
it: anchors, links and warnings as a line of JSON (never pickle), then the
search entries as the index writes them (spliced in unparsed). Entries
are sealed with their checksum (store.seal) and checked on every read (the
checksum, their own key, the shape of the data, and the HTML's digest unless
the HTML file is as it was written: same inode, size and time): a corrupt,
truncated or foreign entry is a miss and is rebuilt.
The checksum guards against damage, not against forgery: whoever can write the
cache can write the site, so it is trusted as much as the site folder and
must never be restored from an untrusted source (a cache a pull request's
job could write). A page taken from here is a hard link to its entry (on
this kind of disk, writing a file's data costs thirty times as much as
linking it); entries are replaced by renaming, never written in place.
Each page also keeps its conversion apart from the theme: each piece's HTML
and what the build gathers from it (see engine._pieced; a page not made of
pieces is one piece), so that an edit in one piece converts that piece
alone, and a page whose sidebar alone changed is not converted at all.
After a build, entries it did not use (and pieces of no page it used) are
removed, so the cache holds one site's pages.
"""

from __future__ import annotations

import hashlib
import json
import os
from dataclasses import asdict, dataclass, field
from pathlib import Path
from collections.abc import Callable
from typing import Any

from pydantic import ConfigDict, TypeAdapter
from typing_extensions import TypedDict  # pydantic reads typing's TypedDict only from Python 3.12

from plangen.site import store

FORMAT = "plangen page cache 6"


@dataclass(frozen=True)
class Built:
    """One page as built: its HTML and what the rest of the build needs from it."""
    html: bytes | None  # None: not read (an entry found whole by its file's stat)
    search: str  # the search index's entries, in order, as the index writes them (a JSON list)
    anchors: list[str | None]  # ids present on the page (MkDocs counts an element without one)
    links: dict[str, dict[str, str]]  # links to anchors: target page -> {anchor: link as written}
    warnings: list[str]
    pieces: list[str] = field(default_factory=list)  # keys of the pieces it was put together from (kept with it)


@dataclass(frozen=True)
class Piece:
    """One piece of a long page (see engine._pieced), converted on its own."""
    html: str  # as the page shows it (search attributes removed)
    toc: list[tuple[int, str, str]]  # its headings in the table of contents: level, id, title
    title: str | None  # the title its first heading gives the page, if any
    anchors: list[str | None]
    links: dict[str, dict[str, str]]
    warnings: list[str]
    search: list[dict[str, Any]]


def _stat(path: str | Path) -> list[int]:
    """What changes when a file is written: its inode, size and time."""
    info = os.stat(path)
    return [info.st_ino, info.st_size, info.st_mtime_ns]


class _Gathered(TypedDict):
    """What the build gathers from a page or piece, as kept (strict: a value of another type refuses the entry)."""
    __pydantic_config__ = ConfigDict(strict=True)  # type: ignore[misc]
    format: str
    key: str
    anchors: list[str | None]
    links: dict[str, dict[str, str]]
    warnings: list[str]


class _Meta(_Gathered):
    sha256: str
    stat: tuple[int, int, int]
    pieces: list[str]


class _PieceData(_Gathered):
    html: str
    toc: list[tuple[int, str, str]]
    title: str | None
    search: list[dict[str, Any]]


# Parsed and checked in one step (some 40 ms for a thousand plans' pages).
_META = TypeAdapter(_Meta)
_PIECE = TypeAdapter(_PieceData)


def _entries(search: bytes) -> bool:
    """The search entries, a JSON list as the index writes it, are spliced
    into the index unparsed (the entry's seal vouches for their bytes)."""
    return search == b"[]" or (search.startswith(b"[{") and search.endswith(b"}]"))


class _Names(TypedDict):
    __pydantic_config__ = ConfigDict(strict=True)  # type: ignore[misc]
    key: str
    names: list[str]


_NAMES = TypeAdapter(_Names)


# What this process's last build read or wrote, by entry file: `plangen
# serve` builds again and again, and an entry whose HTML file is as it was
# then (inode, size, time) needs no reading.
_recent: dict[str, tuple[list[int], Built]] = {}


class PageCache:
    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self.usable = store.usable(folder)
        self._base = os.fspath(folder)
        self._names: set[str] = set()  # lists of names kept by this build (see names)

    def _paths(self, key: str) -> tuple[str, str]:  # strings: a Path costs more than the stat it names
        return os.path.join(self._base, f"{key}.html"), os.path.join(self._base, f"{key}.json")

    def get(self, key: str) -> Built | None:
        if not self.usable:
            return None
        html_path, meta_path = self._paths(key)
        seen = _recent.get(html_path)
        try:
            if seen is not None and seen[0] == _stat(html_path):
                return seen[1]
            # Sealed: a line of JSON (compact JSON holds no newline), then the search entries.
            with open(meta_path, "rb") as handle:
                body = store.unseal(handle.read())
            if body is None:
                return None
            head, _, search = body.partition(b"\n")
            data = _META.validate_json(head)
            if data["format"] != FORMAT or data["key"] != key or not _entries(search):
                return None
            text = search.decode("utf-8")
            html: bytes | None = None
            stat = list(data["stat"])
            if stat != _stat(html_path):  # written since: read it and check it whole
                with open(html_path, "rb") as handle:
                    html = handle.read()
                if hashlib.sha256(html).hexdigest() != data["sha256"]:
                    return None
            elif stat[1] == 0:
                html = b""
        except (OSError, ValueError):  # ValidationError and UnicodeDecodeError are ValueErrors
            return None
        built = Built(html, text, data["anchors"], data["links"], data["warnings"], data["pieces"])
        if html is None:  # as written: the same file stays the same entry
            _recent[html_path] = (stat, built)
        return built

    def get_piece(self, key: str) -> Piece | None:
        if not self.usable:
            return None
        try:
            body = store.unseal((self.folder / f"{key}.piece").read_bytes())
            if body is None:
                return None
            data = _PIECE.validate_json(body)
        except (OSError, ValueError):
            return None
        if data["format"] != FORMAT or data["key"] != key:
            return None
        return Piece(data["html"], [(level, ident, title) for level, ident, title in data["toc"]], data["title"],
                     data["anchors"], data["links"], data["warnings"], data["search"])

    def has_piece(self, key: str) -> bool:
        """Whether a piece is kept (not whether it is sound: get_piece checks that)."""
        return self.usable and (self.folder / f"{key}.piece").is_file()

    def put_piece(self, key: str, piece: Piece) -> None:
        if not self.usable:
            return
        try:
            store.write(self.folder, f"{key}.piece",
                        store.seal(json.dumps({"format": FORMAT, "key": key, **asdict(piece)}).encode("utf-8")))
        except OSError:
            pass

    def names(self, key: str, make: Callable[[], list[str]]) -> list[str]:
        """A list of names kept under `key`, or made and kept."""
        self._names.add(f"{key}.names")
        if self.usable:
            try:
                body = store.unseal((self.folder / f"{key}.names").read_bytes())
                data = _NAMES.validate_json(body) if body is not None else None
                if data is not None and data["key"] == key:
                    return data["names"]
            except (OSError, ValueError):
                pass
        made = make()
        if self.usable:
            try:
                store.write(self.folder, f"{key}.names", store.seal(json.dumps({"key": key, "names": made}).encode("utf-8")))
            except OSError:
                pass
        return made

    def place(self, key: str, built: Built, dest: str) -> None:
        """Put a page got from here at `dest` in the site (its folder exists)."""
        store.place(self._paths(key)[0], dest, built.html)

    def put(self, key: str, built: Built, written: str | None = None) -> None:
        """Write an entry (its HTML linked from `written`, the page as the
        build wrote it, where the file system allows); a cache that cannot
        be written is no error (the site is built all the same, only the
        next build is slower)."""
        if not self.usable or built.html is None:
            return
        try:
            html_path = store.write(self.folder, f"{key}.html", built.html, written)
            data = {"format": FORMAT, "key": key, "sha256": hashlib.sha256(built.html).hexdigest(),
                    "stat": _stat(html_path), "anchors": built.anchors, "links": built.links,
                    "warnings": built.warnings, "pieces": built.pieces}
            body = json.dumps(data).encode("utf-8") + b"\n" + built.search.encode("utf-8")
            store.write(self.folder, f"{key}.json", store.seal(body))
        except OSError:
            pass

    def prune(self, used: set[str], pieces: set[str]) -> None:
        """Remove every entry but the pages `used` and their `pieces` (and anything that is not an entry)."""
        for path in [p for p in _recent if os.path.dirname(p) == self._base
                     and os.path.basename(p).removesuffix(".html") not in used]:
            del _recent[path]
        store.prune(self.folder, {f"{key}{suffix}" for key in used for suffix in (".html", ".json")}
                    | {f"{key}.piece" for key in pieces} | self._names)
