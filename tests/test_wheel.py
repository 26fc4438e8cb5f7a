"""`pip install .` gives a working tool: a real wheel in a fresh venv, run elsewhere."""

from __future__ import annotations

import shutil
import subprocess
import sys
import venv
import zipfile
from pathlib import Path

import pytest

from conftest import REPO

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def wheel(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("dist")
    subprocess.run([sys.executable, "-m", "build", "--wheel", "--outdir", str(out), str(REPO)],
                   check=True, capture_output=True)
    (built,) = out.glob("plangen-*.whl")
    return built


def test_wheel_carries_templates_and_site_config(wheel: Path) -> None:
    names = set(zipfile.ZipFile(wheel).namelist())
    assert "plangen/_builtin/templates/README.md" in names
    assert "plangen/_builtin/site_config/site.yaml" in names
    assert not any(n.startswith(("tests/", "plans/")) for n in names)


@pytest.fixture(scope="module")
def installed(wheel: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A fresh venv with the wheel installed (and nothing of this checkout)."""
    env = tmp_path_factory.mktemp("venv")
    venv.EnvBuilder(with_pip=True).create(env)
    subprocess.run([str(env / "bin" / "python"), "-m", "pip", "install", "--quiet", "-c",
                    str(REPO / "requirements" / "constraints.txt"), str(wheel)], check=True, capture_output=True)
    return env


def test_installed_wheel_works_from_another_folder(installed: Path, tmp_path: Path) -> None:
    env = installed
    py = env / "bin" / "python"
    work = tmp_path / "elsewhere"
    shutil.copytree(REPO / "plans", work / "plans")
    shutil.copytree(REPO / "site_config", work / "site_config")

    ok = subprocess.run([str(env / "bin" / "plangen"), "validate"], cwd=work, capture_output=True, text=True)
    assert ok.returncode == 0, ok.stdout + ok.stderr
    assert f"{len(list((REPO / 'plans').rglob('*.yaml')))} plans valid" in ok.stderr

    (work / "plans" / "bad.yaml").write_text("format: plangen/v1\nid: Bad\n")
    bad = subprocess.run([str(env / "bin" / "plangen"), "validate", "--format", "json"], cwd=work,
                         capture_output=True, text=True)
    assert bad.returncode == 1 and '"file": "plans/bad.yaml"' in bad.stdout

    where = subprocess.run(
        [str(py), "-c", "from plangen.resources import builtin; print(builtin('templates')); "
         "print(builtin('site_config'))"],
        cwd=work, capture_output=True, text=True, check=True,
    ).stdout.split()
    for folder in where:
        assert "site-packages" in folder and Path(folder).is_dir()


def test_the_wheel_carries_the_browser_assets_and_their_licences(wheel: Path) -> None:
    names = set(zipfile.ZipFile(wheel).namelist())
    for name in ("mermaid.min.js", "mermaid.LICENSE.txt", "iframe-worker-shim.js", "iframe-worker.LICENSE.txt"):
        assert f"plangen/_builtin/vendor/{name}" in names


def test_pip_is_enough_no_node_no_network(installed: Path, tmp_path: Path) -> None:
    """From the wheel in a fresh venv, with nothing but that venv on PATH (no
    Node.js, no npm), an empty cache and no reachable registry: init, then a
    strict build of the site, for a web server and for file://."""
    env_dir = installed
    bare = {"PATH": str(env_dir / "bin"), "HOME": str(tmp_path), "PLANGEN_CACHE": str(tmp_path / "none"),
            "npm_config_registry": "http://127.0.0.1:9", "NO_MKDOCS_2_WARNING": "1"}
    assert shutil.which("node", path=bare["PATH"]) is None and shutil.which("npm", path=bare["PATH"]) is None
    plangen = str(env_dir / "bin" / "plangen")
    made = subprocess.run([plangen, "init", "repo"], cwd=tmp_path, capture_output=True, text=True, env=bare)
    assert made.returncode == 0, made.stderr
    for offline in ([], ["--offline"]):
        built = subprocess.run([plangen, "build", "--strict", *offline], cwd=tmp_path / "repo", capture_output=True,
                               text=True, env=bare)
        assert built.returncode == 0, built.stderr
        vendor = tmp_path / "repo" / "site" / "assets" / "vendor"
        assert (vendor / "mermaid.min.js").stat().st_size > 1_000_000 and (vendor / "mermaid.LICENSE.txt").is_file()
    # nothing was fetched: the cache holds compiled templates only
    assert {p.name for p in (tmp_path / "none").iterdir()} == {"templates"}
