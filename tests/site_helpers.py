"""Building real sites for tests, and reading their HTML as a tree."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from html.parser import HTMLParser
from pathlib import Path

from conftest import REPO

AS_OF = "2026-11-22"


def plangen(*args: str, cwd: Path = REPO, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    """The real command, in a process of its own (as users and CI run it)."""
    full_env = {**os.environ, "NO_MKDOCS_2_WARNING": "1", **(env or {})}
    return subprocess.run([sys.executable, "-m", "plangen", *args], cwd=cwd, capture_output=True, text=True,
                          env=full_env, timeout=600)


def project_copy(tmp: Path) -> Path:
    """A project folder with the example plans and site config."""
    shutil.copytree(REPO / "plans", tmp / "plans")
    shutil.copytree(REPO / "site_config", tmp / "site_config", ignore=shutil.ignore_patterns("mkdocs.base.yml", "assets"))
    return tmp


class Tree(HTMLParser):
    """Elements with their attributes, and the visible text, of one HTML page."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.elements: list[tuple[str, dict[str, str | None]]] = []
        self.ids: set[str] = set()
        self.text: list[str] = []
        self._skip = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        attributes = dict(attrs)
        self.elements.append((tag, attributes))
        if attributes.get("id"):
            self.ids.add(attributes["id"] or "")
        if tag in ("script", "style"):
            self._skip += 1

    def handle_endtag(self, tag: str) -> None:
        if tag in ("script", "style") and self._skip:
            self._skip -= 1

    def handle_data(self, data: str) -> None:
        if not self._skip:
            self.text.append(data)


def parse(path: Path) -> Tree:
    tree = Tree()
    tree.feed(path.read_text(encoding="utf-8"))
    return tree
