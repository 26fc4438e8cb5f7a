"""The whole way from plan files to a ready docs folder, in memory, shared by
`render`, `build` and `serve`. Reads everything and checks it before any
file is written."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from functools import partial
from datetime import date
from pathlib import Path

from plangen.analysis.analyse import Analysis, analyse
from plangen.analysis.dates import build_date
from plangen.errors import Finding, PlangenError
from plangen.model.base import MAX_DAY, MIN_DAY
from plangen.project import DEFAULT_SITE_CONFIG, load_project
from plangen.render.env import make_env
from plangen.render.exports import calendar_ics, plans_json, schema_json
from plangen.render.pages import render_pages
from plangen.resources import builtin
from plangen.site.config import OVERRIDES, OWN, VENDOR, dump, load_yaml, markdown_extensions, mkdocs_config
from plangen.site.vendor import vendor_files
from plangen.views.site import site_views

USER_TEMPLATES = Path("templates")


@dataclass(frozen=True)
class Generated:
    analysis: Analysis
    files: dict[str, bytes | str]  # the render folder: mkdocs.yml and docs/...
    exports: dict[str, str]  # published beside the HTML


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
             progress: Callable[[str, int, int], None] | None = None) -> Generated | list[Finding]:
    """Everything a build writes, or the findings that stop it. Without
    `assets`, the static files (stylesheets, Mermaid) are left out."""
    project = load_project(paths, site_config, progress)
    analysis = analyse(project, judge_day(as_of))
    stop = [f for f in analysis.findings if f.severity == "error"]
    if strict:  # validation warnings (text YAML dropped as a comment) stop a strict build too
        stop += [f for f in project.findings if f.severity == "warning"]
    if not project.ok or (strict and stop):
        return sorted(stop)
    site = project.site
    views = site_views(analysis)

    base_dir = builtin("site_config")
    user_dir = site_config if site_config and site_config.is_dir() else (
        site_config.parent if site_config else DEFAULT_SITE_CONFIG)
    user_yml = user_dir / "mkdocs.yml"
    cdn = bool(site and site.site.mermaid == "cdn")
    config = mkdocs_config(load_yaml(base_dir / "mkdocs.base.yml"), views,
                           load_yaml(user_yml) if user_yml.is_file() else None, offline=offline, mermaid_cdn=cdn)
    env = make_env(templates or USER_TEMPLATES, builtin("templates"), markdown_extensions(config))
    # The downloads are made alongside the pages (on another core when there is one).
    pages, exports = render_pages(views, env, progress, extra={
        "plans.json": partial(plans_json, analysis), "schema.json": schema_json,
        "calendar.ics": partial(calendar_ics, analysis)})

    files: dict[str, bytes | str] = {"mkdocs.yml": dump(config)}
    files.update({f"docs/{path}": text for path, text in pages.items()})
    for asset in sorted((base_dir / "assets").iterdir()) if assets else []:
        files[f"docs/{OWN}/{asset.name}"] = asset.read_bytes()
    for override in sorted((base_dir / OVERRIDES).iterdir()):
        files[f"{OVERRIDES}/{override.name}"] = override.read_bytes()
    if not cdn and assets:
        for name, path in vendor_files().items():
            files[f"docs/{VENDOR}/{name}"] = path.read_bytes()
    # The downloads live in docs/ so that MkDocs copies them and checks the links to them.
    files.update({f"docs/{name}": text for name, text in exports.items()})
    return Generated(analysis, files, exports)
