"""The one module that imports MkDocs: build and serve a generated docs folder.

Swapping the engine (Zensical, ProperDocs) means changing this file only.
"""

from __future__ import annotations

import codecs
import hashlib
import io
import json
import logging
import os
import re
import threading
from collections.abc import Callable, Collection, Iterable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, replace
from importlib.metadata import version
from pathlib import Path
from typing import Any

from markupsafe import Markup

from plangen.errors import PlangenError
from plangen.render.compiled import template_cache
from plangen.site import store
from plangen.render.escape import PIECE
from plangen.site.cache import Built, PageCache, Piece
from plangen.site.writer import remove_except
from plangen.workers import balanced, cores, fork_map, share_done


class _Collect(logging.Handler):
    """MkDocs' warnings, in the order they came (per page, while pages are built)."""

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


@dataclass(frozen=True)
class Outcome:
    warnings: list[str]  # MkDocs' warnings, in order
    converted: int | None  # pages converted from Markdown, not taken from the cache (None: MkDocs' own build)


# Pages still being made when the build starts: their absolute source paths
# (files there already, maybe stale), and a call that waits for them and
# writes them: their Markdown and its SHA-256 by absolute path, or None when
# they are not those pages (the site is then read again).
Later = tuple[Collection[str], Callable[[], tuple[Mapping[str, str | bytes], Mapping[str, str]] | None]]


class _Again(Exception):
    """The pages that came later are not those expected: read the site again."""


def build(config_file: Path, site_dir: Path, *, strict: bool, epoch: int | None = None,
          progress: Callable[[str, int, int], None] | None = None, cache: Path | None = None,
          in_place: bool = False, sources: Mapping[str, str | bytes] | None = None,
          digests: Mapping[str, str] | None = None, later: Later | None = None) -> Outcome:
    """Build the site. With `strict`, any warning
    fails. With `cache`, pages whose inputs did not change since the build
    that wrote it are taken from there (see site/cache.py). With `in_place`,
    `site_dir` holds an earlier build of the site (plangen's own, never one
    published: see writer.workspace) and only what differs is written.
    `sources`: the pages' Markdown as just written (by absolute path), so
    that they need not be read back; `digests`: the SHA-256 of some of them,
    so that they need not be hashed again. `later`: pages still being made (see
    Later), waited for once the site's files, nav and theme are loaded."""
    from mkdocs.exceptions import Abort, BuildError, ConfigurationError

    handler = _Collect()
    log = logging.getLogger("mkdocs")
    log.addHandler(handler)
    converted: int | None = None
    try:
        try:
            converted = _attempt(config_file, site_dir, strict, epoch, progress, cache, in_place, sources or {},
                                 digests or {}, later)
        except _Again:
            del handler.messages[:]
            converted = _attempt(config_file, site_dir, strict, epoch, progress, cache, in_place, sources or {},
                                 digests or {}, None)
    except (Abort, BuildError, ConfigurationError) as exc:
        details = "\n".join(f"  {m}" for m in handler.messages)
        raise PlangenError(f"MkDocs could not build the site: {exc}" + (f"\n{details}" if details else ""),
                           "the messages above name the page and the problem") from None
    finally:
        log.removeHandler(handler)
    return Outcome(handler.messages, converted)


def _attempt(config_file: Path, site_dir: Path, strict: bool, epoch: int | None,
             progress: Callable[[str, int, int], None] | None, cache: Path | None, in_place: bool,
             sources: Mapping[str, str | bytes], digests: Mapping[str, str], later: Later | None) -> int | None:
    from mkdocs.commands.build import build as mkdocs_build

    handler = next(h for h in logging.getLogger("mkdocs").handlers if isinstance(h, _Collect))
    config = _load(config_file, site_dir=str(site_dir.absolute()), strict=strict)
    # plangen writes the site name HTML-escaped, because the theme prints
    # it raw in most places; marked as markup, the places that escape it
    # (the logo's title attribute) do not escape it twice.
    config["site_name"] = Markup(config["site_name"])
    fast = set(config.plugins) <= _KNOWN_PLUGINS
    if progress and not fast:
        config.plugins["plangen-progress"] = _progress_plugin(progress)
    config.plugins.on_startup(command="build", dirty=False)
    try:
        with _source_date(epoch):
            if fast:
                # Extensions that pull other files into a page make its HTML depend on more than its key.
                reads_files = {"pymdownx.snippets", "pymdownx.b64"} & set(config.markdown_extensions)
                return _build(config, handler, PageCache(cache) if cache and not reads_files else None,
                              progress, in_place, sources, digests, later)
            if later is not None:
                later[1]()  # written where MkDocs reads them, whichever they are
            mkdocs_build(config)  # a plugin we do not know may need MkDocs' own order of events
            return None
    finally:
        config.plugins.on_shutdown()


# Plugins whose events the fast build below calls as MkDocs would: the
# search plugins index one page at a time and write the index at the end;
# the offline plugin acts on the configuration and after the build only.
_KNOWN_PLUGINS = {"material/search", "material/offline"}


@contextmanager
def _captured(log: logging.Logger) -> Iterator[_Collect]:
    """MkDocs' warnings go to this handler only, so that each is kept with its page."""
    saved, propagate = log.handlers[:], log.propagate
    capture = _Collect()
    log.handlers, log.propagate = [capture], False
    try:
        yield capture
    finally:
        log.handlers, log.propagate = saved, propagate


def _build(config: Any, collect: _Collect, cache: PageCache | None,
           progress: Callable[[str, int, int], None] | None, in_place: bool, given: Mapping[str, str | bytes],
           digests: Mapping[str, str], later: Later | None) -> int:
    """MkDocs' build, in MkDocs' order of events, with the per-page work
    (Markdown to HTML, theme, search entries) split over the cores and
    skipped for pages the cache holds. Pages are built independently once
    the nav is known: a page's HTML depends on its source, the nav (titles
    and places of the other pages) and the configuration, all in its key.
    The output is the same, byte for byte, as MkDocs' own build. Pages to
    come `later` are read once the rest is loaded."""
    from mkdocs import utils
    from mkdocs.commands import build as mk
    from mkdocs.exceptions import Abort
    from mkdocs.structure.files import InclusionLevel
    from mkdocs.structure.pages import Page
    from mkdocs.utils.meta import YAML_RE, get_data

    log = logging.getLogger("mkdocs")
    start = len(collect.messages)
    config = config.plugins.on_config(config)
    config.plugins.on_pre_build(config=config)
    if not in_place:
        utils.clean_directory(config.site_dir)
    files = mk.get_files(config)
    env = config.theme.get_env()
    env.bytecode_cache = template_cache("theme", *(version(name) for name in ("mkdocs", "mkdocs-material")))
    _add_theme_files(files, env, config, cache)
    files = config.plugins.on_files(files, config=config)
    mk.set_exclusions(files, config)
    nav = mk.get_navigation(files, config)
    nav = config.plugins.on_nav(nav, config=config, files=files)
    doc_files = files.documentation_pages(inclusion=InclusionLevel.is_included)
    sources: list[str | bytes] = []
    in_nav = {id(page) for page in nav.pages}
    unparsed: set[int] = set()  # pages whose Markdown is read only if they are converted (see _read)
    headed: set[int] = set()  # those of them whose front matter is read already
    coming = {os.path.normpath(path) for path in later[0]} if later else set()
    waiting = []  # pages to come: their titles as the files there have them (the last build's) until they come
    for i, file in enumerate(doc_files):  # sources, and the front matter of the pages whose title the nav shows
        if file.page is None and file.inclusion.is_not_in_nav():
            Page(None, file, config)
        config.plugins.on_pre_page(file.page, config=config, files=files)
        sources.append("")
        _read(file, i, sources, given, in_nav, unparsed, headed)  # read once (no plugin of ours reads sources)
        if file.abs_src_path and os.path.normpath(file.abs_src_path) in coming:
            waiting.append(i)
    env = config.plugins.on_env(env, config=config, files=files)
    _copy_static(files, InclusionLevel.is_included, in_place)
    for template in config.theme.static_templates:
        mk._build_theme_template(template, env, files, config, nav)
    for template in config.extra_templates:
        mk._build_extra_template(template, files, config, nav)

    indexer = next((p for p in config.plugins.values() if hasattr(p, "search_index")), None)
    search = indexer.search_index if indexer is not None else None
    common = store.digest(store.versions(), _split_nav(Path(config.config_file_path).read_text(encoding="utf-8"))[0],
                    _theme_files(config), *(f.src_uri for f in files))
    pruned = "navigation.prune" in config.theme["features"] and not _UNPRUNED & set(config.theme["features"])
    navs = _page_nav_keys(nav, [f.page for f in doc_files]) if pruned else [_nav_key(nav)] * len(doc_files)
    keys = [""] * len(doc_files)
    built: dict[int, Built] = {}
    todo: list[int] = []

    def take(pages: Iterable[int]) -> None:
        """Each page's key, and the page from the cache when it holds it (else it is to do)."""
        for i in pages:
            file = doc_files[i]
            keys[i] = store.digest(common, file.src_uri, _source_digest(file, sources[i], given, digests), navs[i])
            hit = cache.get(keys[i]) if cache else None
            if cache is None or hit is None:
                todo.append(i)
                continue
            if hit.html != b"":  # MkDocs writes no file for a page that renders empty
                try:
                    cache.place(keys[i], hit, file.abs_dest_path)
                except FileNotFoundError:  # its folder is not there yet
                    os.makedirs(os.path.dirname(file.abs_dest_path), exist_ok=True)
                    cache.place(keys[i], hit, file.abs_dest_path)
            built[i] = hit

    pending = set(waiting)
    take(i for i in range(len(doc_files)) if i not in pending)
    if later is not None:
        titles = [_shown(doc_files[i].page) for i in waiting]  # as the sidebar of the pages above shows them
        arrived = later[1]()
        if arrived is None:
            raise _Again()
        given = {**given, **arrived[0]}
        digests = {**digests, **arrived[1]}
        for n, i in enumerate(waiting):
            _read(doc_files[i], i, sources, given, in_nav, unparsed, headed)
            if id(doc_files[i].page) in in_nav and _shown(doc_files[i].page) != titles[n]:
                raise _Again()  # (plangen's nav names every page, so its title does not come from the page)
        take(waiting)
        todo.sort()
    total = len(doc_files)
    for i in unparsed.intersection(todo):
        text = _text(doc_files[i], sources[i])
        if i in headed:  # its front matter as read from its head, and the rest, as MkDocs' get_data splits them
            doc_files[i].page.markdown = text[YAML_RE.match(text).end():].lstrip("\n")  # type: ignore[union-attr]
        else:
            doc_files[i].page.markdown, doc_files[i].page.meta = get_data(text)

    def work(chunk: Sequence[int], report: bool) -> list[tuple[int, Built | str]]:
        out: list[tuple[int, Built | str]] = []
        with _captured(log) as capture:
            for n, i in enumerate(chunk, 1):
                capture.messages = []
                result = _build_one(config, files, doc_files, nav, env, indexer, doc_files[i].page, capture,
                                    cache, common, planned[i])
                if isinstance(result, Built):
                    if cache:  # the page as written becomes the entry (a link: not written twice)
                        cache.put(keys[i], result, doc_files[i].abs_dest_path if result.html else None)
                    if result.html:
                        result = replace(result, html=None)  # not sent back: only whether it is empty counts
                out.append((i, result))
                if report and progress:
                    progress("building pages", len(built) + share_done(n, len(chunk), len(todo)), total)
        return out

    planned = {i: _plan(doc_files[i].page, cache, common) for i in todo}
    cost = {i: _cost(doc_files[i].page, pieces, cache) for i, pieces in planned.items()}
    chunks = balanced(todo, min(cores(), max(1, sum(cost.values()) // _COST_PER_WORKER)), cost=cost.__getitem__)
    results = fork_map(lambda chunk: work(chunk, chunk is chunks[0]), chunks) if chunks else []
    for i, result in (pair for part in results for pair in part):
        if isinstance(result, str):
            raise Abort(f"Error building page '{doc_files[i].src_uri}': {result}")
        built[i] = result
    if progress:
        progress("building pages", total, total)
    if search is not None:
        _splice(search, [built[i].search for i in range(total)])
    by_uri = {f.src_uri: f for f in files}
    for i, file in enumerate(doc_files):  # what each page brought back, in page order
        page = built[i]
        for message in page.warnings:
            log.warning(message)
        file.page.present_anchor_ids = set(page.anchors)
        file.page.links_to_anchors = {by_uri.get(target): links for target, links in page.links.items()}
    for file in doc_files:
        file.page.validate_anchor_links(files=files, log_level=config.validation.links.anchors)
    config.plugins.on_post_build(config=config)
    if config.strict and len(collect.messages) > start:
        raise Abort(f"Aborted with {len(collect.messages) - start} warnings in strict mode!")
    if in_place:  # what the earlier build wrote and this one did not
        pages = {file.abs_dest_path for i, file in enumerate(doc_files) if built[i].html != b""}
        static = {file.abs_dest_path for file in files
                  if not file.is_documentation_page() and file.inclusion.is_included()}
        remove_except(config.site_dir, {os.path.normpath(p) for p in pages | static | _other_outputs(config)})
    if cache:
        cache.prune(set(keys), {piece for page in built.values() for piece in page.pieces})
    return len(todo)


def _shown(page: Any) -> tuple[Any, ...]:
    """What the sidebar of other pages shows of a page (see _nav_key)."""
    meta = page.meta or {}
    return page.title, *(meta.get(k) for k in ("icon", "subtitle", "status"))


def _read(file: Any, i: int, sources: list[str | bytes], given: Mapping[str, str | bytes], in_nav: set[int],
          unparsed: set[int], headed: set[int]) -> None:
    """A page's source, and its front matter when the nav shows its title:
    from the page's head alone when that names the title (the page's
    Markdown is then read only if it is converted; until then it stands
    as "", which MkDocs reads only for a title the front matter gives)."""
    from mkdocs.utils.meta import get_data

    sources[i] = _source(file, given)
    if id(file.page) not in in_nav:
        unparsed.add(i)
    elif (meta := _front(sources[i])) is not None:
        file.page.markdown, file.page.meta = "", meta
        unparsed.add(i)
        headed.add(i)
    else:
        file.page.markdown, file.page.meta = get_data(_text(file, sources[i]))


_HEAD = 4096  # bytes of a page that hold its front matter (else the page is read whole)
# Front matter as plangen writes it: lines of a known key and a string in
# double quotes (no characters YAML refuses or reads as line breaks, no
# escapes but \\ and \", which JSON and YAML read alike) or true: read
# without YAML. Any other front matter is read by MkDocs' own code.
_PLAIN_LINE = re.compile('(title|plangen_print|plangen_mermaid): (?:"((?:[ !#-\\[\\]-~\xa0-\u2027\u202a-\ud7ff'
                         '\ue000-\ufefe\uff00-\ufffd\U00010000-\U0010ffff]|\\\\\\\\|\\\\")*)"|(true))\n')
_ESCAPED = re.compile(r"\\(.)")


def _plain(front: str) -> dict[str, Any] | None:
    """Front matter as plangen writes it (see _PLAIN_LINE), else None."""
    meta: dict[str, Any] = {}
    at = 0
    while at < len(front):
        line = _PLAIN_LINE.match(front, at)
        if line is None or line.group(1) in meta:
            return None
        key, text, true = line.groups()
        meta[key] = True if true else _ESCAPED.sub(r"\1", text)
        at = line.end()
    return meta


def _front(source: str | bytes) -> dict[str, Any] | None:
    """The front matter MkDocs reads from a page (mkdocs.utils.meta), from its
    head alone, when it gives the page's title; else None. The front matter
    is the first block between two "---" lines, so a head that holds it
    gives the same."""
    from mkdocs.utils.meta import YAML_RE, get_data

    head = source[:_HEAD]
    if isinstance(head, bytes):
        try:
            head = codecs.getincrementaldecoder("utf-8")().decode(head)  # a character cut at the end is left out
        except UnicodeDecodeError:
            return None
    found = YAML_RE.match(head)
    if found is None:
        return None
    meta = _plain(found.group(1))
    if meta is None:
        _, meta = get_data(found.group(0))
    return meta if "title" in meta else None


def _add_theme_files(files: Any, env: Any, config: Any, cache: PageCache | None) -> None:
    """MkDocs' own adding of the theme's files, given the names of the
    theme's templates from the cache: Material's folder holds some 14,000
    files (icons) that MkDocs lists on every build to keep a few hundred. The
    list is a function of the installed versions, the theme's folders and
    the files of its custom_dir, and of the settings MkDocs' filter reads."""
    if cache is None:
        files.add_files_from_theme(env, config)
        return
    custom = config.theme.custom_dir
    own = sorted(str(p.relative_to(custom)) for p in Path(custom).rglob("*")) if custom else []
    key = store.digest(store.versions(), repr(config.theme.dirs), repr(sorted(config.theme.static_templates)), *own)
    real = env.list_templates
    env.list_templates = lambda **options: cache.names(key, lambda: real(**options))
    try:
        files.add_files_from_theme(env, config)
    finally:
        del env.list_templates


def _source(file: Any, given: Mapping[str, str | bytes]) -> str | bytes:
    """A page's source as MkDocs reads it (UTF-8 without a leading BOM, any
    line ending as a newline): the text given for its file when reading it
    would give the same text (as given: bytes are decoded only for a page
    converted, see _text), else read."""
    data = given.get(os.path.normpath(file.abs_src_path)) if file.abs_src_path else None
    if isinstance(data, bytes):
        return str(file.content_string) if b"\r" in data or data.startswith(codecs.BOM_UTF8) else data
    if data is None or "\r" in data or data.startswith("\ufeff"):
        return str(file.content_string)
    return data


def _source_digest(file: Any, source: str | bytes, given: Mapping[str, str | bytes], digests: Mapping[str, str]) -> str:
    """The SHA-256 of a page's source: as given, when the source is the one given."""
    path = os.path.normpath(file.abs_src_path) if file.abs_src_path else ""
    known = digests.get(path)
    if known is not None and given.get(path) is source:
        return known
    return hashlib.sha256(source.encode("utf-8") if isinstance(source, str) else source).hexdigest()


def _text(file: Any, source: str | bytes) -> str:
    """A page's source as text."""
    if isinstance(source, str):
        return source
    try:
        return source.decode("utf-8")
    except UnicodeDecodeError:
        return str(file.content_string)  # MkDocs' own reading tells what is wrong


def _copy_static(files: Any, inclusion: Any, in_place: bool) -> None:
    """MkDocs' copy of the theme's and the docs' other files; in place, a
    file already as its source is left alone (a few hundred files, compared
    whole: a size and a date could hide a changed file)."""
    for file in files:
        if file.is_documentation_page() or not inclusion(file.inclusion):
            continue
        if in_place:
            dest = Path(file.abs_dest_path)
            try:
                if not dest.is_symlink() and dest.read_bytes() == file.content_bytes:
                    continue
                dest.unlink()  # replaced, never written into
            except (FileNotFoundError, NotADirectoryError):
                pass
        file.copy_file(dirty=False)


def _other_outputs(config: Any) -> set[str]:
    """The files a build writes besides pages and static files: the theme's
    templates (the sitemap also gzipped), the extra templates, the search
    index (and its script copy, with the offline plugin)."""
    site = config.site_dir
    names = [*config.theme.static_templates, "sitemap.xml.gz", *config.extra_templates,
             "search/search_index.json", "search/search_index.js"]
    return {os.path.normpath(os.path.join(site, name)) for name in names}


# What a page costs to build, in characters of Markdown converted (about
# 1.3 us each here): the theme's templates and the rest of a page's own work,
# some 3.4 ms, and a piece taken from the cache, a sixtieth of converting it
# (fitted to the pages of rebuilds at 1,000 plans: within a tenth, where the
# guess before was off by three quarters and left one worker waiting on the
# other). Below _COST_PER_WORKER (some 0.2 s), a fork costs more than it saves.
_PAGE_COST = 2_600
_KEPT_SHARE = 60
_COST_PER_WORKER = 150_000


def _plan(page: Any, cache: PageCache | None, common: str) -> list[tuple[str, str]]:
    """A page's pieces and their keys in the cache (see _pieced). Without a
    cache, only a page made of pieces is converted piece by piece."""
    texts = _pieces(page.markdown)
    if texts is None:
        if cache is None:
            return []
        texts = [page.markdown]  # one piece: converted again only when its text, title or place changes
    # What a piece's conversion and search entries read of the page besides its text: the first piece,
    # its title and front matter (the search index names a section without a heading after the page);
    # any other, which starts with a heading, only the front matter's search settings and tags.
    first = repr((page.url, page.title, sorted(page.meta.items(), key=lambda kv: repr(kv[0]))))  # keys of any type
    rest = repr((page.url, page.meta.get("search"), page.meta.get("tags")))
    return [(text, store.digest(common, "piece", page.file.src_uri, rest if n else first, str(n > 0), text))
            for n, text in enumerate(texts)]


def _cost(page: Any, pieces: list[tuple[str, str]], cache: PageCache | None) -> int:
    if not pieces:  # converted whole
        return _PAGE_COST + len(page.markdown)
    return _PAGE_COST + sum(len(text) // _KEPT_SHARE if cache and cache.has_piece(key) else len(text)
                            for text, key in pieces)


def _build_one(config: Any, files: Any, doc_files: Any, nav: Any, env: Any, indexer: Any, page: Any,
               capture: _Collect, cache: PageCache | None, common: str, planned: list[tuple[str, str]]) -> Built | str:
    """One page, as MkDocs' _populate_page (after reading) and _build_page
    do it; an error is returned as its message (it may come from a child).
    `planned`: its pieces (see _plan), made from its Markdown before plugins
    saw it."""
    from mkdocs.commands import build as mk

    search = indexer.search_index if indexer is not None else None
    before = len(search.entries) if search is not None else 0
    config._current_page = page
    pieces: list[tuple[str, Piece]] = []
    try:
        markdown = page.markdown
        page.markdown = config.plugins.on_page_markdown(markdown, page=page, config=config, files=files)
        if page.markdown != markdown:
            planned = _plan(page, cache, common)
        if planned:
            pieces = _pieced(config, files, page, planned, indexer, capture, cache)
        if not pieces:
            page.render(config, files)
        page.content = config.plugins.on_page_content(page.content, page=page, config=config, files=files)
    except Exception as exc:
        return str(exc)
    finally:
        config._current_page = None
    try:
        written = Path(page.file.abs_dest_path)
        written.unlink(missing_ok=True)  # an earlier build's page may be a link to a cache entry: never written into
        if pieces and indexer is not None:
            # Indexed piece by piece already, and each piece's HTML rid of the index's marks: the
            # index's work on the whole page (a regular expression over a long page) is skipped.
            events = config.plugins.events["page_context"]
            config.plugins.events["page_context"] = [e for e in events if getattr(e, "__self__", None) is not indexer]
            try:
                mk._build_page(page, config, doc_files, nav, env)
            finally:
                config.plugins.events["page_context"] = events
            search.entries.extend(entry for _, piece in pieces for entry in piece.search)
        else:
            mk._build_page(page, config, doc_files, nav, env)
        html = written.read_bytes() if written.is_file() else b""
    except Exception as exc:
        return str(exc)
    entries = _entries_text(search.entries[before:]) if search is not None else "[]"
    links = {target.src_uri: dict(anchors) for target, anchors in (page.links_to_anchors or {}).items()}
    return Built(html, entries, _anchor_list(page.present_anchor_ids), links, list(capture.messages),
                 [key for key, _ in pieces])


def _entries_text(entries: list[dict[str, Any]]) -> str:
    """A page's search entries as Material's index writes them (see _splice)."""
    return json.dumps(entries, separators=(",", ":"), default=str)


_NO_DOCS = ',"docs":[]}'


def _splice(index: Any, pages: list[str]) -> None:
    """Material's search index is json.dumps({"config": ..., "docs": entries})
    with the separators of _entries_text: each page's entries are kept as
    that text and joined into the index, not parsed and written again (24 MB
    at 1,000 plans). The index's own code writes the rest, given no entries.
    Should it write anything else, it is given the entries themselves."""
    docs = ",".join(text[1:-1] for text in pages if text != "[]")
    index.entries = []
    write = index.generate_search_index

    def spliced(prev: Any) -> str:
        text = write(prev)
        if prev is None and text.endswith(_NO_DOCS):
            return f"{text[:-len(_NO_DOCS)]},\"docs\":[{docs}]}}"
        index.entries = json.loads(f"[{docs}]")
        return write(prev)

    index.generate_search_index = spliced


def _anchor_list(anchors: Any) -> list[str | None]:
    return sorted(anchors or (), key=lambda a: (a is None, a or ""))


# A page plangen made of pieces: a line of its own (a Markdown reference
# definition, which shows nothing) before each piece but the first. Each
# piece starts with a heading, so it is a block of its own, its own search
# section, and its toc entries nest after those of the pieces before.
_PIECE_SPLIT = re.compile(rf"\n\n+{re.escape(PIECE)}\n\n+")
_HEADING = re.compile(r"#{1,6}(?!#)")


def _pieces(markdown: str) -> list[str] | None:
    """The pieces of a page's Markdown (from its second piece on, each starting
    with a heading), or None for a page converted whole."""
    texts = _PIECE_SPLIT.split(markdown)
    if len(texts) < 2 or not all(_HEADING.match(text) for text in texts[1:]):
        return None
    return texts


# Put before a piece when it is indexed alone: the parser makes the page's
# first heading a section without an anchor, so a stand-in heading takes that
# place (its entry is dropped) and the piece's first heading keeps its anchor.
_LEAD = '<h1 id="plangen-piece">piece</h1>\n'


def _pieced(config: Any, files: Any, page: Any, planned: list[tuple[str, str]], indexer: Any, capture: _Collect,
            cache: PageCache | None) -> list[tuple[str, Piece]]:
    """Convert a page piece by piece (pieces unchanged since an earlier build
    come from the cache) and put it together as one conversion of the whole
    page gives it: the HTML joined as Markdown joins blocks, the toc nested
    over all headings, the anchors, links, warnings and search entries in
    order. Tests compare the result with MkDocs' own conversion. Pieces
    whose anchors repeat one another come back empty: such a page is
    converted whole."""
    from markdown.extensions.toc import nest_toc_tokens
    from mkdocs.structure.toc import get_toc

    whole, start = page.markdown, len(capture.messages)
    pieces: list[tuple[str, Piece]] = []
    try:
        for n, (text, key) in enumerate(planned):
            piece = cache.get_piece(key) if cache else None
            if piece is None:
                page.markdown = text
                piece = _convert_piece(config, files, page, indexer, capture, first=n == 0)
                if cache:
                    cache.put_piece(key, piece)
            else:
                capture.messages.extend(piece.warnings)
            pieces.append((key, piece))
    finally:
        page.markdown = whole
    ids = [anchor for _, piece in pieces for anchor in set(piece.anchors)]
    if len(ids) != len(set(ids)):  # converted whole, an id made from a heading would not repeat one in another piece
        del capture.messages[start:]
        return []
    page.content = "\n".join(piece.html for _, piece in pieces)
    tokens = [{"level": level, "id": ident, "name": title, "children": []}
              for _, piece in pieces for level, ident, title in piece.toc]
    page.toc = get_toc(nest_toc_tokens(tokens))
    page._title_from_render = pieces[0][1].title
    page.present_anchor_ids = {anchor for _, piece in pieces for anchor in piece.anchors}
    links: dict[Any, dict[str, str]] = {}
    by_uri = files.src_uris  # a piece names its links' targets by their src_uri (see _convert_piece)
    for _, piece in pieces:
        for target, anchors in piece.links.items():
            mine = links.setdefault(by_uri.get(target), {})
            for anchor, link in anchors.items():
                mine.setdefault(anchor, link)
    page.links_to_anchors = links
    return pieces


def _convert_piece(config: Any, files: Any, page: Any, indexer: Any, capture: _Collect, *, first: bool) -> Piece:
    start = len(capture.messages)
    page.links_to_anchors = None  # render sets it only when MkDocs logs above debug level
    page.render(config, files)
    warnings = capture.messages[start:]

    def flat(items: Any) -> Iterator[tuple[int, str, str]]:
        for item in items:
            yield item.level, item.id, item.title
            yield from flat(item.children)

    entries: list[dict[str, Any]] = []
    html = page.content
    if indexer is not None:
        index = indexer.search_index
        before = len(index.entries)
        page.content = html if first else _LEAD + html
        indexer.on_page_context({}, page=page, config=config, nav=None)
        html = page.content if first else page.content[len(_LEAD):]
        entries = index.entries[before + (0 if first else 1):]
        del index.entries[before:]
    links = {target.src_uri: dict(anchors) for target, anchors in (page.links_to_anchors or {}).items()}
    return Piece(html, list(flat(page.toc)), page._title_from_render, _anchor_list(page.present_anchor_ids), links,
                 warnings, entries)


# Theme features that draw more of the nav than the open branch.
_UNPRUNED = {"navigation.tabs", "navigation.sections", "navigation.expand"}


def _sections(nav: Any) -> dict[int, frozenset[int]]:
    """The sections (by id()) that hold each item (by id()), found in one walk for all pages."""
    holding: dict[int, frozenset[int]] = {}

    def visit(items: Any, above: frozenset[int]) -> None:
        for item in items:
            if item.children:
                visit(item.children, above | {id(item)})
            else:
                holding[id(item)] = above

    visit(nav.items, frozenset())
    return holding


def _nav_key(nav: Any, opened: Callable[[Any], bool] | None = None) -> str:
    """The nav as a page shows it, given the sections `opened` on the way to
    it. With navigation.prune, Material draws every item of the top level
    and of each section on the way to the page, and any other section as its
    title and a link to its first page; so an edit in one section leaves the
    pages of every other section as they were. With `opened` None, the
    whole nav (for themes that draw all of it)."""
    parts: list[str] = []

    def first_url(item: Any) -> str:
        while item.children:
            item = item.children[0]
        return getattr(item, "url", "")

    def walk(items: Any, depth: int) -> None:
        for n, item in enumerate(items):
            if item.children:
                shown = opened is None or opened(item)
                parts.append(f"{depth}.{n} section {item.title} {first_url(item)} {len(item.children)} {shown}")
                if shown:
                    walk(item.children, depth + 1)
            else:
                meta = getattr(item, "meta", None) or {}
                parts.append(f"{depth}.{n} {type(item).__name__} {item.title} {getattr(item, 'url', '')} "
                             f"{[meta.get(k) for k in ('icon', 'subtitle', 'status')]}")

    walk(nav.items, 0)
    return store.digest(*parts)


def _page_nav_keys(nav: Any, pages: Sequence[Any]) -> list[str]:
    """Each page's nav key: the nav drawn with the sections that hold the
    page open (computed once for the pages of a section), the page itself
    (the item drawn as current) and its previous and next pages."""
    holding = _sections(nav)
    drawn: dict[frozenset[int], str] = {}
    keys = []
    for page in pages:
        opened = holding.get(id(page), frozenset())
        if opened not in drawn:
            drawn[opened] = _nav_key(nav, lambda item, shown=opened: id(item) in shown)
        near = [f"{p.title} {p.url}" if p else "-" for p in (page.previous_page, page.next_page)]
        keys.append(store.digest(drawn[opened], page.url, *near))
    return keys


def _split_nav(text: str) -> tuple[str, str]:
    """mkdocs.yml as the rest and its top-level nav and not_in_nav (the nav
    is keyed per page, as that page shows it)."""
    kept, nav, skipping = [], [], False
    for line in text.splitlines(keepends=True):
        if line.strip() and not line.startswith((" ", "\t", "-")):
            skipping = line.startswith(("nav:", "not_in_nav:"))
        (nav if skipping else kept).append(line)
    return "".join(kept), "".join(nav)


def _load(config_file: Path, **options: Any) -> Any:
    """MkDocs' configuration. A thousand plans make the nav most of
    mkdocs.yml, and MkDocs reads YAML with the pure-Python loader: the nav
    is read with the C loader and given as a setting (the same values, as
    MkDocs checks settings given so like those in the file). A nav the C
    loader cannot read (a tag of MkDocs' own) is left to MkDocs."""
    import yaml
    from mkdocs.config import load_config

    path = str(config_file.absolute())
    rest, nav = _split_nav(config_file.read_text(encoding="utf-8"))
    loader = getattr(yaml, "CSafeLoader", None)
    try:
        listed = yaml.load(nav, Loader=loader) if nav and loader else None
    except yaml.YAMLError:
        listed = None
    if not isinstance(listed, dict) or not listed.keys() <= {"nav", "not_in_nav"} or None in listed.values():
        return load_config(path, **options)
    source = io.StringIO(rest)
    source.name = path  # an INHERIT is found beside the file, as MkDocs would find it
    return load_config(source, config_file_path=path, **options, **listed)


def _theme_files(config: Any) -> str:
    """The theme's own template overrides (custom_dir), by content."""
    folder = config.theme.custom_dir
    if not folder:
        return ""
    root = Path(folder)
    return store.digest(*(f"{p.relative_to(root)}\0".encode() + p.read_bytes()
                    for p in sorted(root.rglob("*")) if p.is_file()))


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
