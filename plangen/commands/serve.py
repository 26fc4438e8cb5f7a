"""`plangen serve`: the site on a local port, rebuilt when a plan, a template
or the site config changes.

Each rebuild is a whole build, as `plangen build` with its cache makes one:
only the plans and the pages that changed are read and converted, the site
is brought up to date in a second copy and swapped in at once. Only a build
that succeeds replaces the files being served, so a broken plan or MkDocs
setting leaves the last good site up. The server's temporary folder is
removed on exit, also on SIGTERM.
"""

from __future__ import annotations

import shutil
import tempfile
import time
import traceback
from datetime import date
from pathlib import Path

from plangen.commands.build import build_site
from plangen.commands.pipeline import USER_TEMPLATES, Generated, generate
from plangen.commands.report import Progress, emit, say
from plangen.errors import PlangenError, plural
from plangen.project import DEFAULT_PLANS, DEFAULT_SITE_CONFIG
from plangen.site import engine
from plangen.site.writer import cache_folder


def run(paths: list[Path], site_config: Path | None, *, host: str, port: int, as_of: date | None,
        quiet: bool = False) -> int:
    sources = list(paths or [DEFAULT_PLANS]) + [site_config or DEFAULT_SITE_CONFIG, USER_TEMPLATES]
    folder = Path(tempfile.mkdtemp(prefix="plangen-serve-"))
    root = folder / "site"
    cache = cache_folder(root)

    def build() -> bool:
        progress = Progress(quiet=quiet)
        start = time.monotonic()
        try:
            result = generate(paths, site_config, as_of=as_of, offline=False, strict=False, progress=progress,
                              cache=cache / "plans", overlap=True)
            if not isinstance(result, Generated):
                progress.close()
                emit(result, "text")
                say("plangen: fix the errors above; still serving the last good version")
                return False
            outcome = build_site(result, root, cache_dir=cache, strict=False, progress=progress)
            progress.close()
            took = f"{time.monotonic() - start:.1f} s"
            pages = "; every page built by MkDocs" if outcome.converted is None else \
                f"; {plural(outcome.converted, 'page')} converted, the others kept"
            say(f"plangen: site built in {took}" if first else f"plangen: rebuilt in {took}{pages}")
            return True
        except PlangenError as exc:
            say(f"plangen: {exc.message}")
            say("plangen: still serving the last good version")
            return False
        except Exception:  # a bug: show it, keep serving the last good site
            traceback.print_exc()
            say("plangen: the rebuild failed (a bug, please report it); still serving the last good version")
            return False
        finally:
            progress.close()

    first = True
    try:
        if not build():
            return 1
        first = False
        say(f"plangen: serving on http://{host}:{port}/ (Ctrl+C to stop)")
        engine.serve(root, host=host, port=port, rebuild=build, watch=sources)
    finally:
        shutil.rmtree(folder, ignore_errors=True)
    return 0
