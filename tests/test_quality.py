"""Quality gates a person would check: search, accessibility, dark mode and
narrow screens, and the same docs built by Zensical."""

from __future__ import annotations

import json

import os
import subprocess
import sys
import venv
from collections.abc import Iterator
from pathlib import Path

import pytest

from browser_helpers import open_page, search, serve, wait_for_diagrams
from conftest import REPO
from plangen.site.vendor import Asset, cache_dir, fetch
from site_helpers import AS_OF, parse, plangen, project_copy

pytestmark = pytest.mark.slow
AXE = Asset("axe-core", "4.14.1",
            "sha512-FHfa+lmNjQZfJz1q8wKqIDwC6DExcHt/pkjNQb09a3NPjCKg2rhu5qb2S4r76ASyFNNtuFooJpZe37OgudVGtQ==",
            "package/axe.min.js", "axe.min.js")
ZENSICAL = "0.0.73"  # the newest release whose dependencies install from PyPI here
SCREENS = REPO / "tests" / "screens"  # written by the tests, for people to look at (ignored by git)


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Path, str]]:
    project = project_copy(tmp_path_factory.mktemp("quality"))
    result = plangen("build", "--strict", "--as-of", AS_OF, "--out", "site", cwd=project)
    assert result.returncode == 0, result.stderr
    with serve(project / "site") as base:
        yield project / "site", base


@pytest.mark.parametrize(("query", "page"), [
    ("Vendor onboarding risk screening", "plans/vendor-risk-screening/"),
    ("Redeploy model 2.2.1", "plans/invoice-risk-review/runbook/"),
    ("Grace Okafor", "directory/people/grace.o/"),
    ("李娜", "directory/people/li.na/"),
    ("佐藤", "directory/people/sato.y/"),
    ("José Álvarez", "directory/people/jose.a/"),
    ("Revoke the vendor API key if the trigger was a data concern", "plans/reply-drafts-model-swap/runbook/"),
])
def test_search_finds_the_right_page(chromium, site, query: str, page: str) -> None:
    _, base = site
    ctx, tab, seen = open_page(chromium, base)
    found = search(tab, query)
    ctx.close()
    assert found and found[0].split("#")[0].split("?")[0] == base + page, found  # the right page first
    assert seen["outside"] == []


@pytest.mark.parametrize("page", ["", "plans/invoice-risk-review/", "plans/invoice-risk-review/runbook/"])
def test_no_serious_accessibility_violation_in_plangens_markup(chromium, site, page: str) -> None:
    root, base = site
    axe = fetch(AXE, cache_dir() / "vendor")[AXE.name].read_text(encoding="utf-8")
    ctx, tab, _ = open_page(chromium, base + page)
    wait_for_diagrams(tab)
    tab.add_script_tag(content=axe)
    # Our markup is the article; the theme's chrome (header, nav, search) is Material's.
    results = tab.evaluate("""async () => {
        const r = await axe.run(document.querySelector('article'), {resultTypes: ['violations']});
        return r.violations.filter(v => ['serious', 'critical'].includes(v.impact))
            .map(v => ({id: v.id, impact: v.impact, nodes: v.nodes.map(n => n.target.join(' ')).slice(0, 3)}));
    }""")
    ctx.close()
    assert results == []


@pytest.mark.parametrize("scheme", ["light", "dark"])
@pytest.mark.parametrize("width", [1280, 390])
@pytest.mark.parametrize("page", ["plans/reply-drafts-model-swap/", "plans/reply-drafts-model-swap/runbook/", ""])
def test_readable_in_dark_mode_and_on_narrow_screens(chromium, site, scheme: str, width: int, page: str) -> None:
    _, base = site
    ctx, tab, seen = open_page(chromium, base + page, viewport={"width": width, "height": 900}, color_scheme=scheme)
    diagrams = wait_for_diagrams(tab)
    # Nothing sticks out of the page sideways: wide tables and diagrams scroll in their own box.
    overflow = tab.evaluate("() => document.documentElement.scrollWidth - document.documentElement.clientWidth")
    # Gantt text follows the palette (Material's colours alone leave it dark on dark).
    fills = tab.evaluate("""() => Array.from(document.querySelectorAll('div.mermaid')).flatMap(d =>
        Array.from(d.shadowRoot.querySelectorAll('.sectionTitle, .tick text')).slice(0, 3)
            .map(t => getComputedStyle(t).fill))""")
    background = tab.evaluate("() => getComputedStyle(document.body).backgroundColor")
    SCREENS.mkdir(exist_ok=True)
    name = (page.strip("/").replace("/", "_") or "portfolio") + f"-{scheme}-{width}.png"
    tab.screenshot(path=str(SCREENS / name), full_page=True)
    ctx.close()
    assert seen == {"errors": [], "failed": [], "outside": []}
    assert all(d["svg"] for d in diagrams)
    assert overflow <= 1, f"the page scrolls sideways by {overflow}px"
    assert all(fill != background for fill in fills)


def _zensical() -> Path:
    """A venv with the pinned Zensical, kept in the cache between runs."""
    env = cache_dir() / f"zensical-{ZENSICAL}"
    binary = env / "bin" / "zensical"
    if not binary.exists():
        venv.EnvBuilder(with_pip=True, clear=True).create(env)
        subprocess.run([str(env / "bin" / "python"), "-m", "pip", "install", "--quiet", f"zensical=={ZENSICAL}"],
                       check=True, capture_output=True, timeout=900)
    return binary


def test_the_rendered_docs_also_build_with_zensical(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    project = project_copy(tmp_path)
    assert plangen("render", "--as-of", AS_OF, "--out", "out", cwd=project).returncode == 0
    zensical = _zensical()
    version = subprocess.run([str(zensical), "--version"], capture_output=True, text=True, check=True).stdout.strip()
    done = subprocess.run([str(zensical), "build"], cwd=project / "out", capture_output=True, text=True, timeout=600,
                          env={**os.environ, "PATH": os.environ.get("PATH", "")})
    assert done.returncode == 0, done.stdout + done.stderr
    with capsys.disabled():
        print(f"\n  zensical {version} built the rendered docs")
    mkdocs = subprocess.run([str(Path(sys.executable).parent / "mkdocs"), "build", "-q", "-f", "out/mkdocs.yml",
                             "-d", "../mkdocs-site"], cwd=project, capture_output=True, text=True,
                            env={**os.environ, "NO_MKDOCS_2_WARNING": "1"})
    assert mkdocs.returncode == 0, mkdocs.stderr
    pages = lambda root: sorted(p.relative_to(root).as_posix() for p in root.rglob("*.html"))  # noqa: E731
    assert pages(project / "out" / "site") == pages(project / "mkdocs-site")
    runbook = parse(project / "out" / "site" / "plans" / "invoice-risk-review" / "runbook" / "index.html")
    assert {"triggers", "steps", "escalation"} <= runbook.ids
    plan = parse(project / "out" / "site" / "plans" / "invoice-risk-review" / "index.html")
    assert sum(1 for tag, a in plan.elements if tag == "pre" and "mermaid" in (a.get("class") or "")) == 3


def test_search_leaves_diagram_sources_out_and_lands_on_steps(site) -> None:
    root, _ = site
    index = json.loads((root / "search" / "search_index.json").read_text(encoding="utf-8"))
    assert not [d["location"] for d in index["docs"] if "flowchart" in d["text"] or "gantt" in d["text"]]
    steps = [d["location"] for d in index["docs"] if "#step-" in d["location"]]
    assert "plans/invoice-risk-review/runbook/#step-2" in steps
    # The audit packs repeat their plan pages: they stay out, so a search lands on the plan.
    assert (root / "plans" / "invoice-risk-review" / "audit" / "index.html").is_file()
    assert not [d["location"] for d in index["docs"] if "/audit/" in d["location"]]
