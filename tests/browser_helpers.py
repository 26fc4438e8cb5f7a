"""A real browser for tests: Debian's chromium, driven by Playwright, with
every request outside the site blocked."""

from __future__ import annotations

import functools
import http.server
import os
import re
import shutil
import socketserver
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest

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


def open_page(browser, url: str, **context):  # noqa: ANN001, ANN202
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


def wait_for_diagrams(page) -> list[dict]:  # noqa: ANN001
    expected = page.locator("pre.mermaid, div.mermaid").count()
    if expected:
        page.wait_for_function(f"document.querySelectorAll('div.mermaid').length >= {expected}", timeout=20000)
        page.wait_for_function(
            "Array.from(document.querySelectorAll('div.mermaid')).every(d => d.shadowRoot && d.shadowRoot.querySelector('svg'))",
            timeout=20000,
        )
    return page.evaluate(DIAGRAMS)




class _Quiet(http.server.SimpleHTTPRequestHandler):
    def log_message(self, *args: object) -> None:
        pass


@contextmanager
def serve(folder: Path) -> Iterator[str]:
    """The folder over HTTP on a free loopback port; yields the base URL."""
    server = socketserver.TCPServer(("127.0.0.1", 0), functools.partial(_Quiet, directory=str(folder)))
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/"
    finally:
        server.shutdown()
        server.server_close()


def search(page, query: str) -> list[str]:  # noqa: ANN001
    """Type into Material's search and return the result links. The search
    index loads in a worker; a query typed before it is ready is dropped, so
    type it again until results show."""
    box = page.locator("input.md-search__input")
    for _ in range(15):
        box.fill("")
        # The text goes in as an input method would put it (Chinese or Japanese
        # cannot be typed key by key), then a real key event: the search
        # listens for keys.
        box.fill(query)
        box.press("End")
        try:
            page.wait_for_selector(".md-search-result__item", state="attached", timeout=2000)
            return page.eval_on_selector_all(".md-search-result__item a", "els => els.map(e => e.href)")
        except Exception:  # noqa: BLE001  (playwright's TimeoutError: not ready yet, type again)
            continue
    return []
