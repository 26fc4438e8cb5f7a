"""What both of plangen's caches share: keys, the versions every key holds,
and writing an entry so that a reader sees a whole file or none.

Caches hold JSON (and HTML), never pickle: an entry is data, sealed with
its length and checksum (`seal`), checked when read, and a damaged one is a miss.
"""

from __future__ import annotations

import hashlib
import os
import secrets
import shutil
import sys
import tempfile
import zlib
from functools import lru_cache
from pathlib import Path
from typing import Any

import msgspec
from pydantic_core import PydanticSerializationError, to_json

IGNORE = "# plangen's cache: never commit it\n*\n"


def digest(*parts: bytes | str) -> str:
    """A key from several inputs (each length-prefixed, so no two splits collide)."""
    h = hashlib.sha256()
    for part in parts:
        data = part.encode("utf-8") if isinstance(part, str) else part
        h.update(len(data).to_bytes(8, "big"))
        h.update(data)
    return h.hexdigest()


_ENCODE = msgspec.json.Encoder().encode


def canonical(value: Any) -> bytes:
    """Compact JSON of a value made of plangen's views (dataclasses, tuples,
    strings, numbers), to key what is kept by what it was made from: by
    msgspec (a thousand plans' views in a quarter of pydantic's time, the
    same bytes), or pydantic for a type msgspec does not know. Raises
    TypeError or ValueError for a value neither can write."""
    try:
        return _ENCODE(value)
    except (TypeError, ValueError, msgspec.EncodeError):
        try:
            return to_json(value)
        except PydanticSerializationError as exc:
            raise TypeError(str(exc)) from None


def seal(body: bytes) -> bytes:
    """An entry's bytes after a line with their length and checksum: any
    damage to them is found when read. A CRC-32 and the length, not a
    cryptographic digest: the seal guards against damage, not forgery
    (whoever can write the cache can write the site), and a rebuild checks
    some 60 MB of entries at 1,000 plans (0.015 s, against 0.07 s for SHA-256)."""
    return b"crc32:%08x:%d\n" % (zlib.crc32(body), len(body)) + body


def unseal(data: bytes) -> bytes | None:
    """The bytes `seal` was given, or None when they are not as sealed."""
    line, _, body = data.partition(b"\n")
    if line != b"crc32:%08x:%d" % (zlib.crc32(body), len(body)):
        return None
    return body


def seal_text(label: str, text: str) -> bytes:
    """A text kept under `label` (a key or digest, on a line of its own before it), sealed."""
    return seal(label.encode("ascii") + b"\n" + text.encode("utf-8"))


def unseal_text(data: bytes, label: str) -> str | None:
    """The text `seal_text` kept under `label`, or None when it is not that, or damaged."""
    body = unseal(data)
    if body is None:
        return None
    kept, _, text = body.partition(b"\n")
    try:
        return text.decode("utf-8") if kept == label.encode("ascii") else None
    except UnicodeDecodeError:
        return None


@lru_cache(maxsize=1)
def versions() -> str:
    """Python's version, plangen's, and every installed distribution's: any
    of them (a Markdown extension, Jinja, the theme) may change the output.
    A distribution's metadata folder is named for its name and version
    (name-1.2.dist-info): the names are read, not the metadata (a
    fortieth of the time)."""
    from plangen import __version__

    installed = sorted({name for folder in sys.path if os.path.isdir(folder) for name in os.listdir(folder)
                        if name.endswith((".dist-info", ".egg-info"))})
    return " ".join([sys.version, f"plangen={__version__}", *installed])


def usable(folder: Path) -> bool:
    """A link in the cache's place could point the writes and the pruning anywhere: not used."""
    return not folder.is_symlink() and not (folder.exists() and not folder.is_dir())


def write(folder: Path, name: str, blob: bytes, same: str | None = None) -> Path:
    """Write one entry (the folder made, and told to git, on first use):
    `blob`, or a link to the file `same` that holds it, where the file
    system allows one (that file is then never written into: see place)."""
    if not (folder / ".gitignore").is_file():  # workers may get here at once: no error if another made it
        folder.mkdir(parents=True, exist_ok=True)
        (folder / ".gitignore").write_text(IGNORE, encoding="utf-8")
    if same is not None:
        tmp = os.path.join(folder, f".tmp-{os.getpid()}-{secrets.token_hex(8)}")
        try:
            os.link(same, tmp)
        except OSError:
            pass
        else:
            os.replace(tmp, folder / name)
            return folder / name
    fd, tmp = tempfile.mkstemp(dir=folder, prefix=".tmp-")
    with os.fdopen(fd, "wb") as handle:
        handle.write(blob)
        os.fchmod(fd, 0o666 & ~_umask())  # as open() would make it: a page linked into the site must be readable
    os.replace(tmp, folder / name)  # readers see a whole file or none
    return folder / name


@lru_cache(maxsize=1)
def _umask() -> int:
    mask = os.umask(0)  # the only way to read it is to set it
    os.umask(mask)
    return mask


def place(source: str | Path, dest: str | Path, blob: bytes | None) -> None:
    """Put an entry's bytes at `dest`: a hard link to the entry when the file
    system allows one (entries are replaced, never changed in place, so the
    page stays as it was), else a copy (of `blob`, or read from the entry).
    A `dest` that already is the entry is left alone; any other is replaced,
    never written into (it may be a link to another entry or site)."""
    try:
        if os.path.samestat(os.stat(source), os.lstat(dest)):
            return
        os.unlink(dest)
    except FileNotFoundError:
        pass
    try:
        os.link(source, dest)
    except OSError:
        Path(dest).write_bytes(blob if blob is not None else Path(source).read_bytes())


def prune(folder: Path, keep: set[str]) -> None:
    """Remove every file of `folder` not named in `keep` (and any folder in it)."""
    if not usable(folder) or not folder.is_dir():
        return
    with os.scandir(folder) as entries:  # the entry's type comes with its name: no stat each
        for entry in entries:
            if entry.is_dir(follow_symlinks=False):
                shutil.rmtree(entry.path, ignore_errors=True)
            elif entry.name != ".gitignore" and entry.name not in keep:
                try:
                    os.unlink(entry.path)
                except OSError:
                    pass
