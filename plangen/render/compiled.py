"""Compiled templates kept per user, as Python keeps its bytecode."""

from __future__ import annotations

import os

from jinja2 import FileSystemBytecodeCache
from jinja2 import __version__ as JINJA
from jinja2.bccache import Bucket

from plangen.resources import cache_dir


class _Compiled(FileSystemBytecodeCache):
    """Jinja's file cache, where an entry that cannot be read or written is
    left aside (compiled again) instead of failing the build."""

    def load_bytecode(self, bucket: Bucket) -> None:
        try:
            super().load_bytecode(bucket)
        except Exception:  # damaged: Jinja reads a pickled checksum, then marshal data
            bucket.reset()

    def dump_bytecode(self, bucket: Bucket) -> None:
        try:
            super().dump_bytecode(bucket)
        except OSError:
            pass


def template_cache(kind: str, *versions: str) -> FileSystemBytecodeCache | None:
    """Compiled templates of one kind of environment ("plangen", "theme"),
    kept per user, so a build does not compile the same templates again
    (half a second of every rebuild). Jinja checks each entry against its
    template's source and the Python version, and compiles again what does
    not match or does not load. The folder is named for Jinja's version and
    `versions`, since what compiled code may call changes with them. None
    where no cache folder can be made (a read-only home) or the folder is
    someone else's (its code would run here): templates are then compiled
    on every run."""
    folder = cache_dir() / "templates" / "-".join((kind, JINJA, *versions))
    try:
        folder.mkdir(parents=True, exist_ok=True, mode=0o700)
        if hasattr(os, "getuid") and folder.stat().st_uid != os.getuid():
            return None
    except OSError:
        return None
    return _Compiled(str(folder))
