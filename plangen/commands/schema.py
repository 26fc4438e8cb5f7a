"""`plangen schema`: print the JSON Schema of a plan or of site.yaml."""

from __future__ import annotations

import json

import click

from plangen.model.schema import plan_schema, site_schema


def run(kind: str) -> None:
    schema = site_schema() if kind == "site" else plan_schema()
    click.echo(json.dumps(schema, indent=2, ensure_ascii=False))
