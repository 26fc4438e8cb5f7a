"""Wheel build hook: the wheel carries the pinned browser assets (Mermaid and
the offline-search shim) with their licences, downloaded from the npm
registry and checked against their sha512 now, so that an installed plangen
never needs Node.js or the network to build a site."""

from __future__ import annotations

import sys
from typing import Any

from hatchling.builders.hooks.plugin.interface import BuildHookInterface


class VendorAssets(BuildHookInterface):
    PLUGIN_NAME = "custom"

    def initialize(self, version: str, build_data: dict[str, Any]) -> None:
        if self.target_name != "wheel" or version == "editable":  # a checkout uses the cache
            return
        sys.path.insert(0, self.root)
        from plangen.site.vendor import ASSETS, cache_dir, fetch

        for asset in ASSETS:
            for name, path in fetch(asset, cache_dir() / "vendor").items():
                build_data["force_include"][str(path)] = f"plangen/_builtin/vendor/{name}"
