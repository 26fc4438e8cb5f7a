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


def test_installed_wheel_works_from_another_folder(wheel: Path, tmp_path: Path) -> None:
    env = tmp_path / "venv"
    venv.EnvBuilder(with_pip=True).create(env)
    py = env / "bin" / "python"
    subprocess.run([str(py), "-m", "pip", "install", "--quiet", "-c", str(REPO / "requirements" / "constraints.txt"),
                    str(wheel)], check=True, capture_output=True)
    work = tmp_path / "elsewhere"
    shutil.copytree(REPO / "plans", work / "plans")
    shutil.copytree(REPO / "site_config", work / "site_config")

    ok = subprocess.run([str(env / "bin" / "plangen"), "validate"], cwd=work, capture_output=True, text=True)
    assert ok.returncode == 0, ok.stdout + ok.stderr
    assert "4 plans valid" in ok.stderr

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
