"""The plans as they were: each plan file's past versions in git, so that an
approval can be checked against the plan it approved (rule approval-stale)
and an audit can say what the plan said at each decision.

One `git log` of HEAD's first-parent line lists the commits that changed
the plan files, each with the day it was committed (in the committer's own
time zone); the version of a file on a day is the one the last of those
commits on or before that day left. `git cat-file --batch` reads the
versions needed; each is parsed and validated as a plan file is. Nothing in
the repository is changed. Without git, outside a work tree, in a shallow
clone, or for a file git does not track, there is no history: `open` says
why, once, and callers stay quiet.
"""

from __future__ import annotations

import hashlib
import os
import subprocess
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path

from plangen.load import load_bytes
from plangen.model.explain import validate
from plangen.model.plan import Plan


@dataclass(frozen=True)
class Version:
    """A plan file as one commit left it."""

    commit: str  # full hash
    day: date  # the day it was committed, in the committer's time zone
    sha256: str  # of the file's bytes
    plan: Plan | None  # None: that version was not a valid plan
    since: tuple[str, ...] = ()  # later commits that changed the file, oldest first


class History:
    """The first-parent commits that changed each plan file, newest first."""

    def __init__(self, root: Path, head: str, changes: dict[str, list[tuple[date, str]]]) -> None:
        self.root = root
        self.head = head  # the commit checked out
        self.changes = changes  # repository path -> [(day, commit)], newest first
        self._versions: dict[tuple[str, str], Version | None] = {}

    def path_of(self, file: Path) -> str | None:
        return _inside(self.root, file)

    def last(self, file: Path) -> str:
        """The last commit that changed the file ("" if none did)."""
        commits = self.changes.get(self.path_of(file) or "", [])
        return commits[0][1] if commits else ""

    def read(self, wanted: Sequence[tuple[Path, date]]) -> list[Version | None]:
        """Each file as it was at the end of its day, all read with one `git
        cat-file`; None where git has no version of it by then (the plan was
        committed later, or is not tracked)."""
        picks: list[tuple[str, str, date, tuple[str, ...]] | None] = []
        for file, day in wanted:
            path = self.path_of(file)
            commits = self.changes.get(path or "", [])
            at = next((i for i, (when, _) in enumerate(commits) if when <= day), None)
            if path is None or at is None:
                picks.append(None)
                continue
            later = tuple(commit for _, commit in reversed(commits[:at]))
            picks.append((path, commits[at][1], commits[at][0], later))
        missing = sorted({(p[0], p[1]) for p in picks if p is not None} - self._versions.keys())
        for (path, commit), blob in zip(missing, read_blobs(self.root, [f"{c}:{p}" for p, c in missing])):
            self._versions[path, commit] = None if blob is None else _version(path, commit, blob)
        out: list[Version | None] = []
        for pick in picks:
            found = self._versions.get((pick[0], pick[1])) if pick else None
            out.append(None if found is None or pick is None else
                       Version(found.commit, pick[2], found.sha256, found.plan, pick[3]))
        return out


def open_history(files: Iterable[Path]) -> History | str:
    """The history of the plan files, or why there is none."""
    files = [f for f in files if f.exists()]
    if not files:
        return "no plan files"
    where = files[0].resolve().parent
    try:
        top = _git(where, "rev-parse", "--show-toplevel")
    except FileNotFoundError:
        return "git is not installed"
    if top is None:
        return "the plans are not in a git repository"
    root = Path(top.decode("utf-8", "surrogateescape").strip())
    if (_git(root, "rev-parse", "--is-shallow-repository") or b"").strip() == b"true":
        return "this is a shallow clone (fetch the whole history, e.g. fetch-depth: 0, to check them)"
    head = _git(root, "rev-parse", "--verify", "--quiet", "HEAD")
    if head is None:
        return "the repository has no commits yet"
    paths = [rel for rel in (_inside(root, f) for f in files) if rel is not None]
    out = _git(root, "log", "--first-parent", "-z", "--name-only", "--no-renames", "--format=%H%x1f%cI",
               "HEAD", "--", *paths) if paths else b""
    changes: dict[str, list[tuple[date, str]]] = {}
    commit, day = "", date.min
    for token in (out or b"").split(b"\0"):
        text = token.decode("utf-8", "surrogateescape").lstrip("\n")
        if "\x1f" in text:
            commit, stamp = text.split("\x1f", 1)
            day = datetime.fromisoformat(stamp.strip()).date()
        elif text and commit:
            changes.setdefault(text, []).append((day, commit))
    return History(root, head.decode().strip(), changes)


def _inside(root: Path, file: Path) -> str | None:
    """The file's path in the repository at `root`, or None if it lies outside."""
    try:
        rel = Path(os.path.relpath(file.resolve(), root))
    except ValueError:  # another drive
        return None
    return None if rel.parts[:1] == ("..",) else rel.as_posix()


def _git(where: Path, *args: str, stdin: bytes | None = None) -> bytes | None:
    """A git command's output, or None when it fails (not a repository, no such object)."""
    done = subprocess.run(["git", "-C", str(where), *args], input=stdin, capture_output=True, check=False)
    return done.stdout if done.returncode == 0 else None


def read_blobs(root: Path, specs: list[str]) -> list[bytes | None]:
    """Objects' contents (`commit:path` or blob ids), in order, with one `git
    cat-file --batch` in `root`; None for one that is missing or not a file."""
    if not specs:
        return []
    out = _git(root, "cat-file", "--batch", stdin="".join(f"{s}\n" for s in specs).encode("utf-8", "surrogateescape"))
    blobs: list[bytes | None] = []
    pos = 0
    data = out or b""
    for _ in specs:
        end = data.index(b"\n", pos)
        header = data[pos:end].split()
        if len(header) != 3 or header[1] != b"blob":  # "<spec> missing", or not a file
            blobs.append(None)
            pos = end + 1
            continue
        size = int(header[2])
        blobs.append(data[end + 1:end + 1 + size])
        pos = end + 1 + size + 1
    return blobs


def _version(path: str, commit: str, blob: bytes) -> Version:
    name = f"{commit[:7]}:{path}"
    doc, _ = load_bytes(blob, name)
    plan = None
    if doc is not None:
        data = doc.data if doc.data.get("id") is not None else {**doc.data, "id": Path(path).stem}
        plan, _ = validate(doc, Plan, data)
    return Version(commit, date.min, hashlib.sha256(blob).hexdigest(), plan)
