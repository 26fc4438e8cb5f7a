"""`plangen serve`: the site on a local port, rebuilt when a plan, a template
or the site config changes.

plangen renders the docs folder into a temporary place and MkDocs serves it
with live reload; a watcher re-renders when the sources change and rewrites
only the pages that differ, which MkDocs then picks up.
"""

from __future__ import annotations

import tempfile
import threading
import time
from datetime import date
from pathlib import Path

import click

from plangen.commands.pipeline import USER_TEMPLATES, Generated, generate
from plangen.commands.report import emit, say
from plangen.errors import PlangenError
from plangen.project import DEFAULT_PLANS, DEFAULT_SITE_CONFIG
from plangen.site import engine
from plangen.site.writer import sync_tree


def _snapshot(roots: list[Path]) -> dict[Path, float]:
    state = {}
    for root in roots:
        files = [root] if root.is_file() else (root.rglob("*") if root.is_dir() else [])
        for path in files:
            if path.is_file():
                state[path] = path.stat().st_mtime
    return state


def run(paths: list[Path], site_config: Path | None, *, host: str, port: int, as_of: date | None) -> int:
    sources = list(paths or [DEFAULT_PLANS]) + [site_config or DEFAULT_SITE_CONFIG, USER_TEMPLATES]
    folder = Path(tempfile.mkdtemp(prefix="plangen-serve-"))

    def render() -> bool:
        try:
            result = generate(paths, site_config, as_of=as_of, offline=False, strict=False)
        except PlangenError as exc:
            say(f"plangen: {exc.message}")
            return False
        if not isinstance(result, Generated):
            emit(result, "text")
            say("plangen: fix the errors above; still serving the last good version")
            return False
        changed = sync_tree(folder, result.files)
        if changed:
            say(f"plangen: {len(changed)} page(s) updated")
        return True

    if not render():
        return 1

    def watch() -> None:
        before = _snapshot(sources)
        while True:
            time.sleep(1)
            now = _snapshot(sources)
            if now != before:
                before = now
                render()

    threading.Thread(target=watch, daemon=True, name="plangen-watch").start()
    say(f"plangen: serving on http://{host}:{port}/ (Ctrl+C to stop)")
    engine.serve(folder / "mkdocs.yml", host=host, port=port)
    return 0
