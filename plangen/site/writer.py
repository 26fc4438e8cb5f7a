"""The only module that writes files: the generated docs folder and the
published site, both replaced atomically and never half-written.

Output folders are guarded: plangen refuses to write into `/`, the home
folder, the project itself, the plans folder, a symlink, or a non-empty folder
it did not create (it marks its own with a marker file).
"""

from __future__ import annotations

import ctypes
import ctypes.util
import fcntl
import glob
import json
import os
import shutil
import stat
import tempfile
import time
from collections.abc import Collection, Iterator, Mapping
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from pathlib import Path

from plangen.errors import PlangenError
from plangen.workers import cores, split
from plangen.site import store

MARKER = ".plangen-output"


def check_output(out: Path, *, protected: list[Path], inside: list[Path] | None = None) -> None:
    """Refuse an output folder whose replacement could destroy something else:
    one that is or holds a `protected` folder, or lies `inside` one."""
    if out.is_symlink():
        raise PlangenError(f"{out} is a symbolic link; plangen does not write through links",
                           "give the real folder, or a new one")
    target = out.resolve()
    home = Path.home().resolve()
    if target == Path(target.anchor) or target == home:
        raise PlangenError(f"refusing to replace {target}", "choose a folder of its own, e.g. --out site")
    for keep in protected:  # the project folder, plans, site config, templates
        keep = keep.resolve()
        if target == keep or keep.is_relative_to(target):
            raise PlangenError(f"refusing to replace {out}: it is or holds {keep}",
                               "choose a folder of its own, e.g. --out site")
    for keep in inside or []:  # the sources: nothing is written into them
        keep = keep.resolve()
        if target.is_relative_to(keep):
            raise PlangenError(f"refusing to write {out}: it is inside {keep}",
                               "choose a folder outside the plans, site config and templates, e.g. --out site")
    if target.exists() and not target.is_dir():
        raise PlangenError(f"{out} is a file, not a folder", "choose a folder, e.g. --out site")
    if target.is_dir() and any(target.iterdir()) and not (target / MARKER).exists():
        raise PlangenError(
            f"{out} is not empty and plangen did not create it",
            f"choose another folder, or empty it yourself (plangen marks its own with {MARKER})",
        )


def write_tree(root: Path, files: Mapping[str, bytes | str]) -> None:
    """Write files under `root`: the same bytes whatever the order. Making a
    file costs about a millisecond on a container's disk, mostly waiting on
    the file system, so the files are written by as many threads as cores
    (3,000 pages: 3.0 s -> 2.0 s on two cores)."""
    base = os.fspath(root)

    def write(rels: list[str]) -> None:
        made: set[str] = set()
        for rel in rels:
            path = os.path.join(base, rel)
            folder = os.path.dirname(path)
            if folder not in made:  # once per folder: a thousand plan folders make this count
                os.makedirs(folder, exist_ok=True)
                made.add(folder)
            data = files[rel]
            with open(path, "wb") as handle:
                handle.write(data.encode("utf-8") if isinstance(data, str) else data)

    runs = split(sorted(files), min(cores(), max(1, len(files) // 100)))
    if len(runs) <= 1:
        write(runs[0] if runs else [])
        return
    with ThreadPoolExecutor(len(runs)) as pool:
        for done in [pool.submit(write, run) for run in runs]:
            done.result()  # the first error (a full disk) is raised here


STAGE = ".plangen-"  # ".site.plangen-XXXX": a build in progress beside `site`
CACHE = f"{STAGE}cache"  # ".site.plangen-cache": plans' shares and built pages, kept for the next build


def cache_folder(out: Path) -> Path:
    return out.absolute().parent / f".{out.name}{CACHE}"


@contextmanager
def _locked(fd: int, *, wait: bool = True) -> Iterator[bool]:
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | (0 if wait else fcntl.LOCK_NB))
    except BlockingIOError:
        yield False
        return
    try:
        yield True
    finally:
        fcntl.flock(fd, fcntl.LOCK_UN)


@contextmanager
def _folder_lock(folder: Path) -> Iterator[None]:
    """One publisher at a time per parent folder. The lock is held on the
    folder itself: no lock file to truncate, follow or leave behind."""
    fd = os.open(folder, os.O_RDONLY | os.O_DIRECTORY | os.O_CLOEXEC)
    try:
        with _locked(fd):
            yield
    finally:
        os.close(fd)


def _sweep(out: Path) -> None:
    """Remove what builds killed before they could clean up left beside `out`
    (kill -9, a power cut): staging folders no live build holds a lock on."""
    for path in out.parent.glob(f".{glob.escape(out.name)}{STAGE}*"):
        if path.name == f".{out.name}{CACHE}":
            continue
        if path.name == f".{out.name}{STAGE}lock" and path.is_file() and not path.is_symlink():
            path.unlink()  # the lock file of earlier versions
            continue
        if path.is_symlink() or not path.is_dir():
            continue
        try:
            fd = os.open(path, os.O_RDONLY | os.O_DIRECTORY | os.O_NOFOLLOW | os.O_CLOEXEC)
        except OSError:
            continue
        try:
            with _locked(fd, wait=False) as free:
                if free:
                    shutil.rmtree(path, ignore_errors=True)
        finally:
            os.close(fd)


@contextmanager
def staging(out: Path) -> Iterator[Path]:
    """A temporary folder beside `out` (same file system, so the swap is a
    rename); removed whatever happens. It stays locked while it lives, so a
    later build can tell it from the leftovers of a killed one and sweep those."""
    out = out.absolute()  # tools resolve relative paths against their own folders
    out.parent.mkdir(parents=True, exist_ok=True)
    with _folder_lock(out.parent):
        _sweep(out)
        stage = Path(tempfile.mkdtemp(prefix=f".{out.name}{STAGE}", dir=out.parent))
        fd = os.open(stage, os.O_RDONLY | os.O_DIRECTORY | os.O_CLOEXEC)
        fcntl.flock(fd, fcntl.LOCK_EX)
    try:
        yield stage
    finally:
        shutil.rmtree(stage, ignore_errors=True)
        os.close(fd)


def _exchange(a: Path, b: Path) -> bool:
    """Swap two paths in one step (Linux renameat2 RENAME_EXCHANGE)."""
    libc_name = ctypes.util.find_library("c")
    if not libc_name:
        return False
    libc = ctypes.CDLL(libc_name, use_errno=True)
    renameat2 = getattr(libc, "renameat2", None)
    if renameat2 is None:
        return False
    at_fdcwd, rename_exchange = -100, 2
    return renameat2(at_fdcwd, os.fsencode(a), at_fdcwd, os.fsencode(b), rename_exchange) == 0


def publish(ready: Path, out: Path, *, keep_old: bool = False) -> None:
    """Put the finished folder `ready` in place of `out`, atomically. With
    `keep_old`, the site it replaces is left at `ready` (for the next build
    to bring up to date), else removed."""
    (ready / MARKER).write_text("Written by plangen; the next build replaces this folder.\n", encoding="utf-8")
    out = out.absolute()
    with _folder_lock(out.parent):
        if not out.exists():
            os.rename(ready, out)
            return
        if _exchange(ready, out):
            if not keep_old:
                shutil.rmtree(ready)  # now the old site
            return
        old = ready.parent / f".{ready.name}.old"  # beside `ready`: swept (staging) or started afresh (workspace)
        os.rename(out, old)
        os.rename(ready, out)
        if keep_old:
            os.rename(old, ready)
        else:
            shutil.rmtree(old, ignore_errors=True)


@contextmanager
def holding(cache: Path | None) -> Iterator[None]:
    """One build at a time per cache (None: no cache, nothing to hold): its
    records say what the build that wrote them checked, which holds only
    while no other build writes them meanwhile (see records.Last)."""
    try:
        if cache is None:
            raise FileNotFoundError
        cache.mkdir(parents=True, exist_ok=True)
        fd = os.open(cache, os.O_RDONLY | os.O_DIRECTORY | os.O_NOFOLLOW | os.O_CLOEXEC)
    except OSError:  # no cache, or none can be made: nothing is kept for another build to read
        yield
        return
    try:
        with _locked(fd):
            yield
    finally:
        os.close(fd)


WORK = "build"  # in the cache folder: the Markdown and the site before last, brought up to date in place
BUSY = ".building"  # in WORK while a build changes it
SYNCED = "src.synced"  # in WORK: what sync_tree found in src (see sync_tree's `known`)


@contextmanager
def workspace(out: Path, cache: Path) -> Iterator[tuple[Path, Path]]:
    """The folders a build with a cache writes: `src`, the Markdown of the
    last build, and `site`, the site the last build replaced (see publish's
    keep_old). Both are brought up to date in place, touching only what
    changed, instead of a thousand folders made and removed per build. One
    build at a time holds them; a mark says one is changing them, so the
    folders of a build that died half-way are started afresh, never
    published. The published site itself is never written to."""
    out = out.absolute()
    out.parent.mkdir(parents=True, exist_ok=True)
    with _folder_lock(out.parent):
        _sweep(out)  # what builds without a cache left when killed
    work = cache / WORK  # the caller checked it is no link (store.usable)
    work.mkdir(parents=True, exist_ok=True)
    if not (work / ".gitignore").is_file():
        (work / ".gitignore").write_text(store.IGNORE, encoding="utf-8")
    fd = os.open(work, os.O_RDONLY | os.O_DIRECTORY | os.O_NOFOLLOW | os.O_CLOEXEC)
    try:
        with _locked(fd):
            busy = work / BUSY
            if busy.exists() or any(p.is_symlink() for p in (work / "src", work / "site")):
                for name in ("src", "site", ".site.old", SYNCED):
                    path = work / name
                    if path.is_symlink() or path.is_file():
                        path.unlink()
                    elif path.is_dir():
                        shutil.rmtree(path)
            busy.write_bytes(b"")
            yield work / "src", work / "site"
            busy.unlink()  # not reached when the build fails: its folders are started afresh next time
    finally:
        os.close(fd)


def sync_tree(root: Path, files: Mapping[str, bytes | str], *, later: Collection[str] = (),
              only: Collection[str] | None = None, known: Mapping[str, str] | None = None,
              note: Path | None = None) -> None:
    """Make `root` hold exactly `files`, touching only what differs (a file
    is compared whole, then replaced). The files at `later` (relative
    paths, to be written later) are left as they are, or made empty. With
    `only`, just those paths are brought up to date (the `later` ones).
    With `known` (the SHA-256 of some of `files`) and a `note` of what an
    earlier call found, a known file the note says holds those bytes, and
    that has not changed since (the same inode, size and time), is not read
    to compare (a thousand plans' kept pages are 23 MB)."""
    made: set[str] = set()
    base = os.fspath(root)
    for rel in (*files, *later, *(only or ())):
        inside = os.path.normpath(os.path.join(base, rel))
        if os.path.isabs(rel) or not inside.startswith(os.path.normpath(base) + os.sep):
            raise PlangenError(f"refusing to write {rel!r} outside {base}", "this is a bug; please report it")
    known = known or {}
    noted = _noted(note) if note is not None else {}
    found: dict[str, list[int | str]] = {}
    for rel in sorted(files):
        path = os.path.join(base, rel)
        digest = known.get(rel)
        if digest is not None and (seen := noted.get(rel)) is not None and seen == [*_file_stat(path), digest]:
            found[rel] = seen
            continue
        data = files[rel]
        _write_if_changed(path, data.encode("utf-8") if isinstance(data, str) else data, made)
        if digest is not None:
            found[rel] = [*_file_stat(path), digest]
    if only is not None:
        for rel in set(only) - set(files):
            path = os.path.join(base, rel)
            if os.path.lexists(path) and not os.path.isdir(path):
                os.unlink(path)
        return
    for rel in sorted(later):
        path = os.path.join(base, rel)
        if not os.path.isfile(path) or os.path.islink(path):  # so that MkDocs finds it there before it comes
            _write_if_changed(path, b"", made)
    remove_except(base, {os.path.join(base, rel) for rel in (*files, *later)})
    if note is not None:
        _keep_note(note, found)


# A file written less than this before the note is not noted: a change made
# within the same tick of the file system's clock would leave its time as it
# was (compared next time instead, as git does with its index).
_SETTLED_NS = 2_000_000_000


def _file_stat(path: str) -> list[int]:
    """A regular file's inode, size and time ([] for anything else: never matches a note)."""
    try:
        info = os.lstat(path)
    except OSError:
        return []
    return [info.st_ino, info.st_size, info.st_mtime_ns] if stat.S_ISREG(info.st_mode) else []


def _noted(note: Path) -> dict[str, list[int | str]]:
    try:
        data = json.loads(note.read_bytes())
    except (OSError, ValueError, RecursionError):
        return {}
    if not isinstance(data, dict):
        return {}
    return {rel: entry for rel, entry in data.items() if isinstance(entry, list) and len(entry) == 4
            and all(type(v) is int for v in entry[:3]) and isinstance(entry[3], str)}


def _keep_note(note: Path, found: Mapping[str, list[int | str]]) -> None:
    settled = time.time_ns() - _SETTLED_NS
    kept = {rel: entry for rel, entry in found.items() if len(entry) == 4 and int(entry[2]) < settled}
    try:
        store.write(note.parent, note.name, json.dumps(kept, separators=(",", ":")).encode("utf-8"))
    except OSError:  # a note not written: the one before still names each file's inode, size and time
        pass


def _write_if_changed(path: str, blob: bytes, made: set[str]) -> None:
    if os.path.islink(path):
        os.unlink(path)  # never followed
    try:
        with open(path, "rb") as handle:
            if handle.read(len(blob) + 1) == blob:
                return
    except (FileNotFoundError, NotADirectoryError, IsADirectoryError):
        pass
    folder = os.path.dirname(path)
    if folder not in made:
        os.makedirs(folder, exist_ok=True)
        made.add(folder)
    if os.path.isdir(path):
        shutil.rmtree(path)
    with open(path, "wb") as handle:
        handle.write(blob)


def remove_except(root: str, keep: set[str]) -> None:
    """Remove from `root` every file not in `keep` (normalised paths), every
    link to a folder, and the folders left empty."""
    left: dict[str, int] = {}  # what each folder walked still holds (the walk is bottom-up: no listing again)
    for folder, dirs, names in os.walk(root, topdown=False):
        count = 0
        for name in names:
            path = os.path.join(folder, name)
            if path not in keep:
                os.unlink(path)
            else:
                count += 1
        for name in dirs:
            path = os.path.join(folder, name)
            if os.path.islink(path):
                os.unlink(path)
            elif left.get(path) == 0:  # (a folder the walk could not read is left as it is)
                os.rmdir(path)
            else:
                count += 1
        left[folder] = count
