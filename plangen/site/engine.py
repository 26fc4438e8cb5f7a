"""The one module that imports MkDocs: build and serve a generated docs folder.

Swapping the engine (Zensical, ProperDocs) means changing this file only.
"""

from __future__ import annotations

import logging
import os
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from markupsafe import Markup

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


def _progress_plugin(progress: Callable[[str, int, int], None]) -> Any:
    """A MkDocs plugin that reports each page as it is built."""
    from mkdocs.plugins import BasePlugin

    class Progress(BasePlugin):  # type: ignore[type-arg]
        total = done = 0

        def on_files(self, files: Any, **_: Any) -> Any:
            self.total = len(files.documentation_pages())
            return files

        def on_post_page(self, output: str, **_: Any) -> str:
            self.done += 1
            progress("building pages", self.done, self.total)
            return output

    return Progress()


def build(config_file: Path, site_dir: Path, *, strict: bool, epoch: int | None = None,
          progress: Callable[[str, int, int], None] | None = None) -> list[str]:
    """Build the site; returns MkDocs' warnings. With `strict`, any warning fails."""
    from mkdocs.commands.build import build as mkdocs_build
    from mkdocs.config import load_config
    from mkdocs.exceptions import Abort, ConfigurationError

    handler = _Collect()
    log = logging.getLogger("mkdocs")
    log.addHandler(handler)
    try:
        config = load_config(str(config_file.absolute()), site_dir=str(site_dir.absolute()), strict=strict)
        # plangen writes the site name HTML-escaped, because the theme prints
        # it raw in most places; marked as markup, the places that escape it
        # (the logo's title attribute) do not escape it twice.
        config["site_name"] = Markup(config["site_name"])
        if progress:
            config.plugins["plangen-progress"] = _progress_plugin(progress)
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


def serve(root: Path, *, host: str, port: int, rebuild: Callable[[], None], watch: list[Path]) -> None:
    """Serve the built site in `root` with live reload. When a file under
    `watch` changes, `rebuild` runs (it must not raise) and browsers reload.

    Unlike `mkdocs serve`, a failed rebuild never leaves requests waiting: the
    last good site stays in `root` and is served as it is.
    """
    from mkdocs.livereload import LiveReloadServer

    class Server(LiveReloadServer):
        request_queue_size = 256  # the listen backlog (socketserver's default is 5)
        poll_response_timeout = 10  # live-reload polls return within seconds...
        max_threads = 64  # ...and no more than this many requests are handled at once

        def __init__(self, *args: Any, **kwargs: Any) -> None:
            super().__init__(*args, **kwargs)
            self._slots = threading.BoundedSemaphore(self.max_threads)

        def process_request(self, request: Any, client_address: Any) -> None:
            self._slots.acquire()  # the next connection waits in the backlog
            try:
                super().process_request(request, client_address)
            except BaseException:
                self._slots.release()
                raise

        def process_request_thread(self, request: Any, client_address: Any) -> None:
            try:
                super().process_request_thread(request, client_address)
            finally:
                self._slots.release()

    server = Server(builder=rebuild, host=host, port=port, root=str(root))
    for path in watch:
        if path.exists():
            server.watch(str(path))
    try:
        server.serve()
    except KeyboardInterrupt:
        pass
    finally:
        server.shutdown()
