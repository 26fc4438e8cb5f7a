"""`plangen import argo-rollouts`: Argo Rollouts manifests -> plan files.

This module reads the manifests, writes the plans and tells the user what
was left out; the mapping itself is `plangen.importers.argo_rollouts`. A
plan is written only once it passes the same checks as `plangen validate`
(with the automation it names added to site.yaml), so the import never
leaves a file that does not load.
"""

from __future__ import annotations

import os
import tempfile
from datetime import date
from pathlib import Path
from typing import Any

import click
import yaml

from plangen.errors import Finding, PlangenError, plural, printable
from plangen.importers.argo_rollouts import DOCS, Bundle, ImportedPlan, Manifest, Placeholders, import_bundle
from plangen.load import load_bytes
from plangen.model.checks import Directory, check_plan
from plangen.model.explain import validate
from plangen.model.plan import Plan
from plangen.model.site import SiteConfig
from plangen.project import SITE_FILE, display_name, load_site

MAX_BYTES = 2 * 1024 * 1024  # a bundle of manifests is bigger than a plan, but still a page of YAML
MAX_DEPTH = 64
MAX_EVENTS = 200_000
_Loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


class _Unreadable(Exception):
    """One file that cannot be imported: the message names it and says how to fix it."""


def run(files: list[Path], *, out: Path | None, force: bool, site_config: Path | None, owner: str | None,
        risk: str | None, start: date | None, automation: str, today: date) -> int:
    manifests, ignored = read_manifests(files)
    site_file = _site_file(site_config)
    site = _site(site_file)
    chosen_owner = owner or _first_owner(site, site_file)
    given = frozenset(k for k, v in (("owner", owner), ("risk", risk), ("start", start)) if v is not None)
    placeholders = Placeholders(chosen_owner, start or today, risk or "medium", automation, given)
    bundle = import_bundle(manifests, placeholders, [display_name(f) for f in files])
    bundle.ignored[:0] = ignored
    targets = _targets(bundle, out, force)
    directory = _directory(site, site_file, automation)
    texts = {}
    for imported, target in zip(bundle.plans, targets):
        text = render(imported, bundle.ignored)
        shown = "<stdout>" if target is None else display_name(target)
        problems = _check(text, shown, directory)
        if problems:
            raise PlangenError(
                f"the plan made from {imported.rollout.label} does not validate, so nothing was written:\n"
                + "\n".join(f"{f.location()}: {f.path}: {f.message}" for f in problems[:10]),
                "a value in the manifest does not fit the plan format; please report it as a plangen bug")
        texts[shown] = (imported, target, text)
    for imported, target, text in texts.values():
        if target is None:
            click.echo(text, nl=False)
        else:
            _write(target, text, force)
    _report(bundle, [(imported, target) for imported, target, _ in texts.values()], site, site_file, automation,
            chosen_owner)
    return 0


# -- reading ---------------------------------------------------------------------
def read_manifests(files: list[Path]) -> tuple[list[Manifest], list[str]]:
    """Every object of every file, each with the line it starts on. All files
    are read before any problem is reported, so the user sees them all."""
    manifests: list[Manifest] = []
    ignored: list[str] = []
    problems = []
    for path in files:
        name = display_name(path)
        try:
            for line, data in _documents(path, name):
                if isinstance(data, dict):
                    manifests.append(Manifest(name, line, data))
                elif data is not None:
                    ignored.append(f"{name}:{line}: ignored: a {type(data).__name__} document, not a Kubernetes "
                                   "object")
        except _Unreadable as exc:
            problems.append(str(exc))
    if problems:
        raise PlangenError(f"cannot import {plural(len(problems), 'file')}:\n" + "\n".join(problems),
                           "fix the files named above (or leave them out), then import again")
    return manifests, ignored


def _documents(path: Path, name: str) -> list[tuple[int, Any]]:
    if path.is_symlink():
        raise _Unreadable(f"{name}: is a symbolic link; plangen reads only regular files, never through links "
                          "(name the real file)")
    if not path.is_file():
        raise _Unreadable(f"{name}: not a regular file (name a manifest file)")
    try:
        with path.open("rb") as handle:
            data = handle.read(MAX_BYTES + 1)
    except OSError as exc:
        raise _Unreadable(f"{name}: cannot read the file: {exc.strerror or exc} (check that you may read it)") from None
    if len(data) > MAX_BYTES:
        raise _Unreadable(f"{name}: over the limit of {MAX_BYTES // 1024 // 1024} MiB (import the file that holds "
                          "the Rollout and its AnalysisTemplates, not a whole cluster dump)")
    try:
        text = data.removeprefix(b"\xef\xbb\xbf").decode("utf-8")
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        raise _Unreadable(f"{name}:{line}: not UTF-8 (byte 0x{data[exc.start]:02X}); save the file as UTF-8") from None
    lines = _document_lines(text, name)
    try:
        docs = list(yaml.load_all(text, Loader=_Loader))
    except yaml.MarkedYAMLError as exc:  # e.g. a tag the safe loader refuses
        raise _Unreadable(_yaml_problem(name, exc)) from None
    return list(zip(lines, docs))


def _document_lines(text: str, name: str) -> list[int]:
    """The line each document starts on. The event parser walks the file
    without building it, so depth, size and aliases are refused before a
    document is built (an alias can make a small file expand without end)."""
    lines, depth, events, fresh = [], 0, 0, False
    try:
        for ev in yaml.parse(text, Loader=_Loader):
            events += 1
            if events > MAX_EVENTS:
                raise _Unreadable(f"{name}: holds more than {MAX_EVENTS} values (import the Rollout's own file)")
            if isinstance(ev, yaml.DocumentStartEvent):
                fresh = True
            elif isinstance(ev, yaml.AliasEvent):
                raise _Unreadable(f"{name}:{ev.start_mark.line + 1}:{ev.start_mark.column + 1}: YAML aliases "
                                  f"(*{ev.anchor}) are not imported (write the value out, as `helm template` and "
                                  "`kustomize build` do)")
            elif isinstance(ev, yaml.NodeEvent):
                if fresh:
                    lines.append(ev.start_mark.line + 1)
                    fresh = False
                if isinstance(ev, (yaml.MappingStartEvent, yaml.SequenceStartEvent)):
                    depth += 1
                    if depth > MAX_DEPTH:
                        raise _Unreadable(f"{name}:{ev.start_mark.line + 1}: nested deeper than {MAX_DEPTH} "
                                          "levels (no manifest needs this; check for runaway brackets)")
            elif isinstance(ev, (yaml.MappingEndEvent, yaml.SequenceEndEvent)):
                depth -= 1
    except yaml.MarkedYAMLError as exc:
        raise _Unreadable(_yaml_problem(name, exc)) from None
    except yaml.YAMLError as exc:
        raise _Unreadable(f"{name}: not YAML: {exc}") from None
    return lines


def _yaml_problem(name: str, exc: yaml.MarkedYAMLError) -> str:
    mark = exc.problem_mark or exc.context_mark
    where = f"{name}:{mark.line + 1}:{mark.column + 1}" if mark else name
    problem = " ".join(str(exc.problem or exc.context or "cannot be read").split())
    if exc.problem and exc.context and exc.context_mark and exc.context_mark is not mark:
        problem += f", {' '.join(str(exc.context).split())} at line {exc.context_mark.line + 1}"
    return f"{where}: not YAML: {problem} (check the syntax near there; quoting a value often helps)"


# -- site.yaml -------------------------------------------------------------------
def _site_file(site_config: Path | None) -> Path:
    folder = site_config or Path("site_config")
    return folder / SITE_FILE if folder.is_dir() else folder


def _site(site_file: Path) -> SiteConfig | None:
    if not site_file.is_file() and not site_file.is_symlink():
        return None
    site, _, findings = load_site(site_file)
    if site is None or any(f.severity == "error" for f in findings):
        raise PlangenError(f"{display_name(site_file)} has problems, so the plan's owner cannot be checked",
                           f"run `plangen validate {display_name(site_file)}` and fix what it reports")
    return site


def _first_owner(site: SiteConfig | None, site_file: Path) -> str:
    """The placeholder owner, picked as `plangen new` picks it."""
    if site is None or not (site.roles or site.people):
        raise PlangenError(f"no people or roles in {display_name(site_file)} to name as the plan's owner",
                           "give --owner ID, or run plangen init first")
    return next(iter(site.roles or site.people))


def _directory(site: SiteConfig | None, site_file: Path, automation: str) -> Directory | None:
    """The ids the plan may name, once the automation is in site.yaml."""
    if site is None:
        return None
    d = Directory.of(site, display_name(site_file))
    return Directory(d.people, d.teams, d.roles, d.source, d.automations | {automation})


def automation_snippet(site: SiteConfig | None, automation: str, owner: str) -> str:
    """What to add to site.yaml so that the plan's automation is known."""
    entry = [f"  {automation}:", "    name: Argo Rollouts controller", f"    owner: {owner}",
             "    kind: controller", f"    docs: {DOCS}"]
    return "\n".join(entry if site is not None and site.automations else ["automations:", *entry])


# -- writing ---------------------------------------------------------------------
def _targets(bundle: Bundle, out: Path | None, force: bool) -> list[Path | None]:
    """Where each plan goes (None: stdout); refused before anything is written."""
    if out is not None and len(bundle.plans) > 1:
        names = ", ".join(p.rollout.label for p in bundle.plans)
        raise click.UsageError(f"--out names one file, but the manifests hold {len(bundle.plans)} Rollouts "
                               f"({names}); leave --out out to write plans/<name>.yaml for each")
    if out is not None and str(out) == "-":
        return [None]
    targets = [out] if out is not None else [Path("plans") / f"{p.plan_id}.yaml" for p in bundle.plans]
    for target in targets:
        assert target is not None
        shown = display_name(target)
        if target.suffix not in (".yaml", ".yml"):
            raise click.UsageError(f"{shown}: a plan file's name ends in .yaml (plangen reads only *.yaml, *.yml)")
        if target.is_symlink():
            raise PlangenError(f"{shown} is a symbolic link; plangen does not write through links",
                               "remove the link, or choose another file with --out")
        if target.is_dir():
            raise PlangenError(f"{shown} is a folder", "name a file with --out, e.g. --out plans/checkout.yaml")
        if target.exists() and not force:
            raise PlangenError(f"{shown} exists already", "use --force to replace it, or --out to write another file")
    return targets


def _write(target: Path, text: str, force: bool) -> None:
    """Atomically: the file is either the old one or the whole new one."""
    target.parent.mkdir(parents=True, exist_ok=True)
    fd, temp = tempfile.mkstemp(dir=target.parent, prefix=f".{target.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            handle.write(text)
        mask = os.umask(0)
        os.umask(mask)
        os.chmod(temp, 0o666 & ~mask)  # as an ordinary new file, not mkstemp's 0600
        if force:
            os.replace(temp, target)
        else:
            try:
                os.link(temp, target)  # fails if the file appeared meanwhile: never replaced unasked
            except FileExistsError:
                raise PlangenError(f"{display_name(target)} exists already", "use --force to replace it") from None
    finally:
        if os.path.lexists(temp):
            os.unlink(temp)


class _Dumper(yaml.SafeDumper):
    """Multi-line text (queries, job commands) as literal blocks, as people write them."""


def _text(dumper: yaml.SafeDumper, value: str) -> yaml.ScalarNode:
    return dumper.represent_scalar("tag:yaml.org,2002:str", value, style="|" if "\n" in value else None)


_Dumper.add_representer(str, _text)


def render(imported: ImportedPlan, ignored: list[str]) -> str:
    """The plan file: a header that says where it came from, every TODO and
    everything not mapped, then the plan."""
    notes = list(dict.fromkeys(imported.unmapped + ignored))
    head = [f"Imported by `plangen import argo-rollouts` from {', '.join(imported.sources)}",
            f"({imported.rollout.label} at {imported.rollout.where}). What a manifest cannot say is a placeholder,",
            "listed under TODO; `plangen lint` reports most of them as findings.", "",
            f"TODO ({len(imported.todos)}):", *[f"  - {t}" for t in imported.todos], "",
            f"Not mapped ({len(notes)}):", *([f"  - {n}" for n in notes] or ["  (nothing)"])]
    header = "".join(f"# {printable(line)}".rstrip() + "\n" for line in head)
    body = yaml.dump(imported.plan, Dumper=_Dumper, sort_keys=False, allow_unicode=True, width=110)
    return header + body


def _check(text: str, name: str, directory: Directory | None) -> list[Finding]:
    """What `plangen validate` would say about the plan (errors and warnings)."""
    doc, findings = load_bytes(text.encode("utf-8"), name)
    if doc is not None:
        plan, problems = validate(doc, Plan)
        findings = findings + problems + (check_plan(doc, plan, directory) if plan is not None else [])
    return [f for f in findings if f.severity in ("error", "warning")]


def _report(bundle: Bundle, written: list[tuple[ImportedPlan, Path | None]], site: SiteConfig | None,
            site_file: Path, automation: str, owner: str) -> None:
    say = lambda text: click.echo(printable(text), err=True)  # noqa: E731
    for imported, target in written:
        plan = imported.plan
        phases = plan["rollout"]["phases"]
        gates = sum(len(p.get("analysis", [])) for p in phases)
        where = "printed" if target is None else f"wrote {display_name(target)}:"
        say(f"plangen: {where} {imported.rollout.label} as a {plan['rollout']['strategy']} plan with "
            f"{plural(len(phases), 'phase')}, {gates} {'analysis' if gates == 1 else 'analyses'} and "
            f"{plural(len(plan.get('approvals', [])), 'approval')}")
        lint = "`plangen lint`" if target is None else f"`plangen lint {display_name(target)}`"
        say(f"  {plural(len(imported.todos), 'TODO')} (placeholders) listed at the top of the plan; {lint} "
            "reports what is left")
    notes = list(dict.fromkeys([n for imported, _ in written for n in imported.unmapped] + bundle.ignored))
    say(f"Not mapped ({len(notes)}):" if notes else "Not mapped: nothing")
    for note in notes:
        say(f"  - {note}")
    if site is None or automation not in site.automations:
        where = display_name(site_file)
        say(f"plangen: the plan names the automation '{automation}' (it runs the steps and decides the analyses "
            f"and rollbacks), which {where} does not define, so `plangen validate` reports it as unknown until "
            + ("you add this to it (the owner is a placeholder too):" if site is not None else
               "you create it with people, teams, roles and this:"))
        click.echo(automation_snippet(site, automation, owner), err=True)
