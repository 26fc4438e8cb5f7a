"""Each plan's share of the site, kept beside it for the next build: its part
of the pages across plans, its own pages' Markdown, its plans.json entry and
calendar events, and its findings.

A record is found by a key that hashes everything it was made from: the
plan file's bytes, name and folder; the site config, the user's templates
and mkdocs.yml; the build date and flags; plangen's code and every installed
distribution. A plan's pages also show what it reads from other plans (a
dependency's status, a related plan's title): a record names those plans
with their files' digests and is used only while they are unchanged.
Records are JSON checked against their types when read; a damaged or
foreign one is a miss. Like the page cache, trusted as much as the site.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Literal

from pydantic import TypeAdapter, ValidationError

from plangen import store
from plangen.errors import Finding
from plangen.resources import builtin
from plangen.views.parts import PlanPart

FORMAT = "plangen plan record 1"


@dataclass(frozen=True)
class Record:
    part: PlanPart
    reads: tuple[tuple[str, str], ...]  # (plan id, digest of its file) of each plan this one reads
    warnings: tuple[Finding, ...]  # the file's validation warnings
    findings: tuple[Finding, ...]  # readiness findings, as lint gives them
    pages: tuple[tuple[str, str], ...]  # docs path, Markdown: the plan page and its runbook
    entry: str  # its entry of plans.json
    events: tuple[str, ...]  # its lines of calendar.ics


@dataclass(frozen=True)
class _Entry:
    format: Literal["plangen plan record 1"]
    key: str
    record: Record


_ENTRY = TypeAdapter(_Entry)


def file_digest(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


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

    def key(self, file: str, group: str, digest: str) -> str:
        return store.digest(self.common, file, group, digest)

    def get(self, key: str) -> Record | None:
        if self.folder is None:
            return None
        try:
            entry = _ENTRY.validate_json((self.folder / f"{key}.json").read_bytes())
        except (OSError, ValueError, ValidationError):
            return None
        if entry.key != key:
            return None
        self.used.add(key)
        return entry.record

    def put(self, key: str, record: Record) -> None:
        """Keep a record; a cache that cannot be written is no error."""
        if self.folder is None:
            return
        self.used.add(key)
        try:
            store.write(self.folder, f"{key}.json", _ENTRY.dump_json(_Entry(FORMAT, key, record)))
        except OSError:
            pass

    def prune(self) -> None:
        """Remove the records this build did not use."""
        if self.folder is not None:
            store.prune(self.folder, {f"{key}.json" for key in self.used})
