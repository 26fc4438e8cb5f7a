"""Hostile input never reaches the site as anything but text.

Every string of cases/hostile/strings.yaml is put into every kind of text
field of a copy of the example plan, one plan per string, and the site is
built once. Then, on the built HTML (parsed, not grepped): the text shows
exactly as written, nothing becomes an element or an attribute, and every
table keeps its columns. Strings that must be refused are refused at their
line. cases/hostile/urls.yaml does the same for link fields.
"""

from __future__ import annotations

import copy
import re
from pathlib import Path

import pytest
import yaml

from browser_helpers import open_page, serve, wait_for_diagrams
from conftest import CASES, REPO
from site_helpers import AS_OF, Tree, parse, plangen, project_copy

pytestmark = pytest.mark.slow

STRINGS = yaml.safe_load((CASES / "hostile" / "strings.yaml").read_text(encoding="utf-8"))
URLS = yaml.safe_load((CASES / "hostile" / "urls.yaml").read_text(encoding="utf-8"))
BASE = yaml.safe_load((REPO / "plans" / "finance" / "invoice-risk-review.yaml").read_text(encoding="utf-8"))

# Every kind of text field, on the plan page (P) and the runbook (R).
FIELDS = [
    (("title",), "PR"), (("summary",), "P"), (("rollout", "rationale"), "P"),
    (("rollout", "phases", 0, "name"), "P"), (("rollout", "phases", 0, "scope"), "P"),
    (("rollout", "phases", 0, "exit_criteria", 0), "P"), (("objectives", 0, "metric"), "P"),
    (("release_window", "freezes", 0, "reason"), "P"), (("integration", "workflow", 1, "step"), "P"),
    (("integration", "systems", 0, "name"), "P"), (("dependencies", 0, "name"), "P"),
    (("dependencies", 0, "fallback"), "P"), (("approvals", 1, "name"), "P"),
    (("approvals", 0, "conditions", 0), "P"), (("safeguards", 1, "description"), "P"),
    (("monitoring", 0, "threshold"), "P"), (("monitoring", 0, "alert"), "P"), (("validation", 0, "check"), "P"),
    (("evidence", 0, "where"), "P"), (("rollback", "target"), "R"), (("rollback", "triggers", 0, "symptom"), "R"),
    (("rollback", "triggers", 0, "signal"), "R"), (("rollback", "steps", 0, "do"), "R"),
    (("rollback", "steps", 0, "command"), "R"), (("rollback", "steps", 0, "expect"), "R"),
    (("rollback", "continuity"), "R"), (("rollback", "communication", 0, "message"), "R"),
    (("support", "escalation", 1, "contact"), "R"), (("support", "triage", 0, "symptom"), "R"),
]
FORBIDDEN_TAGS = {"script", "iframe", "img", "object", "embed", "style", "form", "input", "b", "i", "svg", "sup",
                  "abbr", "mark", "del", "ins", "blockquote", "h5", "h6"}


def _text(case: dict) -> str:
    return case["text"] * case.get("repeat", 1)


def _set(data: dict, path: tuple, value: object) -> None:
    node = data
    for part in path[:-1]:
        node = node[part]
    node[path[-1]] = value


def _plan_with(text: str, ident: str, owner: str) -> str:
    data = copy.deepcopy(BASE)
    data["id"] = ident
    data.pop("waivers")
    for path, _ in FIELDS:
        _set(data, path, text)
    data["owner"] = owner  # a person whose name and phone are the hostile text too
    data["rollback"]["steps"][0]["owner"] = owner
    return yaml.safe_dump(data, allow_unicode=True, sort_keys=False, width=10_000)


def _norm(text: str) -> str:
    return " ".join(text.split())


@pytest.fixture(scope="module")
def hostile_site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    project = project_copy(tmp_path_factory.mktemp("hostile"))
    folder = project / "plans" / "hostile"
    folder.mkdir()
    site = yaml.safe_load((project / "site_config" / "site.yaml").read_text(encoding="utf-8"))
    site["site"]["title"] = "Plans </title><script>alert(1)</script> & co"
    site["site"]["organisation"] = "<img src=x onerror=alert(1)> Corp"
    for case in STRINGS:
        if case["expect"] == "literal":
            owner = f"hp.{case['id']}"
            site["people"][owner] = {"name": _text(case), "phone": _text(case)}
            (folder / f"{case['id']}.yaml").write_text(_plan_with(_text(case), f"h-{case['id']}", owner),
                                                       encoding="utf-8")
    (project / "site_config" / "site.yaml").write_text(yaml.safe_dump(site, allow_unicode=True), encoding="utf-8")
    for case in URLS:
        if "href" in case["expect"]:
            data = copy.deepcopy(BASE)
            data["id"] = f"u-{case['id']}"
            data.pop("waivers")
            data["model"]["registry"] = case["url"]
            (folder / f"u-{case['id']}.yaml").write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    result = plangen("build", "--strict", "--as-of", AS_OF, "--out", "site", cwd=project)
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]
    return project / "site"


class Article(Tree):
    """Only what is inside the page's <article>: what plan text can reach."""

    def __init__(self) -> None:
        super().__init__()
        self.depth = 0
        self.rows: list[list[str]] = []
        self.tables: list[list[int]] = []

    def handle_starttag(self, tag: str, attrs: list) -> None:
        if tag == "article":
            self.depth += 1
        if self.depth:
            super().handle_starttag(tag, attrs)
            if tag == "table":
                self.tables.append([])
            elif tag == "tr" and self.tables:
                self.tables[-1].append(0)
            elif tag in ("td", "th") and self.tables and self.tables[-1]:
                self.tables[-1][-1] += 1

    def handle_endtag(self, tag: str) -> None:
        if self.depth:
            super().handle_endtag(tag)
        if tag == "article":
            self.depth -= 1

    def handle_data(self, data: str) -> None:
        if self.depth:
            super().handle_data(data)


def _assert_page_inert(path: Path) -> None:
    """Outside the article too (title, nav, header, footer): nothing the plan
    wrote became an element, a handler or a script."""
    tree = Tree()
    tree.feed(path.read_text(encoding="utf-8"))
    for tag, attrs in tree.elements:
        assert tag not in ("iframe", "img", "object", "embed"), (path, tag, attrs)
        assert not any(name.startswith("on") for name in attrs), (path, tag, attrs)
    source = path.read_text(encoding="utf-8")
    assert "<script>alert" not in source and "alert(1)</script>" not in source.replace("&lt;/script&gt;", "")


def _article(path: Path) -> Article:
    tree = Article()
    tree.feed(path.read_text(encoding="utf-8"))
    return tree


def _assert_inert(tree: Article, where: str) -> None:
    for tag, attrs in tree.elements:
        assert tag not in FORBIDDEN_TAGS, (where, tag, attrs)
        for name, value in attrs.items():
            assert not name.startswith("on"), (where, tag, name)
            if name in ("href", "src"):
                assert not re.match(r"^\s*(javascript|data|vbscript):", value or "", re.I), (where, value)
    for rows in tree.tables:
        assert len(set(rows)) == 1, (where, rows)  # every row has as many cells as the header


@pytest.mark.parametrize("case", [c for c in STRINGS if c["expect"] == "literal"], ids=lambda c: c["id"])
def test_hostile_text_is_shown_literally(hostile_site: Path, case: dict) -> None:
    text = _text(case)
    plan_dir = hostile_site / "plans" / f"h-{case['id']}"
    person = hostile_site / "directory" / "people" / f"hp.{case['id']}" / "index.html"
    for page in (plan_dir / "index.html", plan_dir / "runbook" / "index.html", person, hostile_site / "index.html"):
        _assert_page_inert(page)
    assert _norm(text) in _norm(" ".join(_article(person).text))
    for page in (plan_dir / "index.html", person):
        article = _article(page)
        assert article.elements[1][0] == "h1", (case["id"], article.elements[:3])  # no front matter shown as text
        assert "title:" not in " ".join(article.text)
    for page, where in ((plan_dir / "index.html", "P"), (plan_dir / "runbook" / "index.html", "R")):
        tree = _article(page)
        _assert_inert(tree, f"{case['id']} {where}")
        visible = _norm(" ".join(tree.text))
        fields = [path for path, pages in FIELDS if where in pages]
        # every field holds the text: it appears at least once per field shown on this page
        assert visible.count(_norm(text)) >= len(fields) - 1, (case["id"], where, visible[:500])


@pytest.mark.parametrize("case", [c for c in URLS if "href" in c["expect"]], ids=lambda c: c["id"])
def test_odd_characters_in_links_stay_inside_the_link(hostile_site: Path, case: dict) -> None:
    tree = _article(hostile_site / "plans" / f"u-{case['id']}" / "index.html")
    _assert_inert(tree, case["id"])
    hrefs = [a.get("href") for tag, a in tree.elements if tag == "a"]
    assert case["expect"]["href"] in hrefs


def _line_of(text: str, key: str) -> int:
    return next(n for n, line in enumerate(text.splitlines(), start=1) if re.match(rf"^\s*-?\s*{key}:", line))


@pytest.mark.parametrize("case", [c for c in STRINGS if c["expect"] != "literal"], ids=lambda c: c["id"])
def test_hostile_text_that_cannot_be_shown_is_refused_at_its_line(tmp_path: Path, case: dict) -> None:
    data = copy.deepcopy(BASE)
    data["title"] = _text(case)
    plan = yaml.safe_dump(data, allow_unicode=True, sort_keys=False, width=10_000)
    (tmp_path / "p.yaml").write_text(plan, encoding="utf-8")
    result = plangen("validate", "--site-config", str(REPO / "site_config"), "p.yaml", cwd=tmp_path)
    assert result.returncode == 1
    first = result.stdout.splitlines()[0]
    assert first.startswith(f"p.yaml:{_line_of(plan, 'title')}:") and case["expect"]["error"] in first, first


@pytest.mark.parametrize("case", [c for c in URLS if "error" in c["expect"]], ids=lambda c: c["id"])
def test_unsafe_links_are_refused_at_their_line(tmp_path: Path, case: dict) -> None:
    data = copy.deepcopy(BASE)
    data["model"]["registry"] = case["url"]
    plan = yaml.safe_dump(data, allow_unicode=True, sort_keys=False, width=10_000)
    (tmp_path / "p.yaml").write_text(plan, encoding="utf-8")
    result = plangen("validate", "--site-config", str(REPO / "site_config"), "p.yaml", cwd=tmp_path)
    assert result.returncode == 1
    (line,) = result.stdout.splitlines()[:1]
    assert line.startswith(f"p.yaml:{_line_of(plan, 'registry')}:") and case["expect"]["error"] in line, line


def test_hostile_pages_render_in_the_browser(chromium, hostile_site: Path) -> None:
    """Every diagram still draws (no Mermaid error), and nothing runs or loads."""
    with serve(hostile_site) as base:
        for case in [c for c in STRINGS if c["expect"] == "literal"]:
            ctx, page, seen = open_page(chromium, f"{base}plans/h-{case['id']}/")
            diagrams = wait_for_diagrams(page)
            dialogs = page.evaluate("() => window.__dialogs || 0")
            ctx.close()
            assert seen == {"errors": [], "failed": [], "outside": []}, case["id"]
            assert diagrams and all(d["svg"] and "Syntax error" not in d["text"] for d in diagrams), case["id"]
            assert dialogs == 0


def test_the_site_title_is_shown_exactly_once_escaped(hostile_site: Path) -> None:
    tree = parse(hostile_site / "index.html")
    logos = [a for tag, a in tree.elements if tag == "a" and "md-logo" in (a.get("class") or "")]
    assert logos and all(a.get("title") == "Plans </title><script>alert(1)</script> & co" for a in logos)


def test_the_corpus_is_big_enough() -> None:
    assert len(STRINGS) + len(URLS) >= 40
