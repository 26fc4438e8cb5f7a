"""Front-end files the site ships instead of loading them from a CDN.

Each is a pinned npm package, downloaded from the npm registry
($npm_config_registry, else registry.npmjs.org; HTTPS proxy settings apply),
checked against the registry's sha512 integrity, and kept with its licence.
A wheel carries them (fetched when the wheel is built, see hatch_build.py),
so an installed plangen needs neither Node.js nor the network; a source
checkout fetches them once into a cache folder.
"""

from __future__ import annotations

import base64
import hashlib
import io
import os
import tarfile
import urllib.error
import urllib.request
from dataclasses import dataclass
from pathlib import Path

from plangen.errors import PlangenError
from plangen.resources import cache_dir


@dataclass(frozen=True)
class Asset:
    package: str
    version: str
    integrity: str  # as the registry publishes it: sha512-<base64>
    member: str  # the file inside the package tarball
    name: str  # the file name in the site's assets/vendor/

    @property
    def licence(self) -> str:
        """The file name its licence is shipped under, beside it."""
        return f"{self.package}.LICENSE.txt"


ASSETS = (
    Asset("mermaid", "11.17.2",
          "sha512-V6K3C8EBdEsPFZXSKMJe6ppQOENxuHARr9GvHX4hh47lAbhMRD9qf4oEK7LoaRQxULMa80/qt5gHO73aCleBBg==",
          "package/dist/mermaid.min.js", "mermaid.min.js"),
    Asset("iframe-worker", "1.0.4",
          "sha512-roeaaI+Lg1LJNfgpCjoRe/+WzEjy9+Z08LoEvu85MCPbBjwm+qXz8Ag5U05lHa6V1CysZyGzE0SOkAtSUA5q7Q==",
          "package/shim/index.js", "iframe-worker-shim.js"),
)


PACKAGED = Path(__file__).resolve().parent.parent / "_builtin" / "vendor"  # inside a wheel


def _integrity(data: bytes) -> str:
    return "sha512-" + base64.b64encode(hashlib.sha512(data).digest()).decode()


def _registry() -> str:
    return (os.environ.get("npm_config_registry") or os.environ.get("NPM_CONFIG_REGISTRY")
            or "https://registry.npmjs.org/").rstrip("/")


def _download(asset: Asset) -> bytes:
    name = asset.package.rsplit("/", 1)[-1]
    url = f"{_registry()}/{asset.package}/-/{name}-{asset.version}.tgz"
    try:
        with urllib.request.urlopen(url, timeout=120) as response:  # noqa: S310 (a fixed https registry URL)
            return response.read()
    except (urllib.error.URLError, OSError) as exc:
        raise PlangenError(
            f"cannot download {asset.package} {asset.version} from the npm registry ({url}): "
            f"{getattr(exc, 'reason', exc)}",
            "this is needed once per cache; install plangen from a wheel (it carries the file), point "
            "npm_config_registry at a reachable mirror, or copy a cache folder made elsewhere to PLANGEN_CACHE",
        ) from None


def _unpack(asset: Asset, tarball: bytes) -> dict[str, bytes]:
    if _integrity(tarball) != asset.integrity:
        raise PlangenError(
            f"{asset.package} {asset.version} from the registry does not match its pinned checksum",
            "the registry or a proxy served another file; nothing was kept",
        )
    out = {}
    with tarfile.open(fileobj=io.BytesIO(tarball), mode="r:gz") as archive:
        for member, name in ((asset.member, asset.name), ("package/LICENSE", asset.licence)):
            data = archive.extractfile(member)
            if data is None:
                raise PlangenError(f"{asset.package} {asset.version} has no {member}")
            out[name] = data.read()
    return out


def fetch(asset: Asset, folder: Path) -> dict[str, Path]:
    """The asset and its licence in `folder`, downloaded and checked first if missing."""
    targets = {name: folder / f"{asset.package}-{asset.version}" / name for name in (asset.name, asset.licence)}
    if all(t.is_file() for t in targets.values()):
        return targets
    for name, data in _unpack(asset, _download(asset)).items():
        target = targets[name]
        target.parent.mkdir(parents=True, exist_ok=True)
        partial = target.with_suffix(".part")
        partial.write_bytes(data)
        partial.replace(target)  # a half-written file is never taken for a whole one
    return targets


def vendor_files(cache: Path | None = None) -> dict[str, Path]:
    """Site file name -> file, for every asset and its licence: those the wheel
    carries, else the cache (fetching what is missing)."""
    out: dict[str, Path] = {}
    for asset in ASSETS:
        packaged = {name: PACKAGED / name for name in (asset.name, asset.licence)}
        if all(p.is_file() for p in packaged.values()):
            out.update(packaged)
        else:
            out.update(fetch(asset, (cache or cache_dir()) / "vendor"))
    return out
