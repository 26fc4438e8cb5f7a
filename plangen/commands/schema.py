"""`plangen schema`: print the JSON Schema of a plan or of site.yaml, or
the Markdown reference of both (docs/reference.md)."""

from __future__ import annotations

import json

import click

from plangen.model.schema import plan_schema, site_schema


def run(kind: str, markdown: bool = False) -> None:
    if markdown:
        from plangen.model.reference import reference_markdown

        click.echo(reference_markdown(), nl=False)
        return
    schema = site_schema() if kind == "site" else plan_schema()
    click.echo(json.dumps(schema, indent=2, ensure_ascii=False))
