"""Lighthouse scores (mobile settings) for the home page, a plan page and a
runbook of the example site.

Run: .venv/bin/python bench/lighthouse.py   (needs Node.js/npm and chromium)

Lighthouse comes from the npm registry (pinned below) into .cache/, and
drives Debian's chromium; the site is built from plans/ and served on
loopback, gzip-compressed as static hosts serve it. Targets: performance >= 90 on home and runbook pages,
accessibility >= 96 everywhere. Numbers go to docs/performance.md.
"""

from __future__ import annotations

import functools
import gzip
import http.server
import json
import os
import shutil
import subprocess
import sys
import tempfile
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"

VERSION = "13.5.0"
CACHE = REPO / ".cache" / "lighthouse"
PAGES = {"home": "", "plan": "plans/invoice-risk-review/", "runbook": "plans/invoice-risk-review/runbook/"}
TARGETS = {"home": 90, "runbook": 90}
FLAGS = "--headless=new --no-sandbox --disable-gpu --disable-background-networking --disable-component-update"


class _Gzip(http.server.SimpleHTTPRequestHandler):
    """Serves files gzip-compressed, as GitHub Pages, GitLab Pages or nginx do."""

    def log_message(self, *args: object) -> None:
        pass

    def do_GET(self) -> None:  # noqa: N802
        path = Path(self.translate_path(self.path))
        if path.is_dir():
            path = path / "index.html"
        if not path.is_file() or "gzip" not in self.headers.get("Accept-Encoding", ""):
            return super().do_GET()
        body = gzip.compress(path.read_bytes(), mtime=0)
        self.send_response(200)
        self.send_header("Content-Type", self.guess_type(str(path)))
        self.send_header("Content-Encoding", "gzip")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)


@contextmanager
def serve(folder: Path) -> Iterator[str]:
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), functools.partial(_Gzip, directory=str(folder)))
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/"
    finally:
        server.shutdown()


def lighthouse() -> Path:
    binary = CACHE / "node_modules" / ".bin" / "lighthouse"
    if not binary.exists():
        CACHE.mkdir(parents=True, exist_ok=True)
        subprocess.run(["npm", "install", "--no-audit", "--no-fund", "--silent", f"lighthouse@{VERSION}"],
                       cwd=CACHE, check=True)
    return binary


def score(binary: Path, url: str, out: Path) -> dict[str, int]:
    subprocess.run(
        [str(binary), url, "--quiet", "--output=json", f"--output-path={out}",
         "--only-categories=performance,accessibility", f"--chrome-flags={FLAGS}"],
        check=True, env={**os.environ, "CHROME_PATH": CHROMIUM},
    )
    report = json.loads(out.read_text(encoding="utf-8"))
    cats = report["categories"]
    lcp = report["audits"]["largest-contentful-paint"]["numericValue"] / 1000
    return {"performance": round(cats["performance"]["score"] * 100),
            "accessibility": round(cats["accessibility"]["score"] * 100), "lcp_s": round(lcp, 1)}


def main() -> int:
    binary = lighthouse()
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        shutil.copytree(REPO / "plans", root / "plans")
        shutil.copytree(REPO / "site_config", root / "site_config")
        subprocess.run([sys.executable, "-m", "plangen", "build", "--as-of", "2026-11-22", "--out", "site"],
                       cwd=root, check=True, capture_output=True)
        results = {}
        with serve(root / "site") as base:
            for name, path in PAGES.items():
                results[name] = score(binary, base + path, root / f"{name}.json")
    print(f"lighthouse {VERSION}, mobile settings (simulated throttling), chromium {CHROMIUM}")
    print("| page | performance | accessibility | largest contentful paint |")
    print("|---|---|---|---|")
    for name, r in results.items():
        print(f"| {name} | {r['performance']} | {r['accessibility']} | {r['lcp_s']} s |")
    missed = [n for n, t in TARGETS.items() if results[n]["performance"] < t]
    missed += [n for n, r in results.items() if r["accessibility"] < 96]
    print("targets met" if not missed else f"targets missed: {', '.join(missed)}")
    return 1 if missed else 0


if __name__ == "__main__":
    raise SystemExit(main())
