"""Publishing safety: refused folders, failed builds, the previous site untouched."""

from __future__ import annotations

import hashlib
from pathlib import Path

import pytest

from plangen.errors import PlangenError
from plangen.site.writer import BUSY, CACHE, MARKER, WORK, check_output, publish, remove_except, staging, sync_tree
from site_helpers import AS_OF, plangen, project_copy

pytestmark = pytest.mark.slow


def _digest(folder: Path) -> dict[str, str]:
    return {p.relative_to(folder).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(folder.rglob("*")) if p.is_file()}


@pytest.fixture(scope="module")
def project(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = project_copy(tmp_path_factory.mktemp("publish"))
    result = plangen("build", "--as-of", AS_OF, "--out", "site", cwd=root)
    assert result.returncode == 0, result.stderr
    return root


@pytest.mark.parametrize("out", ["/", "~", ".", "plans", "site_config", ".."])
def test_dangerous_output_folders_are_refused(project: Path, out: str) -> None:
    before = _digest(project)
    result = plangen("build", "--as-of", AS_OF, "--out", str(Path(out).expanduser()), cwd=project)
    assert result.returncode == 1
    assert "refusing to replace" in result.stderr and "Traceback" not in result.stderr
    assert _digest(project) == before


def test_a_symlink_is_refused(project: Path, tmp_path: Path) -> None:
    (project / "link").symlink_to(tmp_path)
    result = plangen("build", "--as-of", AS_OF, "--out", "link", cwd=project)
    assert result.returncode == 1 and "symbolic link" in result.stderr
    (project / "link").unlink()


def test_a_foreign_non_empty_folder_is_refused(project: Path) -> None:
    foreign = project / "mine"
    foreign.mkdir()
    (foreign / "notes.txt").write_text("keep me")
    result = plangen("build", "--as-of", AS_OF, "--out", "mine", cwd=project)
    assert result.returncode == 1 and "plangen did not create it" in result.stderr
    assert (foreign / "notes.txt").read_text() == "keep me"


def test_invalid_plans_leave_the_previous_site_untouched(project: Path) -> None:
    before = _digest(project / "site")
    bad = project / "plans" / "zz-broken.yaml"
    bad.write_text("format: plangen/v1\ntitle: [\n", encoding="utf-8")
    try:
        result = plangen("build", "--as-of", AS_OF, "--out", "site", cwd=project)
    finally:
        bad.unlink()
    assert result.returncode == 1 and "nothing was built or changed" in result.stderr
    assert _digest(project / "site") == before
    assert _leftovers(project) == []


def test_a_build_failing_inside_mkdocs_leaves_the_previous_site_untouched(project: Path) -> None:
    before = _digest(project / "site")
    templates = project / "templates"
    templates.mkdir()
    # A user template with a broken link: MkDocs --strict fails half-way through the build.
    (templates / "rules.md.j2").write_text("# Rules\n\n[broken](no-such-page.md)\n", encoding="utf-8")
    try:
        result = plangen("build", "--strict", "--as-of", AS_OF, "--out", "site", cwd=project)
    finally:
        (templates / "rules.md.j2").unlink()
        templates.rmdir()
    assert result.returncode == 1 and "no-such-page.md" in result.stderr
    assert _digest(project / "site") == before
    assert _leftovers(project) == []


def test_publish_replaces_the_old_folder_whole(tmp_path: Path) -> None:
    out = tmp_path / "site"
    for version in ("one", "two"):
        with staging(out) as stage:
            ready = stage / "ready"
            ready.mkdir()
            (ready / f"{version}.html").write_text(version)
            publish(ready, out)
    assert sorted(p.name for p in out.iterdir()) == [MARKER, "two.html"]
    assert [p.name for p in tmp_path.iterdir() if p.name.startswith(".site.plangen-") and "lock" not in p.name] == []


def test_remove_except_keeps_what_is_named_and_the_folders_that_hold_it(tmp_path: Path) -> None:
    root = tmp_path / "root"
    for rel in ("a/keep.html", "a/drop.html", "a/b/c/drop.html", "d/e/keep.html", "d/drop.html", "top.html"):
        (root / rel).parent.mkdir(parents=True, exist_ok=True)
        (root / rel).write_text(rel)
    (root / "empty" / "deeper").mkdir(parents=True)
    (tmp_path / "elsewhere").mkdir()
    (tmp_path / "elsewhere" / "safe.html").write_text("")
    (root / "d" / "link").symlink_to(tmp_path / "elsewhere", target_is_directory=True)
    remove_except(str(root), {str(root / rel) for rel in ("a/keep.html", "d/e/keep.html", "top.html")})
    assert sorted(p.relative_to(root).as_posix() for p in root.rglob("*")) == [
        "a", "a/keep.html", "d", "d/e", "d/e/keep.html", "top.html"]
    assert (tmp_path / "elsewhere" / "safe.html").is_file()  # a link is removed, never followed


def test_sync_tree_trusts_its_note_only_for_files_unchanged_since(tmp_path: Path) -> None:
    import json
    import os

    root, note = tmp_path / "src", tmp_path / "src.synced"
    files: dict[str, bytes | str] = {"docs/a.md": b"one", "docs/b.md": b"two", "mkdocs.yml": "site_name: x\n"}
    known = {rel: hashlib.sha256(b"one" if rel == "docs/a.md" else b"two").hexdigest() for rel in ("docs/a.md", "docs/b.md")}
    sync_tree(root, files, known=known, note=note)
    assert note.read_text() == "{}"  # just written: not noted until their time has settled
    old = 1_700_000_000_000_000_000
    for rel in known:
        os.utime(root / rel, ns=(old, old))
    sync_tree(root, files, known=known, note=note)
    assert sorted(json.loads(note.read_text())) == ["docs/a.md", "docs/b.md"]
    # Changed in place with its size and time kept: the note is trusted and the file is not read
    # (the limit, as make's and git's); changed as an editor does (a new time): compared and rewritten.
    (root / "docs/a.md").write_bytes(b"ONE")
    os.utime(root / "docs/a.md", ns=(old, old))
    (root / "docs/b.md").write_bytes(b"TWO")
    sync_tree(root, files, known=known, note=note)
    assert (root / "docs/a.md").read_bytes() == b"ONE" and (root / "docs/b.md").read_bytes() == b"two"
    # A file the note names with other bytes than are now known is compared, then rewritten.
    files["docs/a.md"] = b"uno"
    known["docs/a.md"] = hashlib.sha256(b"uno").hexdigest()
    sync_tree(root, files, known=known, note=note)
    assert (root / "docs/a.md").read_bytes() == b"uno"
    # A damaged note is no note: every file is compared (b.md, noted, then changed with its time kept,
    # would be trusted by a sound note).
    os.utime(root / "docs/b.md", ns=(old, old))
    sync_tree(root, files, known=known, note=note)
    assert "docs/b.md" in json.loads(note.read_text())
    (root / "docs/b.md").write_bytes(b"TWO")
    os.utime(root / "docs/b.md", ns=(old, old))
    note.write_text("[not a note")
    sync_tree(root, files, known=known, note=note)
    assert (root / "docs/b.md").read_bytes() == b"two"


def test_check_output_accepts_a_new_or_own_folder(tmp_path: Path) -> None:
    check_output(tmp_path / "new", protected=[tmp_path / "plans"])
    own = tmp_path / "own"
    own.mkdir()
    (own / MARKER).write_text("")
    (own / "index.html").write_text("")
    check_output(own, protected=[tmp_path / "plans"])
    (own / MARKER).unlink()
    with pytest.raises(PlangenError):
        check_output(own, protected=[tmp_path / "plans"])


def test_concurrent_builds_into_the_same_folder_leave_one_whole_site(project: Path) -> None:
    import subprocess
    import sys

    cmd = [sys.executable, "-m", "plangen", "build", "--as-of", AS_OF, "--out", "site"]
    runs = [subprocess.Popen(cmd, cwd=project, stdout=subprocess.PIPE, stderr=subprocess.PIPE) for _ in range(3)]
    codes = [r.wait(timeout=600) for r in runs]
    assert codes == [0, 0, 0]
    site = project / "site"
    assert (site / MARKER).is_file() and (site / "index.html").is_file()
    assert (site / "plans" / "invoice-risk-review" / "runbook" / "index.html").is_file()
    assert _leftovers(project) == []


def _leftovers(folder: Path) -> list[str]:
    """Staging folders and lock files (the page cache is kept on purpose)."""
    return sorted(p.name for p in folder.iterdir() if ".plangen-" in p.name and not p.name.endswith(CACHE))


def test_a_planted_link_is_never_followed_or_truncated(project: Path, tmp_path: Path) -> None:
    victim = tmp_path / "victim.txt"
    victim.write_text("keep me", encoding="utf-8")
    for name in (".site.plangen-lock", ".site.plangen-planted"):
        (project / name).symlink_to(victim)
    try:
        result = plangen("build", "--as-of", AS_OF, "--out", "site", cwd=project)
    finally:
        for name in (".site.plangen-lock", ".site.plangen-planted"):
            (project / name).unlink()
    assert result.returncode == 0, result.stderr
    assert victim.read_text(encoding="utf-8") == "keep me"


@pytest.mark.parametrize("out", ["plans/x", "site_config/out", "plans/finance/site"])
def test_output_inside_a_source_folder_is_refused(project: Path, out: str) -> None:
    before = _digest(project / "plans")
    result = plangen("build", "--as-of", AS_OF, "--out", out, cwd=project)
    assert result.returncode == 1 and "refusing to write" in result.stderr and "Traceback" not in result.stderr
    assert _digest(project / "plans") == before


def test_an_impossible_output_name_is_a_message(project: Path) -> None:
    result = plangen("build", "--as-of", AS_OF, "--out", "x" * 300, cwd=project)
    assert result.returncode == 1 and "File name too long" in result.stderr
    assert "Traceback" not in result.stderr


@pytest.mark.parametrize("signal_name", ["SIGTERM", "SIGKILL"])
def test_a_killed_build_leaves_only_the_old_site(project: Path, signal_name: str) -> None:
    import signal
    import subprocess
    import sys
    import time

    before = _digest(project / "site")
    cmd = [sys.executable, "-m", "plangen", "build", "--as-of", AS_OF, "--out", "site"]
    proc = subprocess.Popen(cmd, cwd=project, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    busy = project / f".site{CACHE}" / WORK / BUSY  # a build with a cache works there
    deadline = time.monotonic() + 120
    while not (_leftovers(project) or busy.exists()) and time.monotonic() < deadline:  # wait until it is building
        time.sleep(0.02)
    assert time.monotonic() < deadline
    time.sleep(0.5)
    proc.send_signal(getattr(signal, signal_name))
    proc.wait(timeout=60)
    assert _digest(project / "site") == before  # the old site, whole
    if signal_name == "SIGTERM":
        assert _leftovers(project) == []  # cleaned up on the way out
    # What kill -9 leaves behind, the next build sweeps.
    result = plangen("build", "--as-of", AS_OF, "--out", "site", cwd=project)
    assert result.returncode == 0, result.stderr
    assert _leftovers(project) == []


def _limited(max_bytes: int) -> None:
    """In the child: no file may grow past max_bytes, as on a disk that fills
    up mid-build (Python ignores SIGXFSZ, so the write fails with EFBIG)."""
    import resource

    resource.setrlimit(resource.RLIMIT_FSIZE, (max_bytes, max_bytes))


@pytest.mark.parametrize("cache", ["none", "emptied"])
def test_a_disk_that_fills_up_mid_build_is_a_message_and_keeps_the_old_site(project: Path, cache: str) -> None:
    import os
    import shutil
    import subprocess
    import sys

    before = _digest(project / "site")
    if cache == "emptied":  # the workspace starts afresh: the vendored Mermaid (3 MB) is copied again
        shutil.rmtree(project / f".site{CACHE}")
    flags = ["--no-cache"] if cache == "none" else []
    cmd = [sys.executable, "-m", "plangen", "build", "--as-of", AS_OF, "--out", "site", *flags]
    result = subprocess.run(cmd, cwd=project, capture_output=True, text=True, preexec_fn=lambda: _limited(200_000),
                            env={**os.environ, "NO_MKDOCS_2_WARNING": "1"}, timeout=600)
    assert result.returncode == 1
    assert "Error: cannot write site: File too large" in result.stderr
    assert "the previous site was left as it was" in result.stderr and "Traceback" not in result.stderr
    assert _digest(project / "site") == before
    assert _leftovers(project) == []  # the half-written staging folder is gone


def test_a_read_only_destination_is_a_message(project: Path) -> None:
    # /sys is a kernel file system: nobody, not even root, may create a folder at its top.
    result = plangen("build", "--as-of", AS_OF, "--out", "/sys/plangen-site", cwd=project)
    assert result.returncode == 1 and "Error: cannot write /sys/plangen-site:" in result.stderr
    assert "Traceback" not in result.stderr and not Path("/sys/plangen-site").exists()
