"""`plangen init`: a new plan repository that builds as created.

It holds one example plan (dated from today, so that it stays valid), the
people directory, a .gitignore, CI for GitHub Actions and GitLab (validate and
lint on pull requests, publish the site from the default branch), pre-commit
hooks, and the JSON Schema that editors use to complete and check plans.
"""

from __future__ import annotations

import json
from datetime import date, timedelta
from importlib.resources import files
from pathlib import Path

import click

from plangen import __version__
from plangen.errors import PlangenError
from plangen.model.schema import plan_schema
from plangen.site.writer import write_tree

SCHEMA_FILE = "plan.schema.json"


def starter(name: str) -> str:
    return files("plangen.starter").joinpath(name).read_text(encoding="utf-8")


def fill(text: str, **values: str) -> str:
    for key, value in values.items():
        text = text.replace(f"__{key.upper()}__", value)
    return text


def schema_text() -> str:
    return json.dumps(plan_schema(), indent=2, ensure_ascii=False) + "\n"


def run(folder: Path, *, force: bool, branch: str, today: date) -> int:
    if folder.exists() and not folder.is_dir():
        raise PlangenError(f"{folder} is a file", "name a new or empty folder")
    present = sorted(p.name for p in folder.iterdir()) if folder.is_dir() else []
    if present and not force:
        raise PlangenError(
            f"{folder} is not empty ({', '.join(present[:5])}{', ...' if len(present) > 5 else ''})",
            "use an empty folder, or --force to add the starter files (existing files with the same "
            "name are replaced)",
        )
    start = today + timedelta(days=14)
    version = __version__
    tree = {
        "plans/example.yaml": fill(starter("example.yaml"), start=start.isoformat(),
                                   end=(start + timedelta(days=28)).isoformat(), schema=f"../{SCHEMA_FILE}"),
        "site_config/site.yaml": starter("site.yaml"),
        ".gitignore": starter("gitignore"),
        ".pre-commit-config.yaml": starter("pre-commit-config.yaml"),
        ".github/workflows/plans.yml": fill(starter("github-workflow.yml"), version=version, branch=branch),
        ".gitlab-ci.yml": fill(starter("gitlab-ci.yml"), version=version),
        SCHEMA_FILE: schema_text(),
    }
    write_tree(folder, tree)
    for name in sorted(tree):
        click.echo(f"  created {folder / name}", err=True)
    click.echo(f"plangen: a plan repository in {folder}; next: cd {folder} && plangen build --strict", err=True)
    return 0
