"""The built site in a real browser: Debian's chromium driven by Playwright,
with every request outside the site blocked, as on an intranet."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest

from browser_helpers import open_page, search, serve, wait_for_diagrams
from conftest import CASES
from site_helpers import AS_OF, plangen, project_copy

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Path, str]]:
    project = project_copy(tmp_path_factory.mktemp("browser"))
    result = plangen("build", "--strict", "--as-of", AS_OF, "--out", "site", cwd=project)
    assert result.returncode == 0, result.stderr
    with serve(project / "site") as base:
        yield project / "site", base


def test_every_page_renders_cleanly_with_no_outside_request(chromium, site) -> None:
    root, base = site
    pages = sorted(p.relative_to(root).parent.as_posix() for p in root.rglob("index.html"))
    drawn = 0
    for rel in pages:
        url = base + ("" if rel == "." else rel + "/")
        ctx, page, seen = open_page(chromium, url)
        diagrams = wait_for_diagrams(page)
        ctx.close()
        assert seen == {"errors": [], "failed": [], "outside": []}, rel
        for d in diagrams:
            assert d["svg"] and d["width"] > 0, rel
            assert "Syntax error" not in d["text"] and "Maximum text size" not in d["text"], rel
        drawn += len(diagrams)
    assert drawn >= 9  # 2-3 per plan page, and the calendar


def test_navigation_and_portfolio_links_resolve(chromium, site) -> None:
    root, base = site
    ctx, page, _ = open_page(chromium, base)
    hrefs = page.eval_on_selector_all("a[href]", "els => els.map(e => e.href)")
    ctx.close()
    local = {h.split("#")[0] for h in hrefs if h.startswith(base)}
    assert any("/runbook/" in h for h in local)
    for href in sorted(local):
        path = root / href[len(base):]
        assert path.is_file() or (path / "index.html").is_file(), href


@pytest.mark.parametrize("paper", ["A4", "Letter"])
def test_runbook_prints_every_step_with_no_navigation(chromium, site, tmp_path: Path, paper: str) -> None:
    from pypdf import PdfReader

    _, base = site
    ctx, page, _ = open_page(chromium, base + "plans/invoice-risk-review/runbook/")
    page.emulate_media(media="print")
    pdf = tmp_path / "runbook.pdf"
    page.pdf(path=str(pdf), format=paper, print_background=True)
    ctx.close()
    pages = [" ".join(p.extract_text().split()) for p in PdfReader(str(pdf)).pages]
    text = " ".join(pages)
    # every sheet says what it is, as of when, and which sheet of how many
    header = "Rollback runbook: Invoice risk review assistant · in review · model invoice-risk 2.3.0 · as of 2026-11-22"
    for number, sheet in enumerate(pages, start=1):
        assert header in sheet and f"Page {number} of {len(pages)}" in sheet, sheet[:300]
        assert len(sheet) > len(header) + 30  # no blank pages: every sheet has content of its own
    wanted = ["Reviewers override more than 40% of scores for a day",
              "Step 1: Disable the score display flag", "Expected result: Scores disappear from the AP UI",
              "Step 2: Redeploy model 2.2.1 to the scoring service", "Expected result: /health reports",
              "flagctl set ap.risk_score.enabled false", "deployctl rollout invoice-risk --version 2.2.1",
              "x4400", "pagerduty:ml-oncall"]
    positions = [text.find(w) for w in wanted]
    assert -1 not in positions, [w for w, p in zip(wanted, positions) if p == -1]
    # trigger first, then the steps in order (code blocks come out of the PDF's text layer apart)
    assert positions[:5] == sorted(positions[:5])
    for chrome in ("Pending approvals", "Release calendar", "Search"):
        assert chrome not in text


def test_steps_have_anchors_and_tick_boxes_that_are_kept(chromium, site) -> None:
    _, base = site
    url = base + "plans/invoice-risk-review/runbook/"
    ctx, page, seen = open_page(chromium, url + "#step-2")
    assert page.evaluate("document.querySelector('#step-2').textContent").startswith("Step 2: Redeploy")
    boxes = page.locator("h3[id^='step-'] input.pg-tick")
    assert boxes.count() == 2
    boxes.nth(1).check()
    page.reload()
    page.wait_for_load_state("networkidle")
    assert page.locator("h3[id^='step-'] input.pg-tick").nth(1).is_checked()  # kept in this browser
    assert not page.locator("h3[id^='step-'] input.pg-tick").nth(0).is_checked()
    page.locator(".pg-clear-ticks").click()
    assert not page.locator("h3[id^='step-'] input.pg-tick").nth(1).is_checked()
    ctx.close()
    assert seen["errors"] == []


def test_offline_site_works_from_file_urls(chromium, tmp_path: Path) -> None:
    project = project_copy(tmp_path)
    result = plangen("build", "--offline", "--as-of", AS_OF, "--out", "site", cwd=project)
    assert result.returncode == 0, result.stderr
    root = project / "site"
    for page in sorted(p for p in root.rglob("*.html") if p.name != "404.html"):
        ctx, tab, seen = open_page(chromium, page.as_uri())
        diagrams = wait_for_diagrams(tab)
        ctx.close()
        rel = page.relative_to(root).as_posix()
        assert seen == {"errors": [], "failed": [], "outside": []}, rel
        assert all(d["svg"] and "Syntax error" not in d["text"] for d in diagrams), rel
    ctx, tab, seen = open_page(chromium, (root / "plans" / "invoice-risk-review" / "index.html").as_uri())
    results = search(tab, "redeploy")
    ctx.close()
    assert any("runbook.html" in r for r in results)


@pytest.fixture(scope="module")
def decisions_site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """The examples and the whole-plan decision cases (in flight, rolled back,
    complete, slipped, paused, not a model) in one site."""
    project = project_copy(tmp_path_factory.mktemp("decisions"))
    shutil.copytree(CASES / "decision", project / "plans" / "cases", ignore=shutil.ignore_patterns("*.out"))
    result = plangen("build", "--as-of", AS_OF, "--out", "site", cwd=project)
    assert result.returncode == 0, result.stderr
    with serve(project / "site") as base:
        yield base


HOME_COLUMNS = ["Plan", "Now", "Next", "Go / no-go", "Blockers and slips", "Runbook"]


def test_the_portfolio_shows_every_decision_column_at_1280px(chromium, decisions_site) -> None:
    ctx, page, seen = open_page(chromium, decisions_site, viewport={"width": 1280, "height": 800})
    layout = page.evaluate("""() => {
        const table = document.querySelector('.md-content table');
        const wrap = table.closest('.md-typeset__scrollwrap') || table.parentElement;
        const heads = Array.from(table.querySelectorAll('th')).map(th => {
            const r = th.getBoundingClientRect(); return [th.textContent.trim(), r.left, r.right]; });
        const dates = Array.from(document.querySelectorAll('.md-content .pg-nowrap'));
        return {heads, overflow: wrap.scrollWidth - wrap.clientWidth, page: document.documentElement.scrollWidth,
                dates: dates.length, broken: dates.filter(d => d.getClientRects().length > 1).map(d => d.textContent)};
    }""")
    ctx.close()
    assert seen["errors"] == [] and seen["outside"] == []
    assert [h[0] for h in layout["heads"]] == HOME_COLUMNS
    assert all(0 <= left and right <= 1280 for _, left, right in layout["heads"]), layout["heads"]
    assert layout["overflow"] <= 0 and layout["page"] <= 1280, layout
    assert layout["dates"] > 10 and layout["broken"] == []


def test_the_portfolio_is_a_list_of_cards_at_390px(chromium, decisions_site) -> None:
    ctx, page, _ = open_page(chromium, decisions_site, viewport={"width": 390, "height": 844})
    layout = page.evaluate("""() => {
        const table = document.querySelector('.md-content table');
        const rows = Array.from(table.querySelectorAll('tbody tr'));
        return {head: getComputedStyle(table.querySelector('thead')).display,
                rows: rows.map(r => { const b = r.getBoundingClientRect(); return [getComputedStyle(r).display, b.left, b.right]; }),
                page: document.documentElement.scrollWidth,
                label: getComputedStyle(rows[0].children[3], '::before').content};
    }""")
    ctx.close()
    assert layout["head"] == "none" and layout["page"] <= 390
    assert layout["rows"] and all(d == "block" and left >= 0 and right <= 390 for d, left, right in layout["rows"])
    assert layout["label"] == '"Go / no-go: "'


def test_the_timeline_marks_the_build_date_not_the_viewers_clock(chromium, decisions_site) -> None:
    ctx, page, _ = open_page(chromium, decisions_site + "plans/mid-rollout-blocked-next/")
    diagrams = wait_for_diagrams(page)
    marker = page.evaluate("""() => Array.from(document.querySelectorAll('div.mermaid')).map(d =>
        Array.from(d.shadowRoot.querySelectorAll('.vert, .today')).map(e => e.getAttribute('class'))).flat()""")
    ctx.close()
    assert any("As of 2026-11-22" in d["text"] for d in diagrams)
    assert any("vert" in m for m in marker) and not any(m.split()[0] == "today" for m in marker)


def test_a_plan_page_prints_with_its_header_and_no_empty_sheet(chromium, site, tmp_path: Path) -> None:
    from pypdf import PdfReader

    _, base = site
    ctx, page, _ = open_page(chromium, base + "plans/invoice-risk-review/")
    wait_for_diagrams(page)
    heights = page.evaluate("Array.from(document.querySelectorAll('div.mermaid')).map(d => d.getBoundingClientRect().height)")
    page.emulate_media(media="print")
    pdf = tmp_path / "plan.pdf"
    page.pdf(path=str(pdf), format="A4", print_background=True)
    ctx.close()
    sheets = [" ".join(p.extract_text().split()) for p in PdfReader(str(pdf)).pages]
    header = "Invoice risk review assistant · in review · model invoice-risk 2.3.0 · as of 2026-11-22"
    for number, sheet in enumerate(sheets, start=1):
        assert sheet.startswith(header) and f"Page {number} of {len(sheets)}" in sheet
        assert len(sheet) > 300, sheet  # no nearly blank sheet
    assert heights and max(heights) < 1000  # each diagram fits on one A4 sheet, which it may not be split across
