"""The site engine's own build: pages split over forked workers and kept in
a cache beside the site. Its output must be MkDocs' output, byte for byte,
however many pages came from the cache."""

from __future__ import annotations

import filecmp
import hashlib
import json
import os
import re
import shutil
import subprocess
import sys
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from plangen.site import engine, store
from plangen.site.writer import BUSY, CACHE, WORK
from conftest import REPO
from plangen.workers import WorkerError, balanced, cores, fork_map
from site_helpers import AS_OF, plangen, project_copy

EPOCH = str(int(datetime.fromisoformat(AS_OF).replace(tzinfo=timezone.utc).timestamp()))


def differences(a: Path, b: Path) -> list[str]:
    """Files that are not byte-identical (or not in both), as relative paths."""
    found = []
    for path in sorted({p.relative_to(a) for p in a.rglob("*")} | {p.relative_to(b) for p in b.rglob("*")}):
        left, right = a / path, b / path
        if left.is_dir() and right.is_dir():
            continue
        if not (left.is_file() and right.is_file() and filecmp.cmp(left, right, shallow=False)):
            found.append(path.as_posix())
    return found


def cache_keys(folder: Path) -> set[str]:
    """The built pages kept in a site's cache folder."""
    return {p.stem for p in (folder / "pages").glob("*.html")}


def across_pages(folder: Path) -> dict[str, tuple[int, bytes]]:
    """The pages across plans and their blocks kept with the plans' shares, as
    written (each file's time of last change and bytes)."""
    return {p.name: (p.stat().st_mtime_ns, p.read_bytes()) for p in (folder / "plans").iterdir()
            if p.suffix in (".page", ".blocks")}


ALONGSIDE = "they are made again alongside"  # said when the pages across plans are made in a child (see Later)
TWO = {"PLANGEN_WORKERS": "2"}  # a second core, whatever this machine has: pages across plans made alongside


def records(folder: Path) -> set[str]:
    """The plans' shares of the site kept in a site's cache folder."""
    return {p.stem for p in (folder / "plans").glob("*.record")}


@pytest.fixture(scope="module")
def project(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return project_copy(tmp_path_factory.mktemp("engine"))


@pytest.mark.parametrize("offline", [False, True])
def test_the_split_build_is_byte_identical_to_mkdocs_build(project: Path, tmp_path: Path, offline: bool,
                                                           monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(engine, "_COST_PER_WORKER", 1)  # fork even for the few example pages,
    monkeypatch.setattr(engine, "cores", lambda: 3)  # into three workers, whatever this machine has
    src = tmp_path / "src"
    flags = ["--offline"] if offline else []
    assert plangen("render", "--out", str(src), "--as-of", AS_OF, *flags, cwd=project).returncode == 0
    env = {**os.environ, "SOURCE_DATE_EPOCH": EPOCH, "NO_MKDOCS_2_WARNING": "1"}
    bare = subprocess.run([sys.executable, "-m", "mkdocs", "build", "-q", "-f", str(src / "mkdocs.yml"),
                           "-d", str(tmp_path / "bare")], env=env, capture_output=True, text=True)
    assert bare.returncode == 0, bare.stderr
    outcome = engine.build(src / "mkdocs.yml", tmp_path / "ours", strict=True, epoch=int(EPOCH),
                           cache=tmp_path / "cache")
    assert outcome.warnings == [] and outcome.converted == len(list((src / "docs").rglob("*.md")))
    assert len(list((tmp_path / "cache").glob("*.html"))) > 50  # plangen's own build ran, not MkDocs' fallback
    assert len(pieced(tmp_path / "cache")) > 50  # and the pages across plans were converted in pieces
    assert differences(tmp_path / "bare", tmp_path / "ours") == []


def pieces(folder: Path) -> set[str]:
    """The pieces kept in a page cache (a page not made of pieces is one)."""
    return {p.stem for p in folder.glob("*.piece")}


def pieced(folder: Path) -> set[str]:
    """The pieces of the pages made of more than one, as their entries in a page cache name them."""
    found: set[str] = set()
    for meta in folder.glob("*.json"):
        body = store.unseal(meta.read_bytes())
        assert body is not None
        named = json.loads(body.partition(b"\n")[0])["pieces"]
        found.update(named if len(named) > 1 else [])
    return found


def test_long_pages_in_pieces_equal_mkdocs_whole_and_an_edit_converts_its_piece(tmp_path: Path) -> None:
    """With more plans than a batch, the tables across plans come in batches
    (a piece each). The engine's pages equal MkDocs' build of the same
    Markdown; after a title edit, only the pieces that name the plan are
    converted again, and the site still equals MkDocs' build."""
    work = project_copy(tmp_path / "p")
    source = (work / "plans" / "support" / "reply-drafts-model-swap.yaml").read_text(encoding="utf-8")
    for i in range(30):
        (work / "plans" / "support" / f"copy-{i:02d}.yaml").write_text(
            re.sub(r"(?m)^title: .*$", f"title: Copy {i:02d} of the reply drafts swap", source, 1), encoding="utf-8")
    env = {**os.environ, "SOURCE_DATE_EPOCH": EPOCH, "NO_MKDOCS_2_WARNING": "1"}

    def both(name: str) -> None:
        src = tmp_path / f"src-{name}"
        assert plangen("render", "--out", str(src), "--as-of", AS_OF, cwd=work).returncode == 0
        bare = subprocess.run([sys.executable, "-m", "mkdocs", "build", "-q", "-f", str(src / "mkdocs.yml"),
                               "-d", str(tmp_path / f"bare-{name}")], env=env, capture_output=True, text=True)
        assert bare.returncode == 0, bare.stderr
        outcome = engine.build(src / "mkdocs.yml", tmp_path / f"ours-{name}", strict=True, epoch=int(EPOCH),
                               cache=tmp_path / "cache")
        assert outcome.warnings == []
        assert differences(tmp_path / f"bare-{name}", tmp_path / f"ours-{name}") == []

    both("first")
    first = pieces(tmp_path / "cache")
    long = pieced(tmp_path / "cache")
    portfolio = (tmp_path / "src-first" / "docs" / "index.md").read_text(encoding="utf-8")
    assert "### Plans checkout-canary to copy-17 { #plans-1 }" in portfolio  # batches of 20 plan ids
    # Approvals and dependencies, by who decides or delivers, then by month and batch.
    approvals = (tmp_path / "src-first" / "docs" / "approvals.md").read_text(encoding="utf-8")
    assert re.search(r"(?m)^### Due in 2026-\d\d&#58; plans copy-18 to vendor-risk-screening "
                     r"\{ #approvals-[a-z.-]+-2026-\d\d-2 \}$", approvals), approvals
    assert re.search(r"(?m)^### Needed in 2026-\d\d&#58; plans ", (tmp_path / "src-first" / "docs" / "dependencies.md")
                     .read_text(encoding="utf-8"))
    calendar = (tmp_path / "src-first" / "docs" / "calendar.md").read_text(encoding="utf-8")
    assert re.search(r"(?m)^### Starting in 20\d\d-\d\d&#58; plans .* \{ #freezes-20\d\d-\d\d-\d \}$", calendar)
    assert "### For every plan (site-wide) { #freezes-site-wide }" in calendar
    assert len(long) > 100
    path = work / "plans" / "support" / "copy-25.yaml"
    path.write_text(path.read_text(encoding="utf-8").replace("Copy 25 of", "Copy 25, renamed, of", 1), encoding="utf-8")
    both("second")
    again = pieces(tmp_path / "cache")
    converted = again - first
    # The portfolio's, the runbooks' and the calendar's batch, the conflicts, and a batch on each page
    # of someone with a duty in the plan: far fewer than all.
    assert 5 < len(converted) < len(long) // 3, len(converted)
    # The plan's own page too comes in pieces: its first (the title) is converted again, its sections are not.
    html = [json.loads(store.unseal((tmp_path / "cache" / f"{key}.piece").read_bytes()) or b"{}")["html"]
            for key in converted]
    assert sum('<h1 id="copy-25-renamed-of-the-reply-drafts-swap">' in h for h in html) == 1, html
    assert not any('id="rollout"' in h for h in html)


def test_pieces_whose_headings_would_clash_are_converted_whole(tmp_path: Path) -> None:
    """Converted whole, a heading's anchor never repeats another's (MkDocs
    numbers the second); converted alone, two pieces would both take it. The
    engine sees the repeat and converts the page whole, as MkDocs does."""
    project = project_copy(tmp_path / "p")
    src = tmp_path / "src"
    assert plangen("render", "--out", str(src), "--as-of", AS_OF, cwd=project).returncode == 0
    marker = "\n\n[//]: # (piece)\n\n"
    (src / "docs" / "rules.md").write_text(
        "# Rules" + marker + "## Same\n\nOne [portfolio](index.md#plans)." + marker + "## Same\n\nTwo." + marker
        + "## Other { #other }\n\nThree.\n", encoding="utf-8")
    env = {**os.environ, "SOURCE_DATE_EPOCH": EPOCH, "NO_MKDOCS_2_WARNING": "1"}
    bare = subprocess.run([sys.executable, "-m", "mkdocs", "build", "-q", "-f", str(src / "mkdocs.yml"),
                           "-d", str(tmp_path / "bare")], env=env, capture_output=True, text=True)
    assert bare.returncode == 0, bare.stderr
    engine.build(src / "mkdocs.yml", tmp_path / "ours", strict=True, epoch=int(EPOCH), cache=tmp_path / "cache")
    html = (tmp_path / "ours" / "rules" / "index.html").read_text(encoding="utf-8")
    assert 'id="same"' in html and 'id="same_1"' in html
    assert differences(tmp_path / "bare", tmp_path / "ours") == []


def test_a_rebuild_after_an_edit_equals_a_clean_build_and_reuses_the_rest(project: Path, tmp_path: Path) -> None:
    work = shutil.copytree(project, tmp_path / "p")
    out, cache = work / "site", work / ".site.plangen-cache"
    assert plangen("build", "--out", "site", "--as-of", AS_OF, "--quiet", cwd=work).returncode == 0
    first, kept, across = cache_keys(cache), records(cache), across_pages(cache)
    made_from = json.loads((cache / "plans" / "last.state").read_text(encoding="utf-8"))["across"]
    assert len(across) > 10  # the portfolio, calendar, directory... rendered from their views
    assert len(first) > 50  # every page is kept
    assert len(kept) == len(list((work / "plans").rglob("*.yaml")))  # and every plan's share
    plan = work / "plans" / "platform" / "checkout-canary.yaml"
    text = plan.read_text(encoding="utf-8")
    edited = re.sub(r"(?m)^summary: .*$", "summary: >-\n  Edited after review: the canary holds at 5% a day longer.", text, 1)
    assert edited != text
    plan.write_text(edited, encoding="utf-8")
    rebuild = plangen("build", "--out", "site", "--as-of", AS_OF, cwd=work, env=TWO)
    assert rebuild.returncode == 0, rebuild.stderr
    # Only the edited plan was read, and the plan it waits on (to check the link).
    assert f"({len(kept) - 2} kept from the last build)" in rebuild.stderr
    assert len(records(cache) - kept) == 1 and len(records(cache)) == len(kept)  # its old share is gone
    # No page across plans shows the summary: made from the same, none was made again (or rewritten).
    assert json.loads((cache / "plans" / "last.state").read_text(encoding="utf-8"))["across"] == made_from
    assert across_pages(cache) == across and ALONGSIDE not in rebuild.stderr
    again = cache_keys(cache)
    assert 0 < len(again - first) < len(first) // 4, "only the edited plan's pages (and its mentions) are rebuilt"
    assert plangen("build", "--out", "clean", "--as-of", AS_OF, "--quiet", "--no-cache", cwd=work).returncode == 0
    assert not (work / ".clean.plangen-cache").exists()
    assert differences(out, work / "clean") == []
    # Kept pages are linked from the cache, readable as the pages MkDocs writes.
    modes = {root: {p.relative_to(root): p.stat().st_mode for p in root.rglob("*.html")} for root in (out, work / "clean")}
    assert modes[out] == modes[work / "clean"]
    assert any(p.stat().st_nlink > 1 for p in out.rglob("*.html"))
    assert "Edited after review" in (out / "plans" / "checkout-canary" / "index.html").read_text(encoding="utf-8")
    # A published page changed in place (a tool appending to it) changes its cache entry too, which
    # is then no longer trusted: the next build makes the page again.
    page = out / "plans" / "checkout-canary" / "index.html"
    assert page.stat().st_nlink > 1
    with page.open("ab") as handle:
        handle.write(b"<!-- appended -->")
    assert plangen("build", "--out", "site", "--as-of", AS_OF, "--quiet", cwd=work, env=TWO).returncode == 0
    assert differences(out, work / "clean") == []

    # The checkout canary waits on a phase of the cluster upgrade: when that
    # plan pauses, the canary's page (whose file did not change) says so.
    upgrade = work / "plans" / "platform" / "cluster-upgrade.yaml"
    upgrade.write_text(re.sub(r"(?m)^status: rolling-out$", "status: paused",
                              upgrade.read_text(encoding="utf-8"), count=1), encoding="utf-8")
    rebuild = plangen("build", "--out", "site", "--as-of", AS_OF, cwd=work)
    assert f"({len(kept) - 2} kept from the last build)" in rebuild.stderr  # the upgrade and the canary
    shutil.rmtree(work / "clean")
    assert plangen("build", "--out", "clean", "--as-of", AS_OF, "--quiet", "--no-cache", cwd=work).returncode == 0
    assert differences(out, work / "clean") == []
    again = cache_keys(cache)

    # A new title changes the sidebar: pages that show that part of it are rebuilt, no others.
    # The invoice review's file is unchanged, but its conflict with the canary names the canary's
    # title: it is read again too (with the canary and the upgrade the canary reads).
    plan.write_text(edited.replace("\ntitle: ", "\ntitle: Renamed ", 1), encoding="utf-8")
    rebuild = plangen("build", "--out", "site", "--as-of", AS_OF, cwd=work, env=TWO)
    assert rebuild.returncode == 0, rebuild.stderr
    assert f"({len(kept) - 3} kept from the last build)" in rebuild.stderr
    assert ALONGSIDE in rebuild.stderr
    assert cache_keys(cache) != again
    assert len(cache_keys(cache) - again) < len(again) // 2
    shutil.rmtree(work / "clean")
    assert plangen("build", "--out", "clean", "--as-of", AS_OF, "--quiet", "--no-cache", cwd=work).returncode == 0
    assert differences(out, work / "clean") == []


def test_a_corrupt_or_foreign_cache_is_ignored_and_cleaned(project: Path, tmp_path: Path) -> None:
    work = shutil.copytree(project, tmp_path / "p")
    cache = work / ".site.plangen-cache"
    assert plangen("build", "--out", "site", "--as-of", AS_OF, "--quiet", cwd=work).returncode == 0
    pages = sorted((cache / "pages").glob("*.html"))
    pages[0].write_bytes(pages[0].read_bytes()[:100])  # truncated
    pages[1].with_suffix(".json").write_text("{not json", encoding="utf-8")
    # A page with search entries (spliced into the index unparsed): a planted entry must be refused.
    searched = next(page for page in pages[2:] if '}\n[{"location":' in page.with_suffix(".json").read_text("utf-8"))
    meta = searched.with_suffix(".json")
    entries = meta.read_text(encoding="utf-8")
    meta.write_text(entries.replace('}\n[{"location":', '}\n[{"location":"x"},{"location":', 1), encoding="utf-8")
    scripted = next(page for page in pages[2:] if page != searched)
    scripted.write_bytes(b"<script>alert(1)</script>")  # the digest no longer matches
    (cache / "pages" / "stranger.txt").write_text("not ours", encoding="utf-8")
    shares = sorted((cache / "plans").glob("*.record"))
    shares[0].write_bytes(shares[0].read_bytes()[:100])  # truncated
    shares[1].write_text("{not json", encoding="utf-8")
    shares[2].write_text(shares[2].read_text(encoding="utf-8").replace('"paths":[', '"paths":[1,', 1), encoding="utf-8")
    shares[3].write_text(shares[4].read_text(encoding="utf-8"), encoding="utf-8")  # another plan's share
    (cache / "plans" / "stranger.txt").write_text("not ours", encoding="utf-8")
    rebuild = plangen("build", "--out", "site", "--as-of", AS_OF, cwd=work)
    assert rebuild.returncode == 0, rebuild.stderr
    unchanged = int(re.search(r"\((\d+) kept from the last build\)", rebuild.stderr).group(1))
    assert len(shares) - 6 <= unchanged <= len(shares) - 4  # the four damaged (and any plan that reads one)
    assert plangen("build", "--out", "clean", "--as-of", AS_OF, "--quiet", "--no-cache", cwd=work).returncode == 0
    assert differences(work / "site", work / "clean") == []
    assert not (cache / "pages" / "stranger.txt").exists() and not (cache / "plans" / "stranger.txt").exists()
    assert "alert(1)" not in scripted.read_text(encoding="utf-8")


def test_a_record_whose_texts_were_damaged_is_not_used(project: Path, tmp_path: Path) -> None:
    """A record's texts follow its line of JSON unquoted: a changed byte
    there (the length unchanged) is found by their digest, and the plan is
    read again."""
    work = shutil.copytree(project, tmp_path / "p")
    assert plangen("build", "--out", "site", "--as-of", AS_OF, "--quiet", cwd=work).returncode == 0
    for share in (work / ".site.plangen-cache" / "plans").glob("*.record"):
        text = share.read_text(encoding="utf-8")
        share.write_text(text[:-40] + text[-40:].swapcase(), encoding="utf-8")  # its last calendar line
    rebuild = plangen("build", "--out", "site", "--as-of", AS_OF, cwd=work)
    assert rebuild.returncode == 0, rebuild.stderr
    assert "kept from the last build" not in rebuild.stderr
    assert plangen("build", "--out", "clean", "--as-of", AS_OF, "--quiet", "--no-cache", cwd=work).returncode == 0
    assert differences(work / "site", work / "clean") == []


def damage_tails(files: list[Path]) -> None:
    """Swap the case of the last 40 characters of each file (its length unchanged)."""
    for path in files:
        text = path.read_text(encoding="utf-8")
        assert text[-40:] != text[-40:].swapcase()  # letters: the bytes change
        path.write_text(text[:-40] + text[-40:].swapcase(), encoding="utf-8")


def test_a_damaged_page_across_plans_is_rendered_again(project: Path, tmp_path: Path) -> None:
    """The Markdown of the pages across plans is kept sealed with its digest:
    a changed byte (the length unchanged) is found, and the page is rendered
    again from its view."""
    work = shutil.copytree(project, tmp_path / "p")
    assert plangen("build", "--out", "site", "--as-of", AS_OF, "--quiet", cwd=work).returncode == 0
    kept = list((work / ".site.plangen-cache" / "plans").glob("*.page"))
    assert len(kept) > 10
    damage_tails(kept)
    (work / "site" / "index.html").unlink()  # a rebuild, with every plan kept
    assert plangen("build", "--out", "site", "--as-of", AS_OF, "--quiet", cwd=work).returncode == 0
    assert plangen("build", "--out", "clean", "--as-of", AS_OF, "--quiet", "--no-cache", cwd=work).returncode == 0
    assert differences(work / "site", work / "clean") == []
    # And kept sound again (made with the same Markdown, so the note of the last build is unchanged).
    assert all(store.unseal(page.read_bytes()) is not None for page in kept)


def retitled(work: Path, title: str) -> None:
    """A new title for the checkout canary: shown on pages across plans."""
    plan = work / "plans" / "platform" / "checkout-canary.yaml"
    plan.write_text(re.sub(r"(?m)^title: .*$", f"title: {title}", plan.read_text(encoding="utf-8"), count=1),
                    encoding="utf-8")


def test_damaged_blocks_of_pages_across_plans_are_not_used(project: Path, tmp_path: Path) -> None:
    """The blocks of a page across plans are kept sealed: a changed byte (the
    length unchanged) is found, and each block is rendered again."""
    work = shutil.copytree(project, tmp_path / "p")
    assert plangen("build", "--out", "site", "--as-of", AS_OF, "--quiet", cwd=work).returncode == 0
    kept = list((work / ".site.plangen-cache" / "plans").glob("*.blocks"))
    assert len(kept) > 10
    damage_tails(kept)
    retitled(work, "Checkout service 4.2 behind a canary")
    assert plangen("build", "--out", "site", "--as-of", AS_OF, "--quiet", cwd=work, env=TWO).returncode == 0
    assert plangen("build", "--out", "clean", "--as-of", AS_OF, "--quiet", "--no-cache", cwd=work).returncode == 0
    assert differences(work / "site", work / "clean") == []


def test_pages_across_plans_other_than_those_expected_are_read_again(project: Path, tmp_path: Path) -> None:
    """MkDocs reads the site while the pages across plans are still being
    made, expecting the last build's: when they turn out to be others (here,
    a page the last build is said to have had), the site is read again."""
    work = shutil.copytree(project, tmp_path / "p")
    assert plangen("build", "--out", "site", "--as-of", AS_OF, "--quiet", cwd=work).returncode == 0
    state = work / ".site.plangen-cache" / "plans" / "last.state"
    last = json.loads(state.read_text(encoding="utf-8"))
    state.write_text(json.dumps({**last, "pages": {**last["pages"], "directory/people/ghost.md": "0" * 64}}),
                     encoding="utf-8")
    retitled(work, "Checkout service 4.2 behind a canary")
    rebuild = plangen("build", "--out", "site", "--as-of", AS_OF, cwd=work, env=TWO)
    assert rebuild.returncode == 0, rebuild.stderr
    assert ALONGSIDE in rebuild.stderr
    assert not (work / "site" / "directory" / "people" / "ghost").exists()
    assert plangen("build", "--out", "clean", "--as-of", AS_OF, "--quiet", "--no-cache", cwd=work).returncode == 0
    assert differences(work / "site", work / "clean") == []


def test_a_note_of_the_last_build_naming_paths_outside_the_site_is_not_used(project: Path, tmp_path: Path) -> None:
    """The pages the note of the last build names are written (empty, until
    they come) and removed in the build's folder: a path that leaves it, or
    is not a page, makes the note not used."""
    work = shutil.copytree(project, tmp_path / "p")
    assert plangen("build", "--out", "site", "--as-of", AS_OF, "--quiet", cwd=work).returncode == 0
    state = work / ".site.plangen-cache" / "plans" / "last.state"
    last = json.loads(state.read_text(encoding="utf-8"))
    victim = work / "victim.md"
    victim.write_text("keep me", encoding="utf-8")
    for bad in ("../../../victim.md", "/tmp/x.md", "directory/people/x.txt", "directory//x.md"):
        state.write_text(json.dumps({**last, "pages": {**last["pages"], bad: "0" * 64}}), encoding="utf-8")
        retitled(work, f"Checkout service 4.2 ({len(bad)})")
        rebuild = plangen("build", "--out", "site", "--as-of", AS_OF, cwd=work, env=TWO)
        assert rebuild.returncode == 0, rebuild.stderr
        assert ALONGSIDE not in rebuild.stderr  # no note: the pages across plans made before MkDocs starts
        assert victim.read_text(encoding="utf-8") == "keep me"
    assert plangen("build", "--out", "clean", "--as-of", AS_OF, "--quiet", "--no-cache", cwd=work).returncode == 0
    assert differences(work / "site", work / "clean") == []


def test_pages_across_plans_still_to_come_in_a_workspace_started_afresh(project: Path, tmp_path: Path) -> None:
    """While they are being made, MkDocs reads the site with the files the
    last build wrote in their place; a workspace started afresh holds none
    (they are made empty until the pages come): the site is as a clean build."""
    work = shutil.copytree(project, tmp_path / "p")
    assert plangen("build", "--out", "site", "--as-of", AS_OF, "--quiet", cwd=work).returncode == 0
    (work / ".site.plangen-cache" / WORK / BUSY).write_bytes(b"")  # as a build killed half-way leaves it
    retitled(work, "Checkout service 4.2 behind a canary")
    rebuild = plangen("build", "--out", "site", "--as-of", AS_OF, cwd=work, env=TWO)
    assert rebuild.returncode == 0, rebuild.stderr
    assert ALONGSIDE in rebuild.stderr
    assert plangen("build", "--out", "clean", "--as-of", AS_OF, "--quiet", "--no-cache", cwd=work).returncode == 0
    assert differences(work / "site", work / "clean") == []


def test_a_failure_making_the_pages_across_plans_alongside_is_told(project: Path, tmp_path: Path) -> None:
    """The child making the pages across plans fails on a record whose part is
    not one (sealed again after the damage, as by hand): the build says what
    went wrong, as it would without the child, and leaves the site as it was."""
    work = shutil.copytree(project, tmp_path / "p")
    assert plangen("build", "--out", "site", "--as-of", AS_OF, "--quiet", cwd=work).returncode == 0
    before = (work / "site" / "index.html").read_bytes()
    damaged = 0
    for record in (work / ".site.plangen-cache" / "plans").glob("*.record"):
        body = store.unseal(record.read_bytes())
        assert body is not None
        head, _, texts = body.partition(b"\n")
        part = json.loads(head)["sizes"][0]
        if b"meeting-notes-summariser" in texts[:part]:  # a part kept while the canary is renamed
            record.write_bytes(store.seal(head + b"\n" + b"[" * part + texts[part:]))
            damaged += 1
    assert damaged == 1
    retitled(work, "Checkout service 4.2 behind a canary")
    rebuild = plangen("build", "--out", "site", "--as-of", AS_OF, cwd=work, env=TWO)
    assert rebuild.returncode == 1, rebuild.stderr
    assert "holds a plan's part that is not one" in rebuild.stderr and "Traceback" not in rebuild.stderr
    assert (work / "site" / "index.html").read_bytes() == before


def test_damaged_conversions_and_theme_names_are_not_used(project: Path, tmp_path: Path) -> None:
    """Every piece's HTML and the theme's file names are sealed with their
    digest: damaged (the JSON still sound), they are made again, never
    used. Every page's entry is removed, so every page is put together from
    its pieces again."""
    work = shutil.copytree(project, tmp_path / "p")
    assert plangen("build", "--out", "site", "--as-of", AS_OF, "--quiet", cwd=work).returncode == 0
    folder = work / ".site.plangen-cache" / "pages"
    for piece in folder.glob("*.piece"):
        text = piece.read_text(encoding="utf-8")
        at = text.index('"html": "') + 9
        piece.write_text(text[:at] + text[at:at + 30].swapcase() + text[at + 30:], encoding="utf-8")
    (names,) = folder.glob("*.names")
    seal, _, body = names.read_text(encoding="utf-8").partition("\n")
    kept = json.loads(body)
    names.write_text(seal + "\n" + json.dumps({**kept, "names": kept["names"][1:]}), encoding="utf-8")
    for meta in folder.glob("*.json"):
        meta.unlink()
    assert plangen("build", "--out", "site", "--as-of", AS_OF, "--quiet", cwd=work).returncode == 0
    assert plangen("build", "--out", "clean", "--as-of", AS_OF, "--quiet", "--no-cache", cwd=work).returncode == 0
    assert differences(work / "site", work / "clean") == []


def test_a_cache_that_is_a_link_is_not_followed(project: Path, tmp_path: Path) -> None:
    work = shutil.copytree(project, tmp_path / "p")
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    (elsewhere / "keep.txt").write_text("precious", encoding="utf-8")
    (work / ".site.plangen-cache").symlink_to(elsewhere)
    assert plangen("build", "--out", "site", "--as-of", AS_OF, "--quiet", cwd=work).returncode == 0
    assert sorted(p.name for p in elsewhere.iterdir()) == ["keep.txt"]


def test_workers_return_results_in_order_and_report_failures() -> None:
    items = list(range(10))
    chunks = [items[0:3], items[3:7], items[7:]]
    results = fork_map(lambda chunk: (os.getpid(), [x * x for x in chunk]), chunks)
    assert [r[1] for r in results] == [[x * x for x in c] for c in chunks]
    assert len({r[0] for r in results}) == 3  # three processes
    with pytest.raises(WorkerError, match="ZeroDivisionError"):
        fork_map(lambda chunk: [1 / (x - 5) for x in chunk], [[1], [5]])
    with pytest.raises(ZeroDivisionError):  # this process's own share; the child is still reaped
        fork_map(lambda chunk: [1 / x for x in chunk], [[0], [1]])


def test_chunks_share_the_cost_and_keep_the_order() -> None:
    sizes = [100, 1, 1, 1, 90, 2, 2, 50, 40, 3]
    chunks = balanced(list(range(len(sizes))), 2, cost=lambda i: sizes[i])
    assert sorted(i for c in chunks for i in c) == list(range(len(sizes)))
    assert all(c == sorted(c) for c in chunks)
    totals = [sum(sizes[i] for i in c) for c in chunks]
    assert max(totals) - min(totals) <= 10
    assert balanced([], 2, cost=len) == []


def digests(folder: Path) -> dict[str, str]:
    return {p.relative_to(folder).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(folder.rglob("*")) if p.is_file()}


def test_the_second_copy_is_updated_in_place_and_the_published_site_never_written(project: Path,
                                                                                  tmp_path: Path) -> None:
    """A build with a cache brings the site before last (kept in the cache's
    workspace) up to date and swaps it in: the site being published while it
    works, which shares pages with it through the cache's links, is left as
    it was; a workspace a killed build left half-changed is started afresh."""
    work = shutil.copytree(project, tmp_path / "p")
    build = ["build", "--out", "site", "--as-of", AS_OF, "--quiet"]
    back = work / f".site{CACHE}" / WORK / "site"
    plan = work / "plans" / "platform" / "checkout-canary.yaml"
    other = work / "plans" / "support" / "reply-drafts-model-swap.yaml"
    texts = {path: path.read_text(encoding="utf-8") for path in (plan, other)}

    def edit(summary: str, path: Path = plan) -> None:
        path.write_text(re.sub(r"(?m)^summary: .*$", f"summary: >-\n  {summary}", texts[path], count=1),
                        encoding="utf-8")

    def equals_clean() -> None:
        shutil.rmtree(work / "clean", ignore_errors=True)
        assert plangen("build", "--out", "clean", "--as-of", AS_OF, "--quiet", "--no-cache", cwd=work).returncode == 0
        assert differences(work / "site", work / "clean") == []

    assert plangen(*build, cwd=work).returncode == 0
    # The canary's pages are kept in two builds running (so both copies link the same cache entries),
    # then change: only the copy being updated may change.
    for summary, path in (("First edit.", plan), ("Second edit.", other), ("Third edit.", other),
                          ("Fourth edit.", plan)):
        edit(summary, path)
        published = digests(work / "site")
        folder = os.stat(work / "site").st_ino
        assert plangen(*build, cwd=work).returncode == 0
        equals_clean()
        if back.is_dir():  # the site published during the build is now the second copy, unchanged
            assert os.stat(back).st_ino == folder and digests(back) == published
    assert any(p.stat().st_nlink > 1 for p in (work / "site").rglob("*.html"))  # kept pages are the cache's

    # A build killed while changing the workspace leaves its mark: the next build starts it afresh.
    (back / "planted.html").write_text("half-written", encoding="utf-8")
    (back / "index.html").unlink()  # a page being written (never written into: it may be a link)
    (back / "index.html").write_text("half-written", encoding="utf-8")
    (work / f".site{CACHE}" / WORK / BUSY).write_bytes(b"")
    edit("Fifth edit.")
    assert plangen(*build, cwd=work).returncode == 0
    equals_clean()
    assert not (work / f".site{CACHE}" / WORK / BUSY).exists()
    # Files the last build did not write (a page of a plan removed) are removed from the copy.
    plan.unlink()
    dependants = [p for p in (work / "plans").rglob("*.yaml") if "checkout-canary" in p.read_text(encoding="utf-8")]
    for path in dependants:
        path.unlink()
    assert plangen(*build, cwd=work).returncode == 0
    assert plangen(*build, cwd=work).returncode == 0
    equals_clean()


def test_a_plugin_plangen_does_not_know_gets_mkdocs_own_build(project: Path, tmp_path: Path) -> None:
    work = shutil.copytree(project, tmp_path / "p")
    (work / "site_config" / "mkdocs.yml").write_text("plugins:\n  - search\n  - tags\n", encoding="utf-8")
    result = plangen("build", "--out", "site", "--as-of", AS_OF, "--quiet", "--strict", cwd=work)
    assert result.returncode == 0, result.stderr
    assert (work / "site" / "plans" / "checkout-canary" / "index.html").is_file()
    assert not cache_keys(work / ".site.plangen-cache")  # MkDocs' own build keeps no pages


def test_rebuilds_after_sidebar_changes_equal_clean_builds(tmp_path: Path) -> None:
    """Sections of 20 plans: renaming the plan that closes a section renames
    it; a new title that sorts into the other section moves a plan across.
    (Adding, moving or deleting a file rebuilds every page.) After each, the
    cached rebuild is the clean build."""
    work = project_copy(tmp_path / "p")
    source = (work / "plans" / "support" / "reply-drafts-model-swap.yaml").read_text(encoding="utf-8")
    for i in range(24):
        (work / "plans" / "support" / f"copy-{i:02d}.yaml").write_text(
            re.sub(r"(?m)^title: .*$", f"title: Copy {i:02d} of the reply drafts swap", source, 1), encoding="utf-8")
    build = ["build", "--out", "site", "--as-of", AS_OF, "--quiet", "--strict"]
    assert plangen(*build, cwd=work).returncode == 0

    def rebuilt_equals_clean() -> None:
        before = cache_keys(work / ".site.plangen-cache")
        assert plangen(*build, cwd=work).returncode == 0
        after = cache_keys(work / ".site.plangen-cache")
        assert 0 < len(after - before) < len(after) // 2  # the rest came from the cache
        shutil.rmtree(work / "clean", ignore_errors=True)
        assert plangen("build", "--out", "clean", "--as-of", AS_OF, "--quiet", "--no-cache", cwd=work).returncode == 0
        assert differences(work / "site", work / "clean") == []

    def retitle(name: str, old: str, new: str) -> None:
        path = work / "plans" / "support" / name
        path.write_text(path.read_text(encoding="utf-8").replace(old, new, 1), encoding="utf-8")

    retitle("copy-19.yaml", "Copy 19 of", "Copy 19b of")  # the 20th title: it closes the first section
    rebuilt_equals_clean()
    retitle("copy-02.yaml", "Copy 02 of", "Copy 23b of")  # now sorts into the second section
    rebuilt_equals_clean()


def test_a_page_whose_sidebar_alone_changed_keeps_its_conversion(tmp_path: Path,
                                                                 monkeypatch: pytest.MonkeyPatch) -> None:
    """Renaming the plan that closes a section renames the section in every
    page's sidebar: each page is built again, but only the pages whose
    Markdown changed are converted again (the others' conversion is kept
    apart from the theme), and the site still equals MkDocs' build."""
    work = project_copy(tmp_path / "p")
    source = (work / "plans" / "support" / "reply-drafts-model-swap.yaml").read_text(encoding="utf-8")
    for i in range(24):
        (work / "plans" / "support" / f"copy-{i:02d}.yaml").write_text(
            re.sub(r"(?m)^title: .*$", f"title: Copy {i:02d} of the reply drafts swap", source, 1), encoding="utf-8")
    monkeypatch.setenv("PLANGEN_WORKERS", "1")  # every page converted in this process, where it is seen
    from mkdocs.structure.pages import Page

    seen: list[str] = []  # the pages MkDocs converts (whole or a piece)
    convert = Page.render

    def watched(page: Any, *args: Any, **kwargs: Any) -> Any:
        seen.append(page.file.src_uri)
        return convert(page, *args, **kwargs)

    monkeypatch.setattr(Page, "render", watched)

    def build(name: str) -> tuple[dict[str, str], int]:
        src = tmp_path / f"src-{name}"
        assert plangen("render", "--out", str(src), "--as-of", AS_OF, cwd=work).returncode == 0
        outcome = engine.build(src / "mkdocs.yml", tmp_path / f"ours-{name}", strict=True, epoch=int(EPOCH),
                               cache=tmp_path / "cache")
        assert outcome.converted is not None
        return {p.relative_to(src / "docs").as_posix(): p.read_text(encoding="utf-8")
                for p in (src / "docs").rglob("*.md")}, outcome.converted

    first, _ = build("first")
    path = work / "plans" / "support" / "copy-19.yaml"
    path.write_text(path.read_text(encoding="utf-8").replace("Copy 19 of", "Copy 19b of", 1), encoding="utf-8")
    seen.clear()
    second, built = build("second")
    changed = {rel for rel, text in second.items() if first.get(rel) != text}
    assert built > len(changed) + 10  # pages built again for their sidebar alone
    assert seen and set(seen) <= changed
    env = {**os.environ, "SOURCE_DATE_EPOCH": EPOCH, "NO_MKDOCS_2_WARNING": "1"}
    bare = subprocess.run([sys.executable, "-m", "mkdocs", "build", "-q", "-f", str(tmp_path / "src-second" / "mkdocs.yml"),
                           "-d", str(tmp_path / "bare")], env=env, capture_output=True, text=True)
    assert bare.returncode == 0, bare.stderr
    assert differences(tmp_path / "bare", tmp_path / "ours-second") == []


def test_a_site_whose_pages_pull_in_other_files_is_built_without_the_cache(project: Path, tmp_path: Path) -> None:
    import yaml

    work = shutil.copytree(project, tmp_path / "p")
    base = (REPO / "site_config" / "mkdocs.base.yml").read_text(encoding="utf-8")
    extensions = base[base.index("markdown_extensions:"):base.index("plugins:")]
    (work / "site_config" / "mkdocs.yml").write_text(extensions + "  - pymdownx.snippets\n", encoding="utf-8")
    assert "pymdownx.snippets" in yaml.safe_load(
        (work / "site_config" / "mkdocs.yml").read_text(encoding="utf-8").replace("!!python/name:", ""))[
        "markdown_extensions"]
    assert plangen("build", "--out", "site", "--as-of", AS_OF, "--quiet", cwd=work).returncode == 0
    assert not cache_keys(work / ".site.plangen-cache")


def test_the_number_of_workers_can_be_set(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PLANGEN_WORKERS", "1")
    assert cores() == 1
    monkeypatch.setenv("PLANGEN_WORKERS", "5")
    assert cores() == 5
    monkeypatch.setenv("PLANGEN_WORKERS", "lots")  # not a number: the machine decides
    assert 1 <= cores() <= 8


def test_the_caches_keys_hold_every_installed_distributions_version(tmp_path: Path,
                                                                    monkeypatch: pytest.MonkeyPatch) -> None:
    """A distribution installed, upgraded or removed (a Markdown extension, the
    theme) changes every key of both caches."""
    store.versions.cache_clear()
    try:
        before = store.versions()
        assert re.search(r"(^| )mkdocs-1\.6[.\d]*\.dist-info( |$)", before)
        (tmp_path / "some_extension-1.0.dist-info").mkdir()
        monkeypatch.syspath_prepend(str(tmp_path))
        store.versions.cache_clear()
        installed = store.versions()
        (tmp_path / "some_extension-1.0.dist-info").rename(tmp_path / "some_extension-1.1.dist-info")
        store.versions.cache_clear()
        assert len({before, installed, store.versions()}) == 3
    finally:
        store.versions.cache_clear()


_TEXT = st.text(st.characters(blacklist_categories=("Cs",)), max_size=30)


@settings(max_examples=300, deadline=None)
@given(title=_TEXT, other=_TEXT, raw=_TEXT, extra=st.sampled_from(["", "plangen_mermaid: true\n", "hide:\n  - toc\n"]))
def test_front_matter_read_from_a_pages_head_is_mkdocs_own(title: str, other: str, raw: str, extra: str) -> None:
    """The engine reads a page's front matter from its head, most without
    YAML (see engine._front): whatever it reads is what MkDocs reads, as
    text or as bytes."""
    from mkdocs.utils.meta import get_data

    from plangen.render.env import _front_matter

    pages = [str(_front_matter(title, print_header=other)) + "# Heading\n\nBody\n",
             f'---\ntitle: "{raw}"\n{extra}---\n\nBody\n', f"---\ntitle: {raw}\n{extra}---\n", f"---\n{extra}---\n"]
    for page in pages:
        read = engine._front(page)
        assert read is None or read == get_data(page)[1]
        assert engine._front(page.encode("utf-8")) == read
    if (title + other).isprintable():  # (plan text holds no control characters: see the model)
        assert engine._front(pages[0]) is not None  # plangen's own front matter is read from the head...
        assert engine._plain(pages[0].split("---\n")[1]) is not None  # ...without YAML


def test_a_front_matter_longer_than_the_head_is_read_whole() -> None:
    page = '---\ntitle: "T"\nplangen_print: "' + "é" * 5000 + '"\n---\n\nBody\n'
    assert engine._front(page) is None and engine._front(page.encode("utf-8")) is None
    assert engine._front('---\ntitle: "T"\n---\n' + "é" * 5000) == {"title": "T"}
    # Without a title in it, MkDocs names the page by its first heading: the page is read whole.
    assert engine._front('---\nplangen_mermaid: true\n---\n\n# Heading\n') is None
    assert engine._front('---\nhide:\n  - toc\n---\n\n# Heading\n') is None
