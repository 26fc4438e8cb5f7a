"""The one module that imports MkDocs: build and serve a generated docs folder.

Swapping the engine (Zensical, ProperDocs) means changing this file only.
"""

from __future__ import annotations

import logging
import os
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from plangen.errors import PlangenError


class _Collect(logging.Handler):
    def __init__(self) -> None:
        super().__init__(logging.WARNING)
        self.messages: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.messages.append(record.getMessage())


@contextmanager
def _source_date(epoch: int | None) -> Iterator[None]:
    """MkDocs dates the sitemap with SOURCE_DATE_EPOCH: pin it for this build
    only (an explicit setting by the user wins)."""
    if epoch is None or "SOURCE_DATE_EPOCH" in os.environ:
        yield
        return
    os.environ["SOURCE_DATE_EPOCH"] = str(epoch)
    try:
        yield
    finally:
        del os.environ["SOURCE_DATE_EPOCH"]


def build(config_file: Path, site_dir: Path, *, strict: bool, epoch: int | None = None) -> list[str]:
    """Build the site; returns MkDocs' warnings. With `strict`, any warning fails."""
    from mkdocs.commands.build import build as mkdocs_build
    from mkdocs.config import load_config
    from mkdocs.exceptions import Abort, ConfigurationError

    handler = _Collect()
    log = logging.getLogger("mkdocs")
    log.addHandler(handler)
    try:
        config = load_config(str(config_file.absolute()), site_dir=str(site_dir.absolute()), strict=strict)
        config.plugins.on_startup(command="build", dirty=False)
        try:
            with _source_date(epoch):
                mkdocs_build(config)
        finally:
            config.plugins.on_shutdown()
    except (Abort, ConfigurationError) as exc:
        details = "\n".join(f"  {m}" for m in handler.messages)
        raise PlangenError(f"MkDocs could not build the site: {exc}" + (f"\n{details}" if details else ""),
                           "the messages above name the page and the problem") from None
    finally:
        log.removeHandler(handler)
    return handler.messages


def serve(config_file: Path, *, host: str, port: int) -> None:
    """MkDocs' live-reloading server over a generated docs folder: when plangen
    rewrites a page there, MkDocs rebuilds and the browser reloads."""
    from mkdocs.commands.serve import serve as mkdocs_serve

    mkdocs_serve(str(config_file), livereload=True, dev_addr=f"{host}:{port}")
