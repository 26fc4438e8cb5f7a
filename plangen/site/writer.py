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
import os
import shutil
import tempfile
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from pathlib import Path

from plangen.errors import PlangenError

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
    """Write files under `root` in a fixed order (deterministic)."""
    made: set[Path] = set()
    for rel in sorted(files):
        path = root / rel
        if path.parent not in made:  # once per folder: a thousand plan folders make this count
            path.parent.mkdir(parents=True, exist_ok=True)
            made.add(path.parent)
        data = files[rel]
        path.write_bytes(data.encode("utf-8") if isinstance(data, str) else data)


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


def publish(ready: Path, out: Path) -> None:
    """Put the finished folder `ready` in place of `out`, atomically."""
    (ready / MARKER).write_text("Written by plangen; the next build replaces this folder.\n", encoding="utf-8")
    out = out.absolute()
    with _folder_lock(out.parent):
        if not out.exists():
            os.rename(ready, out)
            return
        if _exchange(ready, out):
            shutil.rmtree(ready)  # now the old site
            return
        old = ready.parent / "old"  # inside the staging folder: swept if this process dies
        os.rename(out, old)
        os.rename(ready, out)
        shutil.rmtree(old, ignore_errors=True)


def sync_tree(root: Path, files: Mapping[str, bytes | str]) -> list[str]:
    """Make `root` hold exactly `files`, touching only what differs (for a
    live-reloading server that rebuilds on every write)."""
    changed = []
    for rel in sorted(files):
        data = files[rel]
        blob = data.encode("utf-8") if isinstance(data, str) else data
        path = root / rel
        if path.is_file() and path.read_bytes() == blob:
            continue
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(blob)
        changed.append(rel)
    wanted = {root / rel for rel in files}
    for path in sorted(root.rglob("*"), reverse=True):
        if path.is_file() and path not in wanted:
            path.unlink()
            changed.append(str(path.relative_to(root)))
    return changed
