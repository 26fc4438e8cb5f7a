"""`plangen build`: validate, render, build with MkDocs, publish atomically."""

from __future__ import annotations

import os
from collections.abc import Iterable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import replace
from datetime import date, datetime, time, timezone
from pathlib import Path
from typing import TypeVar

from plangen.commands.pipeline import USER_TEMPLATES, Generated, Later, generate
from plangen.commands.report import Progress, emit, say
from plangen.errors import PlangenError, plural
from plangen.project import DEFAULT_PLANS, DEFAULT_SITE_CONFIG
from plangen.site import engine, store
from plangen.site.writer import (SYNCED, WORK, cache_folder, check_output, holding, publish, staging, sync_tree,
                                 workspace, write_tree)


T = TypeVar("T")


def protected() -> list[Path]:
    return [Path.cwd(), DEFAULT_PLANS, DEFAULT_SITE_CONFIG, USER_TEMPLATES]


def sources(paths: list[Path], site_config: Path | None) -> list[Path]:
    """Folders the output must not be written into: the plans, the site
    config and the templates (the project folder itself may hold the site)."""
    folders = [DEFAULT_PLANS, DEFAULT_SITE_CONFIG, USER_TEMPLATES, *(p for p in paths if p.is_dir())]
    if site_config is not None:
        folders.append(site_config if site_config.is_dir() else site_config.parent)
    return [f for f in folders if f.resolve() != Path.cwd().resolve()]


@contextmanager
def disk_errors(out: Path) -> Iterator[None]:
    """A full or read-only disk, or a name the system refuses, is a message,
    not a traceback; the previous site is still in place."""
    try:
        yield
    except OSError as exc:
        what = exc.strerror or str(exc)
        raise PlangenError(f"cannot write {out}: {what}" + (f" ({exc.filename})" if exc.filename else ""),
                           "free some space, check the permissions, or choose another --out; "
                           "the previous site was left as it was") from None


def build_site(result: Generated, out: Path, *, cache_dir: Path | None, strict: bool,
               progress: Progress | None) -> engine.Outcome:
    """Build the generated pages with MkDocs and put the site at `out`. With
    a cache, the Markdown and the site are brought up to date in the cache's
    workspace (only what changed is written) and swapped in; else both are
    written afresh in a staging folder. Either way `out` is replaced in one
    step, and only after the whole site is built."""
    day = result.analysis.as_of
    epoch = int(datetime.combine(day, time(), timezone.utc).timestamp())  # the same input, the same bytes
    later = result.later
    try:
        if cache_dir is not None and store.usable(cache_dir / WORK):
            with workspace(out, cache_dir) as (src, site):
                sync_tree(src, result.files, later=later.paths if later else (), known=result.digests,
                          note=src.parent / SYNCED)
                site.mkdir(exist_ok=True)
                outcome = engine.build(src / "mkdocs.yml", site, strict=strict, epoch=epoch, progress=progress,
                                       cache=cache_dir / "pages", in_place=True, sources=_pages(src, result.files),
                                       digests=_pages(src, result.digests),
                                       later=(_absolute(src, later.paths), lambda: _arrived(src, later))
                                       if later else None)
                publish(site, out, keep_old=True)
            return outcome
        if later is not None:
            result = replace(result, files={**result.files, **later.pages()[0]}, later=None)
    finally:
        if later is not None:
            later.cancel()  # when the build failed before asking for them
    with staging(out) as stage:
        write_tree(stage / "src", result.files)
        outcome = engine.build(stage / "src" / "mkdocs.yml", stage / "site", strict=strict, epoch=epoch,
                               progress=progress, cache=cache_dir / "pages" if cache_dir else None,
                               sources=_pages(stage / "src", result.files), digests=_pages(stage / "src", result.digests))
        publish(stage / "site", out)
    return outcome


def _pages(root: Path, files: Mapping[str, T]) -> dict[str, T]:
    """The Markdown pages (or what is known of them) as written under `root`, by absolute path."""
    base = os.path.abspath(root)
    return {os.path.join(base, rel): text for rel, text in files.items() if rel.endswith(".md")}


def _absolute(root: Path, paths: Iterable[str]) -> frozenset[str]:
    base = os.path.abspath(root)
    return frozenset(os.path.join(base, rel) for rel in paths)


def _arrived(src: Path, later: Later) -> tuple[dict[str, str], dict[str, str]] | None:
    """The pages across plans, once made, written into `src` (see
    engine.build's `later`): their Markdown and its SHA-256 by absolute
    path, or None when they are not the pages expected (a directory entry
    added or removed)."""
    pages, digests = later.pages()
    sync_tree(src, pages, only=later.paths)
    return (_pages(src, pages), _pages(src, digests)) if set(pages) == later.paths else None


def run(paths: list[Path], site_config: Path | None, out: Path, *, strict: bool, as_of: date | None,
        offline: bool, quiet: bool = False, cache: bool = True) -> int:
    with disk_errors(out):
        check_output(out, protected=protected(), inside=sources(paths, site_config))
    progress = Progress(quiet=quiet)
    progress.say("plangen: reading and checking plans...")
    cache_dir = cache_folder(out) if cache and store.usable(cache_folder(out)) else None
    with holding(cache_dir):
        return _run(paths, site_config, out, cache_dir, progress, strict=strict, as_of=as_of, offline=offline)


def _run(paths: list[Path], site_config: Path | None, out: Path, cache_dir: Path | None, progress: Progress, *,
         strict: bool, as_of: date | None, offline: bool) -> int:
    result = generate(paths, site_config, as_of=as_of, offline=offline, strict=strict, progress=progress,
                      cache=cache_dir / "plans" if cache_dir else None, overlap=True)
    if not isinstance(result, Generated):
        progress.close()
        emit(result, "text")
        reason = "errors" if not strict else "errors (--strict also stops on readiness errors)"
        say(f"plangen: {plural(len(result), 'error')}; nothing was built or changed ({reason})")
        return 1
    try:
        emit(list(result.warnings), "text")
        unchanged = result.plans - len(result.analysis.plans)
        reused = f" ({unchanged} kept from the last build)" if unchanged else ""
        progress.say(f"plangen: building {plural(result.plans, 'plan')}{reused} with MkDocs...")
        with disk_errors(out):
            try:
                outcome = build_site(result, out, cache_dir=cache_dir, strict=strict, progress=progress)
            finally:
                progress.close()
    finally:
        if result.later is not None:
            result.later.cancel()  # when anything above failed (else they were asked for: nothing to do)
    for message in outcome.warnings:
        say(f"mkdocs: {message}")
    progress.say(f"plangen: site written to {out} (as of {result.analysis.as_of})")
    return 0
