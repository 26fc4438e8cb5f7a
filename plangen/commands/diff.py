"""`plangen diff BASE [HEAD]`: what changed in the plans, in reviewers' words.

BASE and HEAD are two files or folders, or else git revisions (HEAD omitted:
the working tree). A revision's plans/ and site_config/site.yaml are read
with `git ls-tree` and `git cat-file` into a temporary folder that is
removed afterwards; nothing in the repository is touched. Both sides are
analysed as of the same day, each with its own site config, and compared by
plan id.
"""

from __future__ import annotations

import dataclasses
import os
import subprocess
import tempfile
from dataclasses import dataclass
from datetime import date
from pathlib import Path, PurePosixPath

import click

from plangen.analysis.analyse import Analysis, analyse
from plangen.analysis.compare import PlanChanges, compare
from plangen.commands.pipeline import judge_day
from plangen.commands.report import dump_json, emit
from plangen.errors import Finding, PlangenError, plural, printable
from plangen.history import read_blobs
from plangen.project import DEFAULT_PLANS, DEFAULT_SITE_CONFIG, PLAN_SUFFIXES, SITE_FILE, Project, load_project
from plangen.render.escape import md_inline

WORKING_TREE = "the working tree"


@dataclass(frozen=True)
class Side:
    """One version of the plans, ready to load."""

    label: str  # as the user named it: a path, a revision, or the working tree
    root: Path  # file names are shown relative to it
    paths: tuple[Path, ...]  # nothing: this version has no plans
    site_config: Path | None
    revision: str | None = None  # file names in messages are rev:path

    def name(self, file: str) -> str:
        """A loaded file's name relative to this side's root, with / separators."""
        try:
            rel = Path(os.path.relpath(Path(file).absolute(), self.root.absolute())).as_posix()
        except ValueError:  # another drive on Windows
            return Path(file).as_posix()
        return Path(file).as_posix() if rel.startswith("..") else rel

    def where(self, file: str) -> str:
        """A file's name in a message: rev:path for a revision, else as loaded."""
        return f"{self.revision}:{self.name(file)}" if self.revision else file


def run(base: str, head: str | None, site_config: Path | None, fmt: str, as_of: date | None,
        exit_code: bool) -> int:
    day = judge_day(as_of)
    with tempfile.TemporaryDirectory(prefix="plangen-diff-") as tmp:
        sides = _resolve(base, head, site_config, Path(tmp))
        results = [_load(side, day) for side in sides]
        files = not _single_files(*sides)
    failed = False
    for side, (_, errors) in zip(sides, results):
        if errors:
            failed = True
            emit([dataclasses.replace(f, file=side.where(f.file)) for f in errors], "text")
            click.echo(f"plangen: {printable(side.label)}: {plural(len(errors), 'validation error')}; "
                       "fix them to compare", err=True)
    if failed:
        return 1
    (old, new), (a, _), (b, _) = sides, *results
    # Two plan files named on purpose differ in name: no "file renamed" line.
    changes = compare(a, b, base_file=old.name if files else None, head_file=new.name if files else None)
    count = sum(len(p.changes) for p in changes)
    if fmt == "json":
        click.echo(dump_json(_json(old, new, day, changes)))
    elif fmt == "markdown":
        click.echo(_markdown(old, new, day, changes), nl=False)
    elif changes:
        click.echo(_text(changes), nl=False)
    summary = (f"{plural(count, 'change')} in {plural(len(changes), 'plan')}" if count else "no changes")
    click.echo(f"plangen: {summary} from {printable(old.label)} to {printable(new.label)} (as of {day})", err=True)
    return 1 if exit_code and count else 0


def _single_files(old: Side, new: Side) -> bool:
    """Two plan files compared directly: their names differ on purpose."""
    return len(old.paths) == 1 == len(new.paths) and old.paths[0].is_file() and new.paths[0].is_file()


# -- what to compare -------------------------------------------------------------

def _resolve(base: str, head: str | None, site_config: Path | None, tmp: Path) -> tuple[Side, Side]:
    if head is not None:
        exists = [Path(x).exists() for x in (base, head)]
        if all(exists):
            return _path_side(Path(base), site_config), _path_side(Path(head), site_config)
        if any(exists):  # one path and one typo is a typo, not a revision
            present, missing = (base, head) if exists[0] else (head, base)
            raise PlangenError(f"{missing}: no such file or folder (and {present} is one)",
                               "give two files or folders, or two git revisions")
    git = _Git()
    old = git.side(base, tmp / "base", site_config)
    new = git.side(head, tmp / "head", site_config) if head is not None else _working_tree(site_config)
    return old, new


def _path_side(path: Path, site_config: Path | None) -> Side:
    """A plan file, a folder of plans, or a project folder (with plans/)."""
    if path.is_dir() and (path / DEFAULT_PLANS).is_dir():
        own = path / DEFAULT_SITE_CONFIG
        return Side(str(path), path, (path / DEFAULT_PLANS,),
                    site_config or (own if (own / SITE_FILE).is_file() else None))
    return Side(str(path), path.parent if path.is_file() else path, (path,), site_config)


def _working_tree(site_config: Path | None) -> Side:
    plans = DEFAULT_PLANS
    return Side(WORKING_TREE, Path.cwd(), (plans,) if _has_plans(plans) else (), site_config)


def _has_plans(folder: Path) -> bool:
    """Whether a plans folder holds any plan file (links are not followed)."""
    if not folder.is_dir() or folder.is_symlink():
        return False
    for _, _, names in os.walk(folder):
        if any(Path(n).suffix in PLAN_SUFFIXES and n != SITE_FILE for n in names):
            return True
    return False


class _Git:
    """The few git commands diff needs, run as subprocesses."""

    def __init__(self) -> None:
        out = self._git("rev-parse", "--is-inside-work-tree", what="")
        if out.strip() != b"true":
            raise self._not_a_repo()

    @staticmethod
    def _not_a_repo() -> PlangenError:
        return PlangenError(
            "not inside a git repository, so BASE and HEAD cannot be read as revisions",
            "give two existing files or folders to compare, or run plangen in a git work tree",
        )

    def _git(self, *args: str, what: str) -> bytes:
        try:
            done = subprocess.run(["git", *args], capture_output=True, check=False)
        except FileNotFoundError:
            raise PlangenError("git is not installed, so BASE and HEAD cannot be read as revisions",
                               "install git, or give two existing files or folders to compare") from None
        if done.returncode != 0:
            if not what:
                raise self._not_a_repo()
            message = done.stderr.decode("utf-8", "replace").strip().splitlines()
            raise PlangenError(f"git could not read {what}" + (f": {message[-1]}" if message else ""))
        return done.stdout

    def side(self, revision: str, dest: Path, site_config: Path | None) -> Side:
        if not revision or revision.startswith("-"):
            raise PlangenError(f"{revision!r} is not a revision", "name a commit, branch or tag, e.g. main or HEAD~1")
        try:
            commit = self._git("rev-parse", "--verify", "--quiet", "--end-of-options", f"{revision}^{{commit}}",
                               what=revision).decode().strip()
        except PlangenError:
            raise PlangenError(
                f"unknown revision {revision!r} (and no file or folder of that name)",
                "name a commit, branch or tag (git log --oneline lists them), or two existing files or folders",
            ) from None
        listing = self._git("ls-tree", "-r", "-z", commit, "--", str(DEFAULT_PLANS), str(DEFAULT_SITE_CONFIG),
                            what=f"the plans of {revision}")
        entries = []
        for record in listing.split(b"\0"):
            if not record:
                continue
            meta, _, name = record.partition(b"\t")
            mode, kind, oid = meta.split()
            path = PurePosixPath(os.fsdecode(name))
            wanted = (path.parts[0] == str(DEFAULT_PLANS) and path.suffix in PLAN_SUFFIXES) or (
                path == PurePosixPath(str(DEFAULT_SITE_CONFIG), SITE_FILE))
            if wanted and kind == b"blob" and ".." not in path.parts and not path.is_absolute():
                entries.append((mode, oid, path))
        blobs = self._read([oid for _, oid, _ in entries], revision)
        for (mode, _, path), data in zip(entries, blobs):
            target = dest.joinpath(*path.parts)
            target.parent.mkdir(parents=True, exist_ok=True)
            if mode == b"120000":  # a link stays a link: the loader refuses it, as in a work tree
                os.symlink(os.fsdecode(data), target)
            else:
                target.write_bytes(data)
        plans = dest / DEFAULT_PLANS
        own = dest / DEFAULT_SITE_CONFIG
        return Side(revision, dest, (plans,) if _has_plans(plans) else (),
                    site_config or (own if (own / SITE_FILE).is_file() else None), revision=revision)

    def _read(self, oids: list[bytes], revision: str) -> list[bytes]:
        """Blob contents, in order, with one `git cat-file --batch`."""
        blobs = read_blobs(Path.cwd(), [oid.decode("ascii") for oid in oids])
        if any(blob is None for blob in blobs):
            raise PlangenError(f"git could not read the plans of {revision}")
        return [blob for blob in blobs if blob is not None]


# -- loading ---------------------------------------------------------------------

def _load(side: Side, day: date) -> tuple[Analysis, list[Finding]]:
    if not side.paths:  # this version has no plans yet, or no longer
        return Analysis(Project((), None, None, (), 0), day, ()), []
    project = load_project(list(side.paths), side.site_config)
    return analyse(project, day), [f for f in project.findings if f.severity == "error"]


# -- output ----------------------------------------------------------------------

def _text(changes: tuple[PlanChanges, ...]) -> str:
    blocks = []
    for p in changes:
        lines = [f"{p.plan} ({printable(p.file)})"]
        lines += [f"  {printable(c.text)}" for c in p.changes]
        blocks.append("\n".join(lines) + "\n")
    return "\n".join(blocks)


def _markdown(old: Side, new: Side, day: date, changes: tuple[PlanChanges, ...]) -> str:
    def md(text: str) -> str:
        return md_inline(printable(text))

    count = sum(len(p.changes) for p in changes)
    out = ["## Deployment plan changes", ""]
    if not changes:
        out.append(f"No changes from {md(old.label)} to {md(new.label)} (as of {day}).")
        return "\n".join(out) + "\n"
    out.append(f"{plural(count, 'change')} in {plural(len(changes), 'plan')} from {md(old.label)} to "
               f"{md(new.label)}, as of {day}.")
    for p in changes:
        out += ["", f"### {md(p.plan)}: {md(p.title)}", "", f"File: {md(p.file)}", ""]
        out += [f"- {md(c.text)}" for c in p.changes]
    return "\n".join(out) + "\n"


def _json(old: Side, new: Side, day: date, changes: tuple[PlanChanges, ...]) -> dict[str, object]:
    return {
        "as_of": day.isoformat(),
        "base": old.label,
        "head": new.label,
        "plans": [
            {"id": p.plan, "title": p.title, "file": p.file, "changes": [dataclasses.asdict(c) for c in p.changes]}
            for p in changes
        ],
    }
