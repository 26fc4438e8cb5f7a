"""The blocks of the pages across plans kept from the build before (see
render/keep.py for the tag that makes them). The blocks of a page are kept
in one file, found by the page's path and a salt (the code, settings and
Markdown extensions they were made with), sealed (store.seal) so that a
damaged or foreign one is a miss; a block in it is found by its place in
its template and its values as JSON.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from plangen.site import store

SUFFIX = ".blocks"


class Blocks:
    """The kept blocks of the pages across plans, in `folder`; `salt` holds
    the settings and code they were made with. One page at a time is
    rendered (see `page`)."""

    def __init__(self, folder: Path, salt: str) -> None:
        self.folder, self.salt = folder, salt
        self._old: dict[str, str] = {}
        self._new: list[tuple[str, str]] | None = None
        self._path = ""
        self._read = False

    def name(self, path: str) -> str:
        """The key of a page's file (without SUFFIX)."""
        return store.digest(self.salt, "blocks", path)

    @contextmanager
    def page(self, path: str) -> Iterator[None]:
        """Render one page's blocks; they are kept when it rendered without error."""
        self._path, self._old, self._new, self._read = path, {}, [], False
        try:
            yield
        except BaseException:
            self._new = None
            raise
        self._finish()

    def _kept(self) -> dict[str, str]:
        """The page's blocks as the build before kept them, read at its first block."""
        if not self._read:
            self._read = True
            try:
                self._old = _load((self.folder / f"{self.name(self._path)}{SUFFIX}").read_bytes())
            except (OSError, ValueError, RecursionError):  # a damaged or foreign file is a miss
                pass
        return self._old

    def block(self, where: str, values: list[Any], body: Callable[[], str]) -> str:
        if self._new is None:  # not within a page of ours
            return body()
        try:
            key = store.digest(where, self._path, store.canonical(values))  # the path too: links are relative to it
        except (ValueError, TypeError):
            return body()
        text = self._kept().get(key)
        if text is None:
            text = body()
        self._new.append((key, text))
        return text

    def _finish(self) -> None:
        """Keep the page's blocks when they changed; a cache that cannot be written is no error."""
        new, self._new = self._new, None
        if not new or [key for key, _ in new] == list(self._old):
            return
        try:
            store.write(self.folder, f"{self.name(self._path)}{SUFFIX}", _dump(new))
        except OSError:
            pass


def _dump(blocks: list[tuple[str, str]]) -> bytes:
    texts = [text.encode("utf-8") for _, text in blocks]
    head = json.dumps([[key, len(text)] for (key, _), text in zip(blocks, texts)], separators=(",", ":"))
    return store.seal(head.encode("ascii") + b"\n" + b"".join(texts))


def _load(data: bytes) -> dict[str, str]:
    body = store.unseal(data)
    if body is None:
        return {}
    first, _, rest = body.partition(b"\n")
    head = json.loads(first)
    if not (isinstance(head, list) and all(isinstance(entry, list) and len(entry) == 2 and isinstance(entry[0], str)
                                           and isinstance(entry[1], int) and entry[1] >= 0 for entry in head)
            and sum(size for _, size in head) == len(rest)):
        return {}
    out, at = {}, 0
    for key, size in head:
        out[key] = rest[at:at + size].decode("utf-8")
        at += size
    return out
