"""`plangen serve`: the site on loopback, rebuilt when a plan changes."""

from __future__ import annotations

import os
import re
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

from site_helpers import project_copy

pytestmark = pytest.mark.slow


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _get(url: str) -> str:
    with urllib.request.urlopen(url, timeout=5) as response:  # noqa: S310  (loopback only)
        return response.read().decode("utf-8")


def _wait_for(url: str, text: str, seconds: float) -> str:
    deadline = time.monotonic() + seconds
    last = ""
    while time.monotonic() < deadline:
        try:
            last = _get(url)
            if text in last:
                return last
        except OSError:
            pass
        time.sleep(0.5)
    raise AssertionError(f"{text!r} never appeared at {url}")


def _serve(project: Path, port: int, **env: str) -> subprocess.Popen[str]:
    """`plangen serve` on loopback in a process of its own, its output captured."""
    return subprocess.Popen(
        [sys.executable, "-m", "plangen", "serve", "--port", str(port), "--as-of", "2026-11-22"],
        cwd=project, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
        env={**os.environ, "NO_MKDOCS_2_WARNING": "1", **env},
    )


def test_serve_rebuilds_when_a_plan_changes(tmp_path: Path) -> None:
    project = project_copy(tmp_path)
    port = _free_port()
    server = _serve(project, port)
    try:
        url = f"http://127.0.0.1:{port}/plans/invoice-risk-review/"
        _wait_for(url, "Invoice risk review assistant", 120)
        plan = project / "plans" / "finance" / "invoice-risk-review.yaml"
        plan.write_text(plan.read_text(encoding="utf-8").replace(
            "title: Invoice risk review assistant", "title: Invoice risk review, second edition"), encoding="utf-8")
        _wait_for(url, "Invoice risk review, second edition", 120)
        # A broken plan keeps the last good version up.
        plan.write_text("format: plangen/v1\ntitle: [\n", encoding="utf-8")
        time.sleep(4)
        assert "Invoice risk review, second edition" in _get(url)
    finally:
        server.terminate()
        output = server.communicate(timeout=30)[0]
    assert "fix the errors above; still serving the last good version" in output
    assert "plangen: site built in " in output
    assert re.search(r"plangen: rebuilt in [0-9.]+ s; [1-9][0-9]* pages? converted, the others kept", output)


def test_serve_survives_bad_config_load_and_sigterm(tmp_path: Path) -> None:
    """A broken site_config/mkdocs.yml keeps the last good site up (requests
    never hang); 200 requests at once are all answered; SIGTERM removes the
    server's temporary folder."""
    from concurrent.futures import ThreadPoolExecutor

    project = project_copy(tmp_path / "project")
    temp = tmp_path / "tmp"
    temp.mkdir()
    port = _free_port()
    server = _serve(project, port, TMPDIR=str(temp))
    try:
        url = f"http://127.0.0.1:{port}/plans/invoice-risk-review/"
        _wait_for(url, "Invoice risk review assistant", 120)
        with ThreadPoolExecutor(max_workers=200) as pool:
            pages = list(pool.map(lambda _: _get(url), range(200)))
        assert all("Invoice risk review assistant" in page for page in pages)
        (project / "site_config" / "mkdocs.yml").write_text("theme: {name: no-such-theme}\n", encoding="utf-8")
        time.sleep(6)
        assert "Invoice risk review assistant" in _get(url)  # within _get's 5 s timeout
        assert list(temp.iterdir())  # the server's folder, while it runs
    finally:
        server.terminate()
        output = server.communicate(timeout=30)[0]
    assert "still serving the last good version" in output
    assert "Traceback" not in output
    assert list(temp.iterdir()) == []


def _threads(pid: int) -> int:
    status = Path(f"/proc/{pid}/status").read_text(encoding="utf-8")
    return int(next(line.split()[1] for line in status.splitlines() if line.startswith("Threads:")))


def test_held_live_reload_polls_take_a_bounded_number_of_threads(tmp_path: Path) -> None:
    """150 browsers each holding a live-reload poll open: the server handles at
    most 64 at once (the rest wait in the listen backlog), so its threads stay
    bounded, and every poll, then a page, is answered."""
    project = project_copy(tmp_path)
    port = _free_port()
    server = _serve(project, port)
    polls: list[socket.socket] = []
    try:
        url = f"http://127.0.0.1:{port}/"
        _wait_for(url, "Release plans", 120)
        idle = _threads(server.pid)
        for i in range(150):  # an epoch far in the future: each poll waits for the server's timeout
            s = socket.create_connection(("127.0.0.1", port), timeout=60)
            s.sendall(f"GET /livereload/99999999999/{i} HTTP/1.1\r\nHost: localhost\r\n\r\n".encode())
            polls.append(s)
        time.sleep(2)
        held = _threads(server.pid)
        assert held <= idle + 64, (idle, held)
        answered = 0
        for s in polls:  # each within the 10 s poll timeout, plus its wait for a free slot
            if s.recv(1024).startswith(b"HTTP/1."):
                answered += 1
        assert answered == 150
        assert "Release plans" in _get(url)
    finally:
        for s in polls:
            s.close()
        server.terminate()
        output = server.communicate(timeout=30)[0]
    assert "Traceback" not in output
