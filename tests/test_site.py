"""The example site, built by real MkDocs + Material, checked file by file."""

from __future__ import annotations

import filecmp
import html
import json
import re
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from conftest import REPO
from site_helpers import AS_OF, parse, plangen, project_copy

pytestmark = pytest.mark.slow

# Every example plan's id: its file name (none of them sets `id`).
PLAN_IDS = [p.stem for p in sorted((REPO / "plans").rglob("*.yaml"), key=lambda p: (p.parent.name, p.name))]
PLAN_SECTIONS = ["overview", "completeness", "rollout", "phases", "integration", "dependencies", "approvals",
                 "authority", "safeguards", "monitoring", "validation", "evidence", "rollback"]
RUNBOOK_SECTIONS = ["triggers", "steps", "continuity", "communication", "escalation", "triage", "authority"]


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> Path:
    project = project_copy(tmp_path_factory.mktemp("project"))
    result = plangen("build", "--strict", "--as-of", AS_OF, "--out", "site", cwd=project)
    assert result.returncode == 0, result.stderr
    return project / "site"


def test_strict_build_of_the_examples_passes(built: Path) -> None:
    assert (built / "index.html").is_file()
    assert (built / ".plangen-output").is_file()


@pytest.mark.parametrize("plan_id", PLAN_IDS)
def test_every_plan_page_has_every_section(built: Path, plan_id: str) -> None:
    tree = parse(built / "plans" / plan_id / "index.html")
    assert set(PLAN_SECTIONS) <= tree.ids


@pytest.mark.parametrize("plan_id", PLAN_IDS)
def test_every_runbook_is_at_its_stable_url_with_every_section(built: Path, plan_id: str) -> None:
    page = built / "plans" / plan_id / "runbook" / "index.html"
    tree = parse(page)
    assert set(RUNBOOK_SECTIONS) <= tree.ids
    text = " ".join(tree.text)
    assert text.index("Triggers") < text.index("Steps")  # triggers come first


def test_runbook_shows_the_steps_exactly_as_written(built: Path) -> None:
    import yaml

    plan = yaml.safe_load((REPO / "plans" / "support" / "reply-drafts-model-swap.yaml").read_text(encoding="utf-8"))
    tree = parse(built / "plans" / "reply-drafts-model-swap" / "runbook" / "index.html")
    text = " ".join(" ".join(tree.text).split())
    positions = []
    for n, step in enumerate(plan["rollback"]["steps"], start=1):
        positions.append(text.index(f"Step {n}: {step['do']}"))
        assert step["command"] in text and step["expect"] in text
    assert positions == sorted(positions)
    codes = [a for tag, a in tree.elements if tag == "code"]
    assert codes  # commands are in code blocks


def test_pages_across_plans_exist(built: Path) -> None:
    for page in ["calendar", "approvals", "dependencies", "runbooks", "rules", "directory"]:
        assert (built / page / "index.html").is_file(), page
    for kind, ident in [("people", "sam.k"), ("teams", "ml-platform"), ("roles", "release-manager")]:
        text = " ".join(parse(built / "directory" / kind / ident / "index.html").text)
        assert "Approves" in text and "May authorise" in text and "On the escalation path" in text


def test_pending_approvals_are_grouped_by_approver(built: Path) -> None:
    text = " ".join(" ".join(parse(built / "approvals" / "index.html").text).split())
    assert "Change advisory board" in text and "Steering committee go decision" in text
    assert "Data protection impact assessment" not in text  # granted


def test_the_sidebar_is_not_flat(built: Path) -> None:
    # Plans sit in sections by folder; directory pages are reached from indexes only.
    tree = parse(built / "index.html")
    nav_links = [a.get("href") for tag, a in tree.elements if tag == "a" and "md-nav__link" in (a.get("class") or "")]
    assert not any("directory/people/" in (h or "") for h in nav_links)


def test_every_plan_is_in_the_sidebar_of_its_own_page(built: Path) -> None:
    """One entry per plan, marked as the page being read: never swallowed
    into its section's title (as a section index page would be)."""
    plans = json.loads((built / "plans.json").read_text(encoding="utf-8"))["plans"]
    for plan in plans:
        page = (built / "plans" / plan["id"] / "index.html").read_text(encoding="utf-8")
        sidebar = page[page.index("md-sidebar--primary"):page.index("md-sidebar--secondary")]
        active = re.findall(r'<a href="[^"]*" class="md-nav__link md-nav__link--active">\s*'
                            r'<span class="md-ellipsis">\s*(.*?)\s*</span>', sidebar, flags=re.S)
        assert [html.unescape(a) for a in active] == [plan["plan"]["title"]], plan["id"]


def test_no_page_requests_anything_outside_the_site(built: Path) -> None:
    bad = []
    for page in built.rglob("*.html"):
        for tag, attrs in parse(page).elements:
            for name in ("src", "href"):
                value = attrs.get(name) or ""
                loads = tag in ("script", "img", "iframe", "source", "audio", "video", "embed") or (
                    tag == "link" and attrs.get("rel") not in ("canonical",))
                if loads and name in attrs and re.match(r"^(https?:)?//", value):
                    bad.append((page.relative_to(built).as_posix(), tag, value))
    for css in built.rglob("*.css"):
        for url in re.findall(r"url\(\s*['\"]?((?:https?:)?//[^'\")]+)", css.read_text(encoding="utf-8")):
            bad.append((css.name, "css", url))
    assert bad == []


def _scripts(page: Path) -> list[str]:
    return [a.get("src") or "" for tag, a in parse(page).elements if tag == "script"]


def test_mermaid_is_the_pinned_local_copy_and_only_where_a_diagram_is(built: Path) -> None:
    mermaid = built / "assets" / "vendor" / "mermaid.min.js"
    assert mermaid.stat().st_size > 1_000_000
    with_diagrams = [built / "plans" / "invoice-risk-review" / "index.html", built / "calendar" / "index.html"]
    for page in with_diagrams:
        assert any(s.endswith("assets/vendor/mermaid.min.js") for s in _scripts(page)), page
    pages = [p for p in built.rglob("*.html") if p.name == "index.html"]
    without = [p for p in pages if 'class="mermaid"' not in p.read_text(encoding="utf-8")]
    assert built / "index.html" in without and built / "plans" / "invoice-risk-review" / "runbook" / "index.html" in without
    for page in without:  # no more script than a bare Material page, plus the small runbook helper
        assert not any("mermaid" in s for s in _scripts(page)), page


def test_exports_beside_the_html(built: Path) -> None:
    text = (built / "plans.json").read_text(encoding="utf-8")
    data = json.loads(text)
    assert text == json.dumps(data, indent=2, ensure_ascii=False) + "\n"  # the layout readers and diffs know
    # (numbers below 1e-4 would be spelled otherwise; the examples have none)
    assert data["as_of"] == AS_OF
    assert sorted(p["id"] for p in data["plans"]) == sorted(PLAN_IDS)
    invoice = next(p for p in data["plans"] if p["id"] == "invoice-risk-review")
    assert [ph["go"] for ph in invoice["phases"]] == ["GO", "NO-GO", "NO-GO", "NO-GO"]
    assert [ph["state"] for ph in invoice["phases"]] == ["next", "later", "later", "later"]
    assert invoice["decision"]["next"] == "shadow" and invoice["decision"]["days_to_next"] == 9
    assert invoice["plan"]["release_window"]["freezes"][0]["from"] == "2026-12-20"
    schema = json.loads((built / "schema.json").read_text(encoding="utf-8"))
    assert "rollout" in schema["properties"]
    ics = (built / "calendar.ics").read_bytes().decode("utf-8")
    assert ics.startswith("BEGIN:VCALENDAR\r\n") and ics.endswith("END:VCALENDAR\r\n")
    assert "UID:invoice-risk-review.shadow@plangen\r\n" in ics
    assert "DTSTART;VALUE=DATE:20261201\r\nDTEND;VALUE=DATE:20261206\r\n" in ics
    assert all(len(line.encode()) <= 75 for line in ics.split("\r\n"))
    # a phase with a start and no end is in the calendar as on the calendar page: one day
    full = ics.split("UID:invoice-risk-review.full@plangen\r\n", 1)[1]
    assert "DTSTART;VALUE=DATE:20261216\r\nDTEND;VALUE=DATE:20261217\r\n" in full.split("END:VEVENT")[0]


def test_a_second_build_is_byte_identical(built: Path, tmp_path: Path) -> None:
    project = project_copy(tmp_path)
    result = plangen("build", "--strict", "--as-of", AS_OF, "--out", "site", cwd=project)
    assert result.returncode == 0, result.stderr
    second = project / "site"
    first_files = sorted(p.relative_to(built) for p in built.rglob("*") if p.is_file())
    second_files = sorted(p.relative_to(second) for p in second.rglob("*") if p.is_file())
    assert first_files == second_files
    match, mismatch, errors = filecmp.cmpfiles(built, second, [str(p) for p in first_files], shallow=False)
    assert (mismatch, errors) == ([], [])


def test_render_output_builds_with_plain_mkdocs(tmp_path: Path) -> None:
    project = project_copy(tmp_path)
    result = plangen("render", "--as-of", AS_OF, "--out", "rendered", cwd=project)
    assert result.returncode == 0, result.stderr
    import subprocess
    import sys

    mkdocs = Path(sys.executable).parent / "mkdocs"
    done = subprocess.run([str(mkdocs), "build", "--strict", "-f", "rendered/mkdocs.yml", "-d", "../out"],
                          cwd=project, capture_output=True, text=True, env={"NO_MKDOCS_2_WARNING": "1", "PATH": ""})
    assert done.returncode == 0, done.stderr
    assert (project / "out" / "plans" / "invoice-risk-review" / "runbook" / "index.html").is_file()


def test_offline_build_works_from_the_file_system(tmp_path: Path) -> None:
    project = project_copy(tmp_path)
    result = plangen("build", "--offline", "--as-of", AS_OF, "--out", "site", cwd=project)
    assert result.returncode == 0, result.stderr
    site = project / "site"
    assert (site / "plans" / "invoice-risk-review" / "runbook.html").is_file()  # no directory URLs on file://
    assert (site / "search" / "search_index.js").is_file()
    scripts = [a.get("src") or "" for t, a in parse(site / "index.html").elements if t == "script"]
    assert any("iframe-worker-shim.js" in s for s in scripts)
    assert not any(re.match(r"^(https?:)?//", s) for s in scripts)


def test_the_site_shows_the_same_findings_as_the_cli(built: Path) -> None:
    result = plangen("lint", "--as-of", AS_OF, "--format", "json")
    findings = json.loads(result.stdout)
    assert findings
    for f in findings:
        if f["rule"] == "unused-waiver":
            continue  # a note about the plan file itself, not about readiness
        plan_id = Path(f["file"]).stem
        text = " ".join(" ".join(parse(built / "plans" / plan_id / "index.html").text).split())
        assert f"{f['severity']} {f['rule']}: {f['message']} (line {f['line']})" in text
    home = " ".join(" ".join(parse(built / "index.html").text).split())
    assert "2 warning(s)" in home  # the notes summariser's open warnings, on the portfolio


def test_strict_build_stops_on_a_readiness_error(tmp_path: Path) -> None:
    project = project_copy(tmp_path)
    plan = project / "plans" / "internal" / "meeting-notes-summariser.yaml"
    text = plan.read_text(encoding="utf-8")
    plan.write_text(text[: text.index("rollback:\n  target")] + text[text.index("support:\n"):], encoding="utf-8")
    assert plangen("build", "--as-of", AS_OF, "--out", "site", cwd=project).returncode == 0
    before = sorted(p.name for p in (project / "site").iterdir())
    result = plangen("build", "--strict", "--as-of", AS_OF, "--out", "site", cwd=project)
    assert result.returncode == 1
    assert "error rollback-triggers" in result.stdout and "nothing was built or changed" in result.stderr
    assert sorted(p.name for p in (project / "site").iterdir()) == before


def test_the_portfolio_lists_every_plan_in_a_table(built: Path) -> None:
    tree = parse(built / "index.html")
    rows = [a for tag, a in tree.elements if tag == "tr"]
    assert len(rows) == 1 + len(PLAN_IDS)  # the header and one row per plan
    text = " ".join(tree.text)
    assert "|" not in text  # no table syntax left over as text


@pytest.mark.parametrize("page", ["index.html", "plans/invoice-risk-review/index.html",
                                  "plans/invoice-risk-review/runbook/index.html", "directory/people/sam.k/index.html"])
def test_page_titles_come_from_front_matter_not_from_leftover_text(built: Path, page: str) -> None:
    source = (built / page).read_text(encoding="utf-8")
    assert "title:" not in " ".join(parse(built / page).text)
    assert re.search(r"<title>[^<]+ - Release plans</title>", source)


def test_printed_pages_carry_their_address_when_site_url_is_set(tmp_path: Path) -> None:
    project = project_copy(tmp_path)
    (project / "site_config" / "mkdocs.yml").write_text("site_url: https://plans.example.com/\n", encoding="utf-8")
    result = plangen("build", "--strict", "--as-of", AS_OF, "--out", "site", cwd=project)
    assert result.returncode == 0, result.stderr
    page = (project / "site" / "plans" / "invoice-risk-review" / "runbook" / "index.html").read_text(encoding="utf-8")
    assert '@bottom-left { content: "https://plans.example.com/plans/invoice-risk-review/runbook/"' in page
    assert "@top-left { content: \"Rollback runbook: Invoice risk review assistant \\0000b7  in review" in page


@settings(max_examples=300, deadline=None)
@given(st.text(st.characters(blacklist_categories=("Cs",)), max_size=400))
def test_calendar_lines_fold_at_75_octets_and_unfold_to_the_line(line: str) -> None:
    from plangen.render.exports import _fold

    parts = _fold(line)
    assert "".join([parts[0], *(p[1:] for p in parts[1:])]) == line  # a continuation's leading space unfolds away
    assert all(len(p.encode("utf-8")) <= 75 for p in parts)
    assert all(p.startswith(" ") for p in parts[1:])
    # each line as full as it may be: the next character would not have fitted
    for part, after in zip(parts, parts[1:]):
        assert len((part + after[1]).encode("utf-8")) > 75
