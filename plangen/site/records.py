"""Each plan's share of the site, kept beside it for the next build: its part
of the pages across plans, its own pages' Markdown, its plans.json entry and
calendar events, and its findings.

A record is found by a key that hashes everything it was made from: the
plan file's bytes, name and folder; the site config, the user's templates
and mkdocs.yml; the build date and flags; plangen's code and every installed
distribution. A plan's pages also show what it reads from other plans (a
dependency's status, a related plan's title): a record names those plans
with their files' digests and is used only while they are unchanged.
A record is sealed with its checksum (store.seal): a line of JSON checked
against its types when read, then its texts (part, plans.json entry,
pages, calendar lines) one after another as UTF-8, their lengths in the
JSON (text in JSON costs five times as much to read); a damaged or foreign
one is a miss. A plan's part of the pages across plans is kept as JSON
text with its digest and read only when those pages are made again: a
note of the last build (`last.state`) says what its pages across plans and
its checks across plans were made from, so that a build whose plans' parts
and footprints are all as they were keeps those pages and findings as they
are. The blocks of those pages (render/keep.py) are kept here too. Like
the page cache, trusted as much as the site.
"""

from __future__ import annotations

import hashlib
import json
from collections import defaultdict
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Literal

from pydantic import TypeAdapter, ValidationError

from plangen.analysis.analyse import PlanAnalysis
from plangen.analysis.conflicts import Footprint
from plangen.errors import Finding, PlangenError
from plangen.project import display_name
from plangen.resources import builtin
from plangen.site import store
from plangen.site.blocks import SUFFIX as BLOCKS
from plangen.views.base import audit_path, plan_path, runbook_path
from plangen.views.parts import Head, PlanPart

FORMAT = "plangen plan record 10"


@dataclass(frozen=True)
class Record:
    head: Head  # what the sidebar shows of the plan
    part: bytes  # its part of the pages across plans, as JSON: read (see Records.part) only when they are made again
    reads: tuple[tuple[str, str], ...]  # (plan id, digest of its file) of each plan this one reads
    warnings: tuple[Finding, ...]  # the file's validation warnings
    findings: tuple[Finding, ...]  # readiness findings, as lint gives them
    pages: tuple[tuple[str, bytes], ...]  # docs path, Markdown as UTF-8: the plan page, its runbook and its audit pack
    entry: bytes  # its entry of plans.json (see exports.plan_entry)
    events: tuple[str, ...]  # its lines of calendar.ics
    footprint: Footprint  # what it brings to the checks across plans
    part_digest: str  # of `part` (see part_digest), sealed with it
    digests: tuple[str, ...]  # SHA-256 of each page, in order: a page kept as it was need not be read again


@dataclass(frozen=True)
class Last:
    """What the last build made its pages across plans from (see Records.last)."""
    inputs: str = ""  # of its checks across plans (see Records.inputs)
    across: str = ""  # the key of its pages across plans (see Records.across_key)
    pages: Mapping[str, str] = field(default_factory=dict)  # path -> digest of the Markdown of each of those pages
    records: frozenset[str] = frozenset()  # the keys of its records


@dataclass(frozen=True)
class _Head:
    """A record's first line: all but its texts, and their lengths in bytes."""
    format: Literal["plangen plan record 10"]
    key: str
    head: Head
    reads: tuple[tuple[str, str], ...]
    warnings: tuple[Finding, ...]
    findings: tuple[Finding, ...]
    paths: tuple[str, ...]  # of `pages`, in order
    footprint: Footprint
    part_digest: str
    digests: tuple[str, ...]  # of `paths`' pages, in order
    sizes: tuple[int, ...]  # part, entry, each page, each calendar line


_HEAD = TypeAdapter(_Head)
SUFFIX = ".record"


def _dump(key: str, record: Record) -> bytes:
    texts = [record.part, record.entry, *(text for _, text in record.pages), *(line.encode("utf-8") for line in record.events)]
    head = _Head(FORMAT, key, record.head, record.reads, record.warnings, record.findings,
                 tuple(path for path, _ in record.pages), record.footprint, record.part_digest, record.digests,
                 tuple(len(text) for text in texts))
    return store.seal(_HEAD.dump_json(head) + b"\n" + b"".join(texts))  # compact JSON holds no newline


def _load(key: str, data: bytes) -> Record | None:
    body = store.unseal(data)
    if body is None:
        return None
    first, _, rest = body.partition(b"\n")
    head = _HEAD.validate_json(first)  # raises ValidationError (a ValueError) when it is not one
    if (head.key != key or len(head.sizes) < 2 + len(head.paths) or len(head.digests) != len(head.paths)
            or min(head.sizes) < 0 or sum(head.sizes) != len(rest)):
        return None
    blobs, at = [], 0
    for size in head.sizes:
        blobs.append(rest[at:at + size])
        at += size
    pages = len(head.paths)
    # The part, the entry and the pages stay bytes: the part is parsed as it is (when at all), the entry
    # and the pages are written as they are, and MkDocs reads only a page's front matter unless it
    # converts it (see engine._read).
    events = tuple(blob.decode("utf-8") for blob in blobs[2 + pages:])
    return Record(head.head, blobs[0], head.reads, head.warnings, head.findings,
                  tuple(zip(head.paths, blobs[2:2 + pages])), blobs[1], events, head.footprint, head.part_digest,
                  head.digests)


_PART = TypeAdapter(PlanPart)


def _page_path(path: object) -> bool:
    """A docs-relative path of a Markdown page, as plangen names them: the
    note's paths are written to (and removed) in the build's folder."""
    return (isinstance(path, str) and path.endswith(".md") and "\\" not in path and "\0" not in path
            and not path.startswith("/") and all(part not in ("", ".", "..") for part in path.split("/")))


LAST = "last.state"  # what the last build's pages across plans were made from (see Records.last)
# The records read or written by this process's last build, by key: `plangen
# serve` builds again and again, and a record is a function of its key, so
# the next build takes them from here instead of reading and checking them.
_recent: dict[str, Record] = {}


@lru_cache(maxsize=1)
def _code() -> str:
    """plangen's own code, templates and site config: in a source checkout
    they change without a new version number."""
    package = Path(__file__).resolve().parent.parent
    files = [*sorted(package.rglob("*.py")), *sorted(builtin("templates").rglob("*")),
             *sorted(builtin("site_config").rglob("*"))]
    return store.digest(*(part for f in files if f.is_file() for part in (f.as_posix(), f.read_bytes())))


def _folder_digest(folder: Path | None) -> str:
    if folder is None or not folder.is_dir():
        return ""
    return store.digest(*(part for f in sorted(folder.rglob("*")) if f.is_file()
                          for part in (f.relative_to(folder).as_posix(), f.read_bytes())))


class Records:
    """The records of one site's plans, in `folder` (None: keep nothing)."""

    def __init__(self, folder: Path | None, *, site: Path | None, templates: Path | None, mkdocs_yml: Path | None,
                 settings: str) -> None:
        self.folder = folder if folder is not None and store.usable(folder) else None
        self.common = store.digest(
            FORMAT, store.versions(), _code(), settings,
            site.read_bytes() if site is not None and site.is_file() else b"",
            _folder_digest(templates),
            mkdocs_yml.read_bytes() if mkdocs_yml is not None and mkdocs_yml.is_file() else b"",
        ) if self.folder is not None else ""
        self.used: set[str] = set()
        self._sound: set[str] = set()  # pages across plans read whole and sound by this build
        self._digests: dict[str, str] = {}  # file -> digest of the bytes a kept record was made from
        self._keys: dict[str, str] = {}  # file -> key of its record, kept or made by this build

    def key(self, file: str, group: str, digest: str) -> str:
        return store.digest(self.common, file, group, digest)

    def held(self, plan_files: Sequence[tuple[Path, str]]) -> dict[str, Record]:
        """The records still good, by file: found by their file's key, and
        every plan they read unchanged."""
        if self.folder is None:
            return {}
        found = {}
        for path, group in plan_files:
            if path.is_symlink():
                continue  # refused when read, never read through
            name = display_name(path)
            try:
                digest = hashlib.sha256(path.read_bytes()).hexdigest()
            except OSError:
                continue
            key = self.key(name, group, digest)
            record = self.get(key)
            if record is not None:
                found[name] = record
                self._digests[name] = digest
                self._keys[name] = key
        unchanged = {(record.head.id, self._digests[name]) for name, record in found.items()}
        return {name: r for name, r in found.items() if all(read in unchanged for read in r.reads)}

    def keep(self, fresh: Mapping[str, tuple[PlanAnalysis, PlanPart]], kept: Mapping[str, Record],
             warnings: Sequence[Finding], rendered: Mapping[str, str], entries: Mapping[str, bytes],
             events: Mapping[str, tuple[str, ...]], texts: Mapping[str, bytes]) -> None:
        """Keep the share of each plan read (by file; `texts`, its part as
        JSON) for the next build (then `prune`)."""
        if self.folder is None:
            return
        self._keys = {name: key for name, key in self._keys.items() if name in kept}
        digest_of = {p.context.plan.id: p.loaded.doc.sha256 for p, _ in fresh.values()}
        digest_of.update({r.head.id: self._digests[name] for name, r in kept.items()})
        by_file: dict[str, list[Finding]] = defaultdict(list)
        for finding in warnings:
            by_file[finding.file].append(finding)
        for name, (p, part) in fresh.items():
            plan = p.context.plan
            reads = sorted({d.plan for d in plan.dependencies if d.plan} | {r.plan for r in plan.relations})
            own = (plan_path(plan.id), runbook_path(plan.id), audit_path(plan.id))
            pages = tuple((path, rendered[path].encode("utf-8")) for path in own)
            record = Record(part.head, texts[name], tuple((ident, digest_of.get(ident, "")) for ident in reads),
                            tuple(by_file[name]), p.findings, pages, entries[name], events[name], p.footprint,
                            self.part_digest(texts[name]), tuple(hashlib.sha256(text).hexdigest() for _, text in pages))
            # Keyed by the bytes this build parsed: a file edited meanwhile gets a new key next time.
            self._keys[name] = self.key(name, p.loaded.group, p.loaded.doc.sha256)
            self.put(self._keys[name], record)

    @staticmethod
    def part_text(part: PlanPart) -> bytes:
        """A plan's part of the pages across plans as JSON (UTF-8): the same
        text, the same rows, whether the part was made now or kept."""
        return store.canonical(part)

    @staticmethod
    def part_digest(text: bytes) -> str:
        return hashlib.sha256(text).hexdigest()

    def part(self, record: Record) -> PlanPart:
        """A kept plan's part. Its record's seal was checked when read, so
        only a cache written by hand fails here."""
        try:
            return _PART.validate_json(record.part)
        except ValidationError:
            raise PlangenError(f"the build cache in {self.folder} holds a plan's part that is not one",
                               "remove that folder (it is made again by the next build)") from None

    def inputs(self, footprints: Sequence[Footprint], limit: int | None) -> str:
        """What the checks across plans are made from (conflicts.find is a
        function of the footprints in the order of their files and the limit)."""
        if self.folder is None:
            return ""
        ordered = sorted(footprints, key=lambda fp: fp.file)
        return store.digest(repr(limit), *(store.canonical(fp) for fp in ordered))

    def last(self) -> Last:
        """What the last build made its pages across plans from; empty when
        there is none, or it was made with other settings."""
        if self.folder is None:
            return Last()
        try:
            data = json.loads((self.folder / LAST).read_bytes())
        except (OSError, ValueError, RecursionError):  # RecursionError: JSON nested too deep
            return Last()
        if not (isinstance(data, dict) and data.get("common") == self.common and isinstance(data.get("inputs"), str)
                and isinstance(data.get("across"), str) and isinstance(data.get("pages"), dict)
                and all(isinstance(v, str) for v in data["pages"].values()) and all(map(_page_path, data["pages"]))
                and isinstance(data.get("records"), list) and all(isinstance(v, str) for v in data["records"])):
            return Last()
        return Last(data["inputs"], data["across"], data["pages"], frozenset(data["records"]))

    def checked(self, name: str, last: Last, inputs: str) -> bool:
        """Whether a kept plan's findings across plans are as they would be now:
        its record was one of the last build's, which checked each against
        its checks across plans (or read it again), and those are made from
        the same inputs now."""
        return bool(last.inputs) and last.inputs == inputs and self._keys.get(name) in last.records

    def forget_last(self) -> None:
        """Before records change: a build that dies before `keep_last` leaves no claim about them."""
        if self.folder is not None:
            try:
                (self.folder / LAST).unlink(missing_ok=True)
            except OSError:  # a folder that cannot be changed keeps its records as they are too
                pass

    def keep_last(self, inputs: str, across: str, pages: Mapping[str, str]) -> None:
        """After `keep`: this build's checks' inputs, pages across plans and records."""
        if self.folder is None:
            return
        try:
            store.write(self.folder, LAST, json.dumps({
                "common": self.common, "inputs": inputs, "across": across, "pages": dict(pages),
                "records": sorted(self._keys.values())}).encode("utf-8"))
        except OSError:
            pass

    def across_key(self, settings: str, parts: Sequence[str], conflicts: str) -> str:
        """One key for every page across plans: they are made from the plans'
        parts in order (`parts`: their digests), what the checks across
        plans found (`conflicts`, as the conflicts page reads it), the site
        settings and templates (in `common`) and `settings` (mkdocs.yml and
        what the site views take from the site)."""
        return store.digest(self.common, "across", settings, conflicts, *parts)

    def _page_name(self, path: str) -> str:
        return store.digest(self.common, "page", path)

    def page(self, path: str, digest: str) -> str | None:
        """A page across plans as the last build made it (`digest`: of its
        Markdown, as that build noted it), or None."""
        if self.folder is None:
            return None
        name = self._page_name(path)
        markdown = self._page_text(name, digest)
        if markdown is not None:
            self.used.add(name)
            self._sound.add(name)
        return markdown

    def _page_text(self, name: str, label: str) -> str | None:
        """A text kept in the folder as `name`.page under `label` (see store.seal_text)."""
        assert self.folder is not None
        try:
            return store.unseal_text((self.folder / f"{name}.page").read_bytes(), label)
        except OSError:
            return None

    def _keep_text(self, name: str, label: str, text: str) -> None:
        assert self.folder is not None
        try:
            store.write(self.folder, f"{name}.page", store.seal_text(label, text))
        except OSError:  # a cache that cannot be written is no error
            pass

    def keep_page(self, path: str, text: str, last: str | None) -> str:
        """Keep a page across plans (unless it is as the last build made it,
        `last` the digest noted then); its digest, to be noted."""
        digest = hashlib.sha256(text.encode("utf-8")).hexdigest()
        name = self._page_name(path)
        if self.folder is None:
            return digest
        self.used.add(name)
        if digest != last or (name not in self._sound and self._page_text(name, digest) is None):
            self._keep_text(name, digest, text)  # under the digest of its Markdown
        return digest

    def text(self, name: str, make: Callable[[], str]) -> str:
        """A text made from the code alone (the plan schema), kept with the records (made again with them)."""
        key = store.digest(self.common, "text", name)
        if self.folder is None:
            return make()
        self.used.add(key)
        kept = self._page_text(key, key)
        if kept is None:
            kept = make()
            self._keep_text(key, key, kept)
        return kept

    def get(self, key: str) -> Record | None:
        if self.folder is None:
            return None
        if key in _recent:
            self.used.add(key)
            return _recent[key]
        try:
            record = _load(key, (self.folder / f"{key}{SUFFIX}").read_bytes())
        except (OSError, ValueError):  # ValidationError and UnicodeDecodeError are ValueErrors
            return None
        if record is None:
            return None
        self.used.add(key)
        _recent[key] = record
        return record

    def put(self, key: str, record: Record) -> None:
        """Keep a record; a cache that cannot be written is no error."""
        if self.folder is None:
            return
        self.used.add(key)
        _recent[key] = record
        try:
            store.write(self.folder, f"{key}{SUFFIX}", _dump(key, record))
        except OSError:
            pass

    def prune(self) -> None:
        """Remove the records and pages this build did not use."""
        for key in _recent.keys() - self.used:
            del _recent[key]
        if self.folder is not None:
            store.prune(self.folder, {LAST} | {f"{key}{suffix}" for key in self.used for suffix in (SUFFIX, ".page", BLOCKS)})
