"""Where the built-in templates and site config are.

In a wheel they are inside the package (`plangen/_builtin/`); in a source
checkout (editable install) they are the top-level folders of the repo.
"""

from __future__ import annotations

from pathlib import Path

_PACKAGE = Path(__file__).resolve().parent


def builtin(name: str) -> Path:
    """The built-in `templates` or `site_config` folder."""
    if name not in ("templates", "site_config"):
        raise ValueError(f"no built-in folder {name!r}")
    packaged = _PACKAGE / "_builtin" / name
    return packaged if packaged.is_dir() else _PACKAGE.parent / name
