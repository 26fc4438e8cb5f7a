"""Front-end files the site ships instead of loading them from a CDN.

Each is a pinned npm package, fetched once with `npm pack` (npm's own
registry, proxy and certificate settings apply), checked against the
registry's sha512 integrity, and kept in a cache folder. Builds copy them
from the cache; they never fall back to a CDN.
"""

from __future__ import annotations

import base64
import hashlib
import io
import json
import os
import shutil
import subprocess
import tarfile
import tempfile
from dataclasses import dataclass
from pathlib import Path

from plangen.errors import PlangenError


@dataclass(frozen=True)
class Asset:
    package: str
    version: str
    integrity: str  # as the registry publishes it: sha512-<base64>
    member: str  # the file inside the package tarball
    name: str  # the file name in the site's assets/vendor/


ASSETS = (
    Asset("mermaid", "11.17.2",
          "sha512-V6K3C8EBdEsPFZXSKMJe6ppQOENxuHARr9GvHX4hh47lAbhMRD9qf4oEK7LoaRQxULMa80/qt5gHO73aCleBBg==",
          "package/dist/mermaid.min.js", "mermaid.min.js"),
    Asset("iframe-worker", "1.0.4",
          "sha512-roeaaI+Lg1LJNfgpCjoRe/+WzEjy9+Z08LoEvu85MCPbBjwm+qXz8Ag5U05lHa6V1CysZyGzE0SOkAtSUA5q7Q==",
          "package/shim/index.js", "iframe-worker-shim.js"),
)


def cache_dir() -> Path:
    """$PLANGEN_CACHE, else $XDG_CACHE_HOME/plangen, else ~/.cache/plangen."""
    if os.environ.get("PLANGEN_CACHE"):
        return Path(os.environ["PLANGEN_CACHE"])
    base = os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache"
    return Path(base) / "plangen"


def _cached(asset: Asset, cache: Path) -> Path:
    return cache / "vendor" / f"{asset.package}-{asset.version}" / asset.name


def _integrity(data: bytes) -> str:
    return "sha512-" + base64.b64encode(hashlib.sha512(data).digest()).decode()


def _npm_pack(asset: Asset, into: Path) -> bytes:
    npm = shutil.which("npm")
    if npm is None:
        raise PlangenError(
            f"npm is needed once, to fetch {asset.package} {asset.version} for the offline site, and is not installed",
            "install Node.js and npm (e.g. apt-get install nodejs npm), then build again; "
            "or copy a cache folder made elsewhere and point PLANGEN_CACHE at it",
        )
    spec = f"{asset.package}@{asset.version}"
    done = subprocess.run(
        [npm, "pack", spec, "--pack-destination", str(into), "--json", "--ignore-scripts"],
        capture_output=True, text=True, timeout=600,
    )
    if done.returncode != 0:
        raise PlangenError(f"npm pack {spec} failed: {done.stderr.strip()[-500:]}",
                           "check that this machine reaches the npm registry (npm config get registry)")
    filename = json.loads(done.stdout)[0]["filename"].replace("@", "").replace("/", "-")
    return (into / filename).read_bytes()


def fetch(asset: Asset, cache: Path) -> Path:
    """The asset's file in the cache, fetched and checked first if missing."""
    target = _cached(asset, cache)
    if target.is_file():
        return target
    with tempfile.TemporaryDirectory() as tmp:
        tarball = _npm_pack(asset, Path(tmp))
        if _integrity(tarball) != asset.integrity:
            raise PlangenError(
                f"{asset.package} {asset.version} from npm does not match its pinned checksum",
                "the registry or a proxy served another file; nothing was cached",
            )
        with tarfile.open(fileobj=io.BytesIO(tarball), mode="r:gz") as archive:
            member = archive.extractfile(asset.member)
            if member is None:
                raise PlangenError(f"{asset.package} {asset.version} has no {asset.member}")
            data = member.read()
    target.parent.mkdir(parents=True, exist_ok=True)
    partial = target.with_suffix(".part")
    partial.write_bytes(data)
    partial.replace(target)  # a half-written file is never taken for a cached one
    return target


def vendor_files(cache: Path | None = None) -> dict[str, Path]:
    """Site file name -> cached file, for every asset (fetching what is missing)."""
    cache = cache or cache_dir()
    return {asset.name: fetch(asset, cache) for asset in ASSETS}
