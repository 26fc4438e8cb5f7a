"""The MkDocs configuration, assembled as data and dumped as YAML.

Built-in base (site_config/mkdocs.base.yml) <- what plangen generates (site
name, nav, assets) <- the project's own site_config/mkdocs.yml. Mappings are
merged, lists replaced, as MkDocs' INHERIT does. MkDocs-specific YAML tags
(`!!python/name:`, `!ENV`, `!relative`) are carried through untouched.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from plangen.errors import PlangenError
from plangen.render.escape import theme_text
from plangen.views.site import NavItem, SiteViews

VENDOR = "assets/vendor"
OWN = "assets/plangen"
OVERRIDES = "overrides"  # theme overrides, beside mkdocs.yml in the render folder


@dataclass(frozen=True)
class Tagged:
    """A YAML value with a tag plangen does not interpret (MkDocs does)."""

    tag: str
    value: Any


class _Loader(yaml.SafeLoader):
    pass


class _Dumper(getattr(yaml, "CSafeDumper", yaml.SafeDumper)):  # type: ignore[misc]
    """libyaml's emitter where there is one: a thousand plans' nav is written in a fiftieth of the time."""


def _tagged(loader: yaml.Loader, tag_suffix: str, node: yaml.Node) -> Tagged:
    return Tagged("tag:yaml.org,2002:python/name:" + tag_suffix, loader.construct_scalar(node))  # type: ignore[arg-type]


def _local(loader: yaml.Loader, tag: str, node: yaml.Node) -> Tagged:
    value = loader.construct_scalar(node) if isinstance(node, yaml.ScalarNode) else loader.construct_sequence(node)  # type: ignore[arg-type]
    return Tagged(tag, value)


_Loader.add_multi_constructor("tag:yaml.org,2002:python/name:", _tagged)
_Loader.add_multi_constructor("!", _local)


def _represent(dumper: yaml.Dumper, data: Tagged) -> yaml.Node:
    if isinstance(data.value, list):
        return dumper.represent_sequence(data.tag, data.value)
    return dumper.represent_scalar(data.tag, data.value)


_Dumper.add_representer(Tagged, _represent)


def load_yaml(path: Path) -> dict[str, Any]:
    """A MkDocs config file (the project's own: trusted, but never executed)."""
    try:
        data = yaml.load(path.read_text(encoding="utf-8"), Loader=_Loader)  # noqa: S506  (safe loader subclass)
    except (OSError, yaml.YAMLError) as exc:
        raise PlangenError(f"{path}: cannot read it as YAML: {exc}", "fix the file, or remove it to use the defaults")
    if data is None:
        return {}
    if not isinstance(data, dict):
        raise PlangenError(f"{path}: expected a mapping of MkDocs settings", "see the MkDocs configuration docs")
    return data


def merge(base: dict[str, Any], over: dict[str, Any]) -> dict[str, Any]:
    out = dict(base)
    for key, value in over.items():
        if isinstance(value, dict) and isinstance(out.get(key), dict):
            out[key] = merge(out[key], value)
        else:
            out[key] = value
    return out


def _nav(items: tuple[NavItem, ...]) -> list[Any]:
    # MkDocs themes print nav titles as HTML: plan titles must arrive escaped.
    return [{theme_text(item.title): item.path if item.path else _nav(item.children)} for item in items]


def generated(views: SiteViews, *, offline: bool, mermaid_cdn: bool) -> dict[str, Any]:
    """What plangen itself contributes to mkdocs.yml."""
    # Mermaid only on pages with a diagram (the theme override reads this list).
    mermaid = ([] if mermaid_cdn else [f"{VENDOR}/mermaid.min.js"]) + [f"{OWN}/mermaid-init.js"]
    config: dict[str, Any] = {
        "theme": {"custom_dir": OVERRIDES},
        "site_name": theme_text(views.title),  # printed as HTML by the theme
        "docs_dir": "docs",
        "nav": _nav(views.nav),
        "not_in_nav": "\n".join(f"/{path}" for path in views.hidden),
        "extra_css": [f"{OWN}/plangen.css"],
        "extra_javascript": [f"{OWN}/runbook.js"],
        "extra": {"plangen_mermaid": mermaid},
    }
    if views.organisation:
        config["copyright"] = theme_text(views.organisation)
    if views.description:
        config["site_description"] = theme_text(views.description)  # the pages' meta description
    if offline:
        # Search from file://: the offline plugin inlines the index; the shim
        # it needs comes from the local copy, not from a CDN.
        config["plugins"] = ["search", "offline"]
        config["extra"]["polyfills"] = [f"{VENDOR}/iframe-worker-shim.js"]
    return config


def mkdocs_config(base: dict[str, Any], views: SiteViews, user: dict[str, Any] | None, *,
                  offline: bool, mermaid_cdn: bool) -> dict[str, Any]:
    config = merge(base, generated(views, offline=offline, mermaid_cdn=mermaid_cdn))
    if offline and "plugins" in base:
        config["plugins"] = [p for p in base["plugins"] if p != "offline"] + ["offline"]
    config = merge(config, user or {})
    check_extensions(config)
    return config


# Extensions that rewrite plain text by design, into links (magiclink: bare
# addresses and @mentions), into other characters and superscripts
# (smartsymbols: (c), 1st, -->), or into edit marks everywhere, code blocks
# included (critic: {++ ++}). No escape can keep plan text exact under them,
# so a config that enables them is refused.
REFUSED_EXTENSIONS = frozenset({"pymdownx.magiclink", "pymdownx.smartsymbols", "pymdownx.critic"})


def check_extensions(config: dict[str, Any]) -> None:
    refused = sorted(markdown_extensions(config) & REFUSED_EXTENSIONS)
    if refused:
        raise PlangenError(
            f"site_config/mkdocs.yml enables {', '.join(refused)}, which turns plan text into links or symbols",
            "remove it from markdown_extensions; plangen shows plan text exactly as written",
        )


def markdown_extensions(config: dict[str, Any]) -> frozenset[str]:
    """The names of the Markdown extensions a config enables."""
    names = set()
    for item in config.get("markdown_extensions") or []:
        if isinstance(item, str):
            names.add(item)
        elif isinstance(item, dict):
            names.update(str(key) for key in item)
    return frozenset(names)


def dump(config: dict[str, Any]) -> str:
    return "# Generated by plangen: edit site_config/mkdocs.yml instead.\n" + yaml.dump(
        config, Dumper=_Dumper, sort_keys=False, allow_unicode=True, default_flow_style=False, width=100,
    )
