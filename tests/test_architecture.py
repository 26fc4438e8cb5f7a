"""The data flows one way: load -> model -> project -> analysis -> views ->
render -> site -> commands -> cli; only plangen.site.engine imports MkDocs."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from conftest import REPO


def test_import_layers_hold() -> None:
    lint_imports = Path(sys.executable).parent / "lint-imports"
    result = subprocess.run([str(lint_imports)], cwd=REPO, capture_output=True, text=True)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "1 kept, 0 broken" in result.stdout


def test_help_does_not_import_the_heavy_stages() -> None:
    code = (
        "import sys; from plangen.cli import cli\n"
        "try: cli(['--help'])\nexcept SystemExit: pass\n"
        "print(sorted(m for m in sys.modules if m.startswith(('plangen.model', 'plangen.project', 'plangen.analysis', 'plangen.views', 'plangen.render', 'plangen.site', 'pydantic', 'mkdocs', 'jinja2'))))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip().splitlines()[-1] == "[]"


def test_only_the_engine_imports_mkdocs() -> None:
    importers = sorted(
        str(path.relative_to(REPO)) for path in (REPO / "plangen").rglob("*.py")
        if any(line.strip().startswith(("import mkdocs", "from mkdocs")) for line in path.read_text().splitlines())
    )
    assert importers == ["plangen/site/engine.py"]
