"""The whole way from plan files to a ready docs folder, in memory, shared by
`render`, `build` and `serve`. Reads everything and checks it before any
file is written."""

from __future__ import annotations

import itertools
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field, replace
from datetime import date
from pathlib import Path

from plangen.analysis import conflicts
from plangen.analysis.analyse import Analysis, analyse, across_findings
from plangen.analysis.dates import build_date
from plangen.errors import Finding, PlangenError
from plangen.model.base import MAX_DAY, MIN_DAY
from plangen.model.site import SiteConfig
from plangen.commands.report import Progress, say
from plangen.history import History, open_history
from plangen.analysis.stale import RULE as APPROVAL_STALE
from plangen.project import DEFAULT_SITE_CONFIG, Project, display_name, load_project, locate
from plangen.render.env import make_env
from plangen.render.exports import calendar_ics, plan_entry, plan_events, plans_json, schema_json
from plangen.render.pages import render_early, render_pages
from plangen.resources import builtin
from plangen.site.config import OVERRIDES, OWN, VENDOR, dump, load_yaml, markdown_extensions, mkdocs_config
from plangen.site import store
from plangen.site.blocks import Blocks
from plangen.site.vendor import vendor_files
from plangen.site.records import Records
from plangen.views.parts import head_of
from plangen.views.site import conflicts_shown, frame, plan_pages, plan_parts, site_views

from plangen.workers import Started, WorkerError, cores, fork_start

USER_TEMPLATES = Path("templates")


# Pages across plans made in a child: their Markdown and its digest by docs path, and the records it used.
Made = tuple[dict[str, str], dict[str, str], set[str]]


class Later:
    """The pages across plans, being made in a forked child while the build
    goes on (see generate's `overlap`). `paths`: where they are expected
    (docs/..., as the last build had them)."""

    def __init__(self, paths: frozenset[str], child: Started, make: Callable[[], Made],
                 settle: Callable[[dict[str, str], set[str]], None]) -> None:
        self.paths = paths
        self._child: Started | None = child
        self._make, self._settle = make, settle

    def pages(self) -> tuple[dict[str, str], dict[str, str]]:
        """Wait for the pages (docs/... -> Markdown, and the SHA-256 of each);
        a failure in the child is raised here, with its message, by making
        them again in this process."""
        if self._child is None:
            raise RuntimeError("the pages across plans were asked for twice")
        try:
            made, known, used = self._child.result()
        except WorkerError:
            made, known, used = self._make()
        self._child = None
        self._settle(known, used)
        return {f"docs/{path}": text for path, text in made.items()}, {f"docs/{path}": known[path] for path in made}

    def cancel(self) -> None:
        if self._child is not None:
            self._child.cancel()
            self._child = None


@dataclass(frozen=True)
class Generated:
    analysis: Analysis  # of the plans read (with a cache, those that changed)
    files: dict[str, bytes | str]  # the render folder: mkdocs.yml and docs/... (but the pages of `later`)
    exports: dict[str, str | bytes]  # published beside the HTML (plans.json as UTF-8)
    plans: int  # how many plans the site shows
    warnings: tuple[Finding, ...]  # validation warnings of every file
    later: Later | None = None  # the pages across plans, when they are still being made
    digests: dict[str, str] = field(default_factory=dict)  # SHA-256 of the files of `files` kept as they were


def _across(findings: Sequence[Finding]) -> list[Finding]:
    return sorted(f for f in findings if f.rule in conflicts.RULES)


def history_note(found: History | str, project: Project, tell: Callable[[str], None] = say) -> History | None:
    """The plans' history, or None after saying once why approvals were not
    checked against it, when a plan has an approval that could have been
    and approval-stale is on (`tell`: a build's status lines, which --quiet
    silences)."""
    if isinstance(found, History):
        return found
    off = (project.site or SiteConfig()).lint.get(APPROVAL_STALE) == "off"
    if not off and any(a.status == "granted" and a.decided_on for p in project.plans for a in p.plan.approvals):
        tell(f"plangen: note: approvals were not checked against the plans' history: {found}")
    return None


def _any_file(folder: Path) -> bool:
    return folder.is_dir() and any(p.is_file() for p in folder.rglob("*"))


def judge_day(as_of: date | None) -> date:
    """The build date (--as-of, SOURCE_DATE_EPOCH or today), within the days a
    plan may name, so every date derived from it stays computable."""
    day = build_date(as_of)
    if not MIN_DAY <= day <= MAX_DAY:
        raise PlangenError(f"the build date {day} is outside the supported range {MIN_DAY} to {MAX_DAY}",
                           "check --as-of or SOURCE_DATE_EPOCH")
    return day


def generate(paths: list[Path], site_config: Path | None, *, as_of: date | None, offline: bool,
             strict: bool, templates: Path | None = None, assets: bool = True,
             progress: Callable[[str, int, int], None] | None = None, cache: Path | None = None,
             overlap: bool = False) -> Generated | list[Finding]:
    """Everything a build writes, or the findings that stop it. Without
    `assets`, the static files (stylesheets, Mermaid) are left out. With a
    `cache` folder, each plan's share of the site is kept there, and a plan
    whose share is kept is not read again (see site/records.py). With
    `overlap` (a caller that can take them later, see Later), pages across
    plans that must be made again after an edit are made in a child while
    the caller goes on with the rest."""
    day = judge_day(as_of)
    templates = templates or USER_TEMPLATES
    located = plan_files, site_path = locate(paths, site_config)
    user_dir = site_config if site_config and site_config.is_dir() else (
        site_config.parent if site_config else DEFAULT_SITE_CONFIG)
    user_yml = user_dir / "mkdocs.yml"
    found = open_history([path for path, _ in plan_files])
    head = found.head if isinstance(found, History) else found
    records = Records(cache, site=site_path, templates=templates, mkdocs_yml=user_yml,
                      settings=f"as of {day}; offline {offline}; assets {assets}; history {head}")
    held = records.held(plan_files)
    last = records.last()
    unread = {name: r.head.id for name, r in held.items()}
    history: History | None = None
    for attempt in itertools.count():
        project = load_project(paths, site_config, progress, unread=unread, located=located)
        if not project.ok and project.kept:  # every plan read, so that each error is told as without a cache
            project = load_project(paths, site_config, progress, located=located)
        kept = {name: held[name] for name in project.kept}
        if attempt == 0:  # said once
            history = history_note(found, project, progress.say if isinstance(progress, Progress) else say)
        analysis = analyse(project, day, [r.footprint for r in kept.values()], history)
        judged = project.site or SiteConfig()
        inputs = records.inputs([*(p.footprint for p in analysis.plans), *(r.footprint for r in kept.values())],
                                judged.limits.approvals_per_week)
        # A kept plan whose conflicts with the others changed is read again: its page shows them.
        moved = {name for name, r in kept.items() if not records.checked(name, last, inputs)
                 and _across(r.findings) != _across(across_findings(analysis.conflicts, r.footprint, judged))}
        if not moved:
            break
        unread = {name: ident for name, ident in unread.items() if name not in moved}
    warnings = tuple(sorted({*(f for f in project.findings if f.severity == "warning"),
                             *(f for r in kept.values() for f in r.warnings)}))
    stop = [f for f in analysis.findings if f.severity == "error"]
    stop += [f for r in kept.values() for f in r.findings if f.severity == "error"]
    if strict:  # validation warnings (text YAML dropped as a comment) stop a strict build too
        stop += warnings
    if not project.ok or (strict and stop):
        return sorted(stop)
    site = project.site
    pages = plan_pages(analysis, found if isinstance(found, str) else "")
    analysed = {p.loaded.doc.file: p for p in analysis.plans}
    order = [name for name in map(display_name, (path for path, _ in plan_files)) if name in analysed or name in kept]
    # mkdocs.yml is made from what the sidebar shows of each plan: no plan's part is needed for it.
    views = frame([head_of(analysed[n]) if n in analysed else kept[n].head for n in order], site, pages)

    cdn = bool(site and site.site.mermaid == "cdn")
    base_dir = builtin("site_config")
    config = mkdocs_config(load_yaml(base_dir / "mkdocs.base.yml"), views,
                           load_yaml(user_yml) if user_yml.is_file() else None, offline=offline, mermaid_cdn=cdn)
    written = dump(config)  # mkdocs.yml: the Markdown extensions (escaping depends on them) and the nav
    env = make_env(templates, builtin("templates"), markdown_extensions(config))
    own_templates = _any_file(templates)
    # The plans' own pages need nothing from across plans: a child renders a
    # share of them while this process makes the pages across plans (not
    # with templates of the user's, which may read every page of the site).
    early = render_early(pages, env, views) if not own_templates else None
    later: Later | None = None
    try:
        fresh = {name: (p, part) for (name, p), part in zip(analysed.items(), plan_parts(analysis))}
        known: dict[str, str] = {}  # the pages across plans (path -> digest of their Markdown), when keyed
        done: dict[str, str] = {}  # their Markdown, when kept whole or made apart
        across = ""
        own = {page.path for page in pages}  # the plans' own pages, kept in their records
        texts = {name: records.part_text(part) for name, (_, part) in fresh.items()} if records.folder else {}
        # The pages across plans are kept (whole, and block by block: see render/keep.py)
        # unless the user's templates, which may read more than a page's view, are in use.
        keyed = records.folder is not None and not own_templates
        if keyed and records.folder is not None:
            # A block reads its values, its page's path and the filters, which read the Markdown
            # extensions only (not the nav: a title edit keeps the blocks that do not show it).
            extensions = repr(sorted(markdown_extensions(config)))
            env.blocks = Blocks(records.folder, store.digest(records.common, extensions))  # type: ignore[attr-defined]
            settings = repr((views.title, views.organisation, views.description, views.hidden, views.nav)) + written
            across = records.across_key(settings, [records.part_digest(texts[n]) if n in fresh else
                                                   kept[n].part_digest for n in order],
                                        store.canonical(conflicts_shown(analysis.conflicts)).decode("utf-8"))
            if across == last.across:
                # All made from the same parts and checks as last time (a text edit): the pages across
                # plans are kept whole, and the kept plans' parts are not even read.
                done = {path: text for path, digest in last.pages.items() if (text := records.page(path, digest)) is not None}
                if len(done) == len(last.pages):
                    known = dict(last.pages)
                else:
                    done = {}

        def make(workers: int | None, told: Callable[[str, int, int], None] | None = None) -> Made:
            """The pages across plans, from every plan's part, kept for the next build."""
            whole = site_views([fresh[n][1] if n in fresh else records.part(kept[n]) for n in order], site, day,
                               pages, analysis.conflicts)
            made, _ = render_pages(replace(whole, pages=tuple(page for page in whole.pages if page.path not in own)),
                                   env, told, plans=len(order), workers=workers)
            return made, {path: records.keep_page(path, text, last.pages.get(path)) for path, text in made.items()}, \
                set(records.used)

        if keyed and not known:
            if overlap and last.pages and early is None and cores() > 1:
                # A rebuild after an edit shown across plans: a child makes those pages while this
                # process writes the rest and MkDocs reads the site (see Later).
                child = fork_start(lambda _: make(1), ())
                if child is not None:
                    def settle(made_known: dict[str, str], used: set[str]) -> None:
                        records.used |= used  # the records the child read or wrote are kept
                        records.used |= {env.blocks.name(path) for path in made_known}  # type: ignore[attr-defined]
                        records.prune()
                        records.keep_last(inputs, across, made_known)

                    later = Later(frozenset(f"docs/{path}" for path in last.pages), child, lambda: make(None), settle)
                    if isinstance(progress, Progress):
                        progress.say("plangen: the edit shows on pages across plans: they are made again alongside")
            if later is None:
                done, known, _ = make(1 if early else None, progress)  # with `early`, on this core only
        elif not keyed:
            views = site_views([fresh[n][1] if n in fresh else records.part(kept[n]) for n in order], site, day,
                               pages, analysis.conflicts)
        # The downloads are made alongside the pages (on another core when there is one).
        rendered, extras = render_pages(views, env, progress, done=done, early=early, plans=len(order), extra={
            "entries": lambda: [plan_entry(p) for p in analysis.plans],
            "events": lambda: [plan_events(p) for p in analysis.plans]})
    except BaseException:
        if early is not None:
            early.cancel()
        if later is not None:
            later.cancel()
        raise
    try:
        entries = dict(zip(fresh, extras["entries"]))
        events = dict(zip(fresh, extras["events"]))
        exports = {
            "plans.json": plans_json(day, [entries[n] if n in fresh else kept[n].entry for n in order]),
            "schema.json": records.text("schema.json", schema_json),  # a function of the code: kept
            "calendar.ics": calendar_ics(day, site, [events[n] if n in fresh else kept[n].events for n in order]),
        }
        records.forget_last()  # until the records below are all written
        records.keep(fresh, kept, warnings, rendered, entries, events, texts)
        if later is None:
            if keyed:
                records.used |= {env.blocks.name(path) for path in known}  # type: ignore[attr-defined]
            records.prune()
            records.keep_last(inputs, across, known)

        files: dict[str, bytes | str] = {"mkdocs.yml": written}
        files.update({f"docs/{path}": text for path, text in (*rendered.items(), *done.items())})
        files.update({f"docs/{path}": text for record in kept.values() for path, text in record.pages})
        digests = {f"docs/{path}": digest for record in kept.values()
                   for (path, _), digest in zip(record.pages, record.digests)}
        for asset in sorted((base_dir / "assets").iterdir()) if assets else []:
            files[f"docs/{OWN}/{asset.name}"] = asset.read_bytes()
        for override in sorted((base_dir / OVERRIDES).iterdir()):
            files[f"{OVERRIDES}/{override.name}"] = override.read_bytes()
        if not cdn and assets:
            for name, path in vendor_files().items():
                files[f"docs/{VENDOR}/{name}"] = path.read_bytes()
        # The downloads live in docs/ so that MkDocs copies them and checks the links to them.
        files.update({f"docs/{name}": text for name, text in exports.items()})
    except BaseException:
        if later is not None:
            later.cancel()  # reaped: no child writes to the cache after this build
        raise
    return Generated(analysis, files, exports, len(order), warnings, later, digests)
