"""JSON Schemas of the plan and of site.yaml, generated from the models."""

from __future__ import annotations

from typing import Any

from plangen.model.plan import FORMAT, Plan
from plangen.model.site import SiteConfig

DIALECT = "https://json-schema.org/draft/2020-12/schema"


def plan_schema() -> dict[str, Any]:
    schema = Plan.model_json_schema(by_alias=True)
    # In a file, `id` may be left out: the loader takes the file name.
    schema["required"] = [name for name in schema["required"] if name != "id"]
    return {"$schema": DIALECT, "title": f"Deployment plan ({FORMAT})", **_drop_title(schema)}


def site_schema() -> dict[str, Any]:
    schema = SiteConfig.model_json_schema(by_alias=True)
    return {"$schema": DIALECT, "title": "plangen site config (site_config/site.yaml)", **_drop_title(schema)}


def _drop_title(schema: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in schema.items() if k != "title"}
