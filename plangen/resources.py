"""Where the built-in templates and site config are, and the per-user cache.

In a wheel they are inside the package (`plangen/_builtin/`); in a source
checkout (editable install) they are the top-level folders of the repo.
Standard library only: the wheel's build hook imports this module in an
environment that has nothing but the build backend.
"""

from __future__ import annotations

import os
from pathlib import Path

_PACKAGE = Path(__file__).resolve().parent


def builtin(name: str) -> Path:
    """The built-in `templates` or `site_config` folder."""
    if name not in ("templates", "site_config"):
        raise ValueError(f"no built-in folder {name!r}")
    packaged = _PACKAGE / "_builtin" / name
    return packaged if packaged.is_dir() else _PACKAGE.parent / name


def cache_dir() -> Path:
    """$PLANGEN_CACHE, else $XDG_CACHE_HOME/plangen, else ~/.cache/plangen."""
    if os.environ.get("PLANGEN_CACHE"):
        return Path(os.environ["PLANGEN_CACHE"])
    base = os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache"
    return Path(base) / "plangen"
