"""`plangen serve`: the site on a local port, rebuilt when a plan, a template
or the site config changes.

Each rebuild is a whole build (render, then MkDocs) into a staging folder,
which reads only the plans and converts only the pages that changed (the
cache); only a build that succeeds replaces the files being served, so a
broken plan or MkDocs setting leaves the last good site up. The server's temporary
folder is removed on exit, also on SIGTERM.
"""

from __future__ import annotations

import shutil
import tempfile
import time
import traceback
from datetime import date
from pathlib import Path

from plangen.commands.pipeline import USER_TEMPLATES, Generated, generate
from plangen.commands.report import Progress, emit, say
from plangen.errors import PlangenError
from plangen.project import DEFAULT_PLANS, DEFAULT_SITE_CONFIG
from plangen.site import engine
from plangen.site.writer import sync_tree, write_tree


def _files(folder: Path) -> dict[str, bytes | str]:
    return {p.relative_to(folder).as_posix(): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


def run(paths: list[Path], site_config: Path | None, *, host: str, port: int, as_of: date | None,
        quiet: bool = False) -> int:
    sources = list(paths or [DEFAULT_PLANS]) + [site_config or DEFAULT_SITE_CONFIG, USER_TEMPLATES]
    folder = Path(tempfile.mkdtemp(prefix="plangen-serve-"))
    root = folder / "site"
    root.mkdir()

    def build() -> bool:
        stage = Path(tempfile.mkdtemp(prefix="build-", dir=folder))
        progress = Progress(quiet=quiet)
        start = time.monotonic()
        try:
            result = generate(paths, site_config, as_of=as_of, offline=False, strict=False, progress=progress,
                              cache=folder / "cache" / "plans")
            if not isinstance(result, Generated):
                progress.close()
                emit(result, "text")
                say("plangen: fix the errors above; still serving the last good version")
                return False
            write_tree(stage / "src", result.files)
            engine.build(stage / "src" / "mkdocs.yml", stage / "site", strict=False, cache=folder / "cache" / "pages",
                         progress=progress)
            progress.close()
            changed = sync_tree(root, _files(stage / "site"))
            took = f"{time.monotonic() - start:.1f} s"
            say(f"plangen: site built in {took}" if first else
                f"plangen: rebuilt in {took}; {len(changed)} file(s) of the site changed")
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
            shutil.rmtree(stage, ignore_errors=True)

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
