"""`plangen audit PLAN`: one plan's audit pack, for people (Markdown) or for
GRC tools (JSON): its approvals with what each gated and the plan at each
decision (from git), its checks and evidence, waivers, and the readiness
findings, all as of the build date (deterministic under --as-of)."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import click

from plangen.analysis.analyse import analyse
from plangen.commands.pipeline import USER_TEMPLATES, history_note, judge_day
from plangen.commands.report import dump_json, emit, say
from plangen.errors import PlangenError, printable
from plangen.model.explain import did_you_mean
from plangen.history import open_history
from plangen.project import display_name, load_project
from plangen.render.env import make_env
from plangen.render.pages import render_one
from plangen.resources import builtin
from plangen.site.config import load_yaml, markdown_extensions
from plangen.site.writer import write_tree
from plangen.views.audit import audit_json, audit_page
from plangen.views.base import Directory


def run(plan: str, paths: list[Path], site_config: Path | None, fmt: str, out: Path | None,
        as_of: date | None) -> int:
    day = judge_day(as_of)
    project = load_project(paths, site_config)
    errors = [f for f in project.findings if f.severity == "error"]
    if errors:
        emit(errors, "text")
        say("plangen: the plans do not validate; fix them to audit")
        return 1
    found = open_history([Path(p.doc.file) for p in project.plans])
    history = history_note(found, project)
    analysis = analyse(project, day, history=history)
    wanted = Path(plan)
    chosen = [p for p in analysis.plans if p.context.plan.id == plan
              or (wanted.suffix in (".yaml", ".yml") and display_name(wanted) == p.loaded.doc.file)]
    if not chosen:
        ids = [p.context.plan.id for p in analysis.plans]
        raise PlangenError(f"no plan {printable(plan)} among {len(ids)} plans", did_you_mean(plan, ids)
                           + " (give a plan id or its file)")
    page = audit_page(chosen[0], Directory(project.site), found if isinstance(found, str) else "")
    if fmt == "json":
        text = dump_json(audit_json(page)) + "\n"
    else:
        extensions = markdown_extensions(load_yaml(builtin("site_config") / "mkdocs.base.yml"))
        text = render_one(make_env(USER_TEMPLATES, builtin("templates"), extensions), "audit.md.j2", page, page.path)
    if out is None:
        click.echo(text, nl=False)
        return 0
    name = f"{page.id}.audit.{'json' if fmt == 'json' else 'md'}"
    write_tree(out, {name: text})
    say(f"plangen: audit pack of {page.id} written to {out / name} (as of {day})")
    return 0
