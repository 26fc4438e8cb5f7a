"""Find the plan files and the site config, load and validate them all.

Everything is read and checked before anything is reported, so a command sees
every problem at once. Nothing here writes.
"""

from __future__ import annotations

import os
from collections import Counter
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

from plangen.errors import Finding, PlangenError
from plangen.load import FORBIDDEN, MAX_FINDINGS, Document, describe_char, load_file
from plangen.model.checks import Directory, check_plan, check_site
from plangen.model.links import link_plans
from plangen.model.explain import validate
from plangen.model.plan import Plan
from plangen.model.site import SiteConfig
from plangen.workers import cores, fork_map, share_done, split

PLAN_SUFFIXES = (".yaml", ".yml")
SITE_FILE = "site.yaml"
# MkDocs settings that live beside site.yaml, not plans (a plan may well be
# called mkdocs-upgrade.yaml).
NOT_PLANS = frozenset({"mkdocs.yml", "mkdocs.yaml", "mkdocs.base.yml", "mkdocs.base.yaml"})
DEFAULT_PLANS = Path("plans")
DEFAULT_SITE_CONFIG = Path("site_config")


@dataclass(frozen=True)
class LoadedPlan:
    """A valid plan with its source, for positions in later findings."""

    plan: Plan
    doc: Document
    group: str  # sub-folder under the plans folder ("" at the top): a nav section


@dataclass(frozen=True)
class Project:
    plans: tuple[LoadedPlan, ...]
    site: SiteConfig | None
    site_doc: Document | None
    findings: tuple[Finding, ...]
    files: int  # how many files were read
    kept: tuple[str, ...] = ()  # plans left unread, their results kept from an earlier build (see load_project)

    @property
    def ok(self) -> bool:
        return not any(f.severity == "error" for f in self.findings)


def display_name(path: Path) -> str:
    """Relative to the working folder when inside it, as compilers print."""
    try:  # a relative path is relative to it already (relpath would ask the system for it, per file)
        rel = os.path.normpath(path) if not os.path.isabs(path) else ""
        if not rel or rel.startswith(".."):  # it may come back inside: worked out whole
            rel = os.path.relpath(path)
    except ValueError:  # another drive on Windows
        return str(path)
    return str(path) if rel.startswith("..") else rel


def _group(path: Path, root: Path) -> str:
    rel = path.parent.relative_to(root).as_posix()
    return "" if rel == "." else rel


def _classify(files: list[tuple[Path, str]], plans: list[tuple[Path, str]], sites: list[Path]) -> None:
    for path, group in files:
        if path.name == SITE_FILE:
            sites.append(path)
        elif path.name not in NOT_PLANS:
            plans.append((path, group))


def _walk(root: Path) -> list[Path]:
    """Every file under `root`, hidden ones left out, links not followed:
    a link is listed (and later refused) but never descended into."""
    found = []
    stack = [root]
    while stack:
        folder = stack.pop()
        for entry in sorted(folder.iterdir()):
            if entry.name.startswith("."):
                continue
            if entry.is_dir() and not entry.is_symlink():
                stack.append(entry)
            elif entry.suffix in PLAN_SUFFIXES and (entry.is_file() or entry.is_symlink()):
                found.append(entry)
    return sorted(found)


def discover(paths: Sequence[Path]) -> tuple[list[tuple[Path, str]], Path | None]:
    """Split the given paths into plan files (with their group) and a site.yaml.

    Folders are searched recursively; a file named site.yaml is the site
    config, mkdocs*.yml are MkDocs settings, and every other *.yaml is a plan.
    """
    plans: list[tuple[Path, str]] = []
    sites: list[Path] = []
    for path in paths:
        if path.is_symlink():
            raise PlangenError(f"{path} is a symbolic link; plangen never reads through links",
                               "name the real file or folder")
        if path.is_dir():
            found = _walk(path)
            before = len(plans) + len(sites)
            _classify([(p, _group(p, path)) for p in found], plans, sites)
            if len(plans) + len(sites) == before:
                raise PlangenError(
                    f"{path}: no plan files (*.yaml, *.yml) in this folder",
                    "name the folder that holds the plans, e.g. plans/",
                )
        elif path.is_file():
            _classify([(path, "")], plans, sites)
        else:
            raise PlangenError(f"{path}: no such file or folder", "give a plan file, a folder of plans or site_config/")
    unique_sites = sorted({s.absolute(): s for s in sites}.values())
    if len(unique_sites) > 1:
        raise PlangenError(
            "more than one site.yaml: " + ", ".join(map(str, unique_sites)),
            "name one folder of plans and one site_config/",
        )
    seen: set[Path] = set()
    unique = []
    for plan, group in plans:  # a folder and a file inside it: read the file once
        if plan.absolute() not in seen:
            seen.add(plan.absolute())
            unique.append((plan, group))
    return unique, (unique_sites[0] if unique_sites else None)


def _refuse_path(path: Path, group: str = "") -> list[Finding]:
    """A file plangen will not read: a link (it may point anywhere, e.g. at a
    secret outside the project), or a name holding characters that would be
    shown in the site, the exports and the terminal."""
    name = display_name(path)
    bad = FORBIDDEN.search(str(path)) or FORBIDDEN.search(group)
    if bad:
        return [Finding(name, 1, 1, "", f"the file or folder name holds a {describe_char(bad.group())}",
                        "rename it: names become page titles, links and export fields")]
    if path.is_symlink():
        return [Finding(name, 1, 1, "", "is a symbolic link; plangen reads only regular files, never through links",
                        "replace the link with the file itself")]
    return []


def load_site(path: Path) -> tuple[SiteConfig | None, Document | None, list[Finding]]:
    refused = _refuse_path(path)
    if refused:
        return None, None, refused
    doc, warnings = load_file(path, display_name(path))  # with a document: warnings only
    if doc is None:
        return None, None, warnings
    site, findings = validate(doc, SiteConfig)
    if site is None:
        return None, doc, warnings + findings
    return site, doc, warnings + check_site(doc, site)


def load_plan(path: Path, group: str) -> tuple[LoadedPlan | None, Document | None, list[Finding]]:
    refused = _refuse_path(path, group)
    if refused:
        return None, None, refused
    doc, warnings = load_file(path, display_name(path))  # with a document: warnings only
    if doc is None:
        return None, None, warnings
    data = doc.data
    from_name = data.get("id") is None
    if from_name:
        data = {**data, "id": path.stem}
    plan, findings = validate(doc, Plan, data)
    if from_name:
        findings = [_explain_file_name_id(f, path.stem) if f.path == "id" else f for f in findings]
    if plan is None:
        return None, doc, warnings + findings
    return LoadedPlan(plan, doc, group), doc, warnings


def _explain_file_name_id(finding: Finding, stem: str) -> Finding:
    return Finding(
        finding.file, 1, 1, "id",
        f"the plan has no 'id' and its file name {stem!r} is not a valid id",
        "add an 'id:' line (lower-case letters, digits and hyphens), or rename the file",
    )


PLANS_PER_WORKER = 100  # below this, a fork costs more than it saves
PARENT_SHARE = 1.4  # measured at 1,000 plans on two cores: 1.26 s to 1.10 s


def locate(paths: Sequence[Path] | None, site_config: Path | None) -> tuple[list[tuple[Path, str]], Path | None]:
    """The plan files (with their group) and the site.yaml that `paths`
    name: by default plans/ and site_config/ in the working folder; the
    site config from a site.yaml among the paths, else from `site_config`,
    else ./site_config/site.yaml."""
    if not paths:
        paths = [p for p in (DEFAULT_PLANS, DEFAULT_SITE_CONFIG) if p.exists()]
        if not paths:
            raise PlangenError(
                "nothing to check: there is no plans/ or site_config/ folder here",
                "run plangen in your project folder, or name the files: plangen validate PATH...",
            )
    plan_files, site_path = discover(paths)
    if site_path is None:
        candidate = site_config or DEFAULT_SITE_CONFIG
        if candidate.is_symlink():
            raise PlangenError(f"{candidate} is a symbolic link; plangen never reads through links",
                               "name the real folder")
        candidate = candidate / SITE_FILE if candidate.is_dir() else candidate
        if candidate.is_file():
            site_path = candidate
        elif site_config is not None:
            raise PlangenError(f"{site_config}: no site.yaml there", "point --site-config at site_config/ or its site.yaml")
    return plan_files, site_path


def load_project(paths: Sequence[Path] | None = None, site_config: Path | None = None,
                 progress: Callable[[str, int, int], None] | None = None,
                 unread: Mapping[str, str] | None = None,
                 located: tuple[list[tuple[Path, str]], Path | None] | None = None) -> Project:
    """Load, validate and cross-check every plan and the site config (see
    `locate` for what is read). `progress(stage, done, total)` hears of
    each plan read. `unread` (file -> plan id) names plans whose results an
    earlier build kept: they are not read, unless a plan that is read names
    them or shares their id (`Project.kept` says which stayed unread).
    `located`: what `locate` gave for the same arguments, if the caller has it.
    """
    plan_files, site_path = located or locate(paths, site_config)
    findings: list[Finding] = []
    site = site_doc = None
    if site_path is not None:
        site, site_doc, site_findings = load_site(site_path)
        findings += site_findings
    # No site.yaml: every "who" is unknown. A broken one: skip those checks,
    # its own findings say what to fix first.
    directory = None if site_path and site is None else Directory.of(site, display_name(site_path) if site_path else None)
    kept = {path: unread[display_name(path)] for path, _ in plan_files if display_name(path) in (unread or {})}
    to_read = [(path, group) for path, group in plan_files if path not in kept]

    def read(chunk: Sequence[tuple[Path, str]], report: bool) -> list[tuple[LoadedPlan | None, list[Finding], bool]]:
        out = []
        for done, (path, group) in enumerate(chunk, 1):
            loaded, _, plan_findings = load_plan(path, group)
            checked = check_plan(loaded.doc, loaded.plan, directory) if loaded is not None else []
            # Only a plan that passes every cross-check goes on to analysis:
            # readiness rules rely on references that resolve and dates
            # that can be computed.
            out.append((loaded, plan_findings + checked, not any(f.severity == "error" for f in checked)))
            if report and progress:  # this process's share stands for every worker's
                progress("reading plans", share_done(done, len(chunk), len(to_read)), len(to_read))
        return out

    plans: list[LoadedPlan] = []
    parsed: list[LoadedPlan] = []  # valid on their own, whatever their cross-checks say
    while to_read:
        # This process reads a larger share: it also unpickles the plans each child read
        # (about a third of what reading them cost), so both finish at about the same time.
        chunks = split(to_read, min(cores(), max(1, len(to_read) // PLANS_PER_WORKER)), first=PARENT_SHARE)
        for part in fork_map(lambda chunk: read(chunk, chunk is chunks[0]), chunks):
            for loaded, plan_findings, checked_ok in part:
                if loaded is not None:
                    parsed.append(loaded)
                    if checked_ok:
                        plans.append(loaded)
                findings += plan_findings
        if progress:
            progress("reading plans", len(to_read), len(to_read))
        # A kept plan is read after all when a plan read names it (its
        # links are checked against it) or when its id is taken twice.
        ids = Counter([p.plan.id for p in parsed] + list(kept.values()))
        named = {d.plan for p in parsed for d in p.plan.dependencies if d.plan} | \
            {r.plan for p in parsed for r in p.plan.relations} | {i for i, n in ids.items() if n > 1}
        to_read = [(path, group) for path, group in plan_files if kept.get(path) in named]
        kept = {path: ident for path, ident in kept.items() if ident not in named}
    duplicates = _duplicate_plan_ids(plans)
    findings += duplicates
    clashing = {f.file for f in duplicates}
    plans = [p for p in plans if p.doc.file not in clashing]
    # Every plan's links are checked, whatever else is wrong with it; a plan
    # given alone may name others of the project's plans folder.
    links = link_plans(parsed, parsed + _others(parsed, plan_files))
    findings += links.findings
    broken = {f.file for f in links.findings if f.severity == "error"}
    plans = [links.plans.get(p.doc.file, p) for p in plans if p.doc.file not in broken]
    files = len(plan_files) + (site_path is not None)
    return Project(tuple(plans), site, site_doc, capped(findings), files,
                   tuple(display_name(path) for path in kept))


def _others(parsed: list[LoadedPlan], given: list[tuple[Path, str]]) -> list[LoadedPlan]:
    """The rest of the plans folder (./plans, or the `plans` folder a given file
    is in), read only when a given plan names a plan that was not given."""
    ids = {p.plan.id for p in parsed}
    named = {d.plan for p in parsed for d in p.plan.dependencies if d.plan} | \
        {r.plan for p in parsed for r in p.plan.relations}
    if named <= ids:
        return []
    roots = {DEFAULT_PLANS.absolute(): DEFAULT_PLANS} if DEFAULT_PLANS.is_dir() else {}
    for path, _ in given:
        folder = next((a for a in path.absolute().parents if a.name == DEFAULT_PLANS.name), None)
        if folder is not None:
            roots.setdefault(folder, folder)
    read = {path.absolute() for path, _ in given}
    found = []
    for root in roots.values():
        if not root.is_symlink():
            found += discover([root])[0]
    others = []
    for path, group in found:
        if path.absolute() not in read:
            read.add(path.absolute())
            loaded, _, _ = load_plan(path, group)
            if loaded is not None:
                others.append(loaded)
    return others


def capped(findings: list[Finding]) -> tuple[Finding, ...]:
    """Sorted, with at most MAX_FINDINGS per file: past that, one line says
    how many more there are (a pathological file must not flood the output)."""
    out: list[Finding] = []
    by_file: dict[str, list[Finding]] = {}
    for f in sorted(set(findings)):
        by_file.setdefault(f.file, []).append(f)
    for file, items in by_file.items():
        out += items[:MAX_FINDINGS]
        if len(items) > MAX_FINDINGS:
            last = items[MAX_FINDINGS - 1]
            out.append(Finding(file, last.line, last.col, "", f"and {len(items) - MAX_FINDINGS} more problems "
                               "in this file, not shown", "fix the ones above first; most often they share one cause"))
    return tuple(out)


def _duplicate_plan_ids(plans: list[LoadedPlan]) -> list[Finding]:
    findings = []
    first: dict[str, LoadedPlan] = {}
    for loaded in plans:
        other = first.setdefault(loaded.plan.id, loaded)
        if other is loaded:
            continue
        line, col = other.doc.position(("id",))
        findings.append(
            loaded.doc.finding(
                ("id",),
                f"plan id '{loaded.plan.id}' is also used by {other.doc.file}:{line}:{col}",
                "plan ids must be unique across files: they become the page URL plans/<id>/",
            )
        )
    return findings
