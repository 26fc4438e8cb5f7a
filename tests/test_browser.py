"""The built site in a real browser: Debian's chromium driven by Playwright,
with every request outside the site blocked, as on an intranet."""

from __future__ import annotations

import functools
import http.server
import os
import re
import shutil
import socketserver
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest

from site_helpers import AS_OF, plangen, project_copy

pytestmark = pytest.mark.slow
CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
        "--no-first-run", "--disable-sync"]
# Material draws each diagram in a closed shadow root; open it so tests can look inside.
OPEN_SHADOWS = """
const attach = Element.prototype.attachShadow;
Element.prototype.attachShadow = function (init) { return attach.call(this, Object.assign({}, init, {mode: "open"})); };
"""
DIAGRAMS = """() => Array.from(document.querySelectorAll("div.mermaid")).map(d => {
  const svg = d.shadowRoot && d.shadowRoot.querySelector("svg");
  return {svg: !!svg, text: svg ? svg.textContent : "", width: svg ? svg.getBoundingClientRect().width : 0};
})"""


@pytest.fixture(scope="module")
def chromium() -> Iterator[object]:
    if not os.path.exists(CHROMIUM):
        if os.environ.get("CI") == "true":
            pytest.fail("chromium is missing: CI must install it (apt-get install chromium)")
        pytest.skip("chromium is not installed (make test installs it)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        yield browser
        browser.close()


class _Quiet(http.server.SimpleHTTPRequestHandler):
    def log_message(self, *args: object) -> None:
        pass


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Path, str]]:
    project = project_copy(tmp_path_factory.mktemp("browser"))
    result = plangen("build", "--strict", "--as-of", AS_OF, "--out", "site", cwd=project)
    assert result.returncode == 0, result.stderr
    server = socketserver.TCPServer(("127.0.0.1", 0), functools.partial(_Quiet, directory=str(project / "site")))
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield project / "site", f"http://127.0.0.1:{server.server_address[1]}/"
    server.shutdown()


def _open(browser, url: str, **context):  # noqa: ANN001, ANN202
    """A page whose console errors, failed and outside requests are recorded."""
    ctx = browser.new_context(**context)
    ctx.add_init_script(OPEN_SHADOWS)
    page = ctx.new_page()
    seen = {"errors": [], "failed": [], "outside": []}
    origin = re.match(r"^(\w+://[^/]*)", url).group(1) if url.startswith("http") else "file://"

    def route(r):  # noqa: ANN001, ANN202
        if r.request.url.startswith(origin) or r.request.url.startswith(("data:", "blob:")):
            return r.continue_()
        seen["outside"].append(r.request.url)
        return r.abort()

    page.route("**/*", route)
    page.on("console", lambda m: seen["errors"].append(m.text) if m.type == "error" else None)
    page.on("pageerror", lambda e: seen["errors"].append(str(e)))
    page.on("requestfailed", lambda r: seen["failed"].append(r.url))
    page.goto(url)
    page.wait_for_load_state("networkidle")
    return ctx, page, seen


def _wait_for_diagrams(page) -> list[dict]:  # noqa: ANN001
    expected = page.locator("pre.mermaid, div.mermaid").count()
    if expected:
        page.wait_for_function(f"document.querySelectorAll('div.mermaid').length >= {expected}", timeout=20000)
        page.wait_for_function(
            "Array.from(document.querySelectorAll('div.mermaid')).every(d => d.shadowRoot && d.shadowRoot.querySelector('svg'))",
            timeout=20000,
        )
    return page.evaluate(DIAGRAMS)


def test_every_page_renders_cleanly_with_no_outside_request(chromium, site) -> None:
    root, base = site
    pages = sorted(p.relative_to(root).parent.as_posix() for p in root.rglob("index.html"))
    drawn = 0
    for rel in pages:
        url = base + ("" if rel == "." else rel + "/")
        ctx, page, seen = _open(chromium, url)
        diagrams = _wait_for_diagrams(page)
        ctx.close()
        assert seen == {"errors": [], "failed": [], "outside": []}, rel
        for d in diagrams:
            assert d["svg"] and d["width"] > 0, rel
            assert "Syntax error" not in d["text"] and "Maximum text size" not in d["text"], rel
        drawn += len(diagrams)
    assert drawn >= 9  # 2-3 per plan page, and the calendar


def test_navigation_and_portfolio_links_resolve(chromium, site) -> None:
    root, base = site
    ctx, page, _ = _open(chromium, base)
    hrefs = page.eval_on_selector_all("a[href]", "els => els.map(e => e.href)")
    ctx.close()
    local = {h.split("#")[0] for h in hrefs if h.startswith(base)}
    assert any("/runbook/" in h for h in local)
    for href in sorted(local):
        path = root / href[len(base):]
        assert path.is_file() or (path / "index.html").is_file(), href


def test_runbook_prints_every_step_with_no_navigation(chromium, site, tmp_path: Path) -> None:
    from pypdf import PdfReader

    _, base = site
    ctx, page, _ = _open(chromium, base + "plans/invoice-risk-review/runbook/")
    page.emulate_media(media="print")
    pdf = tmp_path / "runbook.pdf"
    page.pdf(path=str(pdf), format="A4", print_background=True)
    ctx.close()
    text = " ".join(" ".join(p.extract_text() for p in PdfReader(str(pdf)).pages).split())
    wanted = ["Reviewers override more than 40% of scores for a day",
              "Step 1: Disable the score display flag", "flagctl set ap.risk_score.enabled false",
              "Step 2: Redeploy model 2.2.1 to the scoring service",
              "deployctl rollout invoice-risk --version 2.2.1", "x4400", "pagerduty:ml-oncall"]
    positions = [text.find(w) for w in wanted]
    assert -1 not in positions, [w for w, p in zip(wanted, positions) if p == -1]
    assert positions[:5] == sorted(positions[:5])  # trigger first, then the steps in order
    for chrome in ("Pending approvals", "Release calendar", "Search"):
        assert chrome not in text


def test_offline_site_works_from_file_urls(chromium, tmp_path: Path) -> None:
    project = project_copy(tmp_path)
    result = plangen("build", "--offline", "--as-of", AS_OF, "--out", "site", cwd=project)
    assert result.returncode == 0, result.stderr
    url = (project / "site" / "plans" / "invoice-risk-review" / "index.html").as_uri()
    ctx, page, seen = _open(chromium, url)
    diagrams = _wait_for_diagrams(page)
    page.fill("input.md-search__input", "redeploy")
    page.wait_for_selector(".md-search-result__item", timeout=15000)
    results = page.eval_on_selector_all(".md-search-result__item a", "els => els.map(e => e.href)")
    ctx.close()
    assert diagrams and all(d["svg"] for d in diagrams)
    assert any("runbook.html" in r for r in results)
    assert seen["outside"] == []
