"""Rendering: golden Markdown of the examples, template overrides, escaping in place."""

from __future__ import annotations

import posixpath
import re
from pathlib import Path

import pytest
from hypothesis import assume, given
from hypothesis import strategies as st

from conftest import CASES
from site_helpers import AS_OF, plangen, project_copy

from plangen.render import env

GOLDEN = CASES / "render"


@pytest.fixture(scope="module")
def rendered(tmp_path_factory: pytest.TempPathFactory) -> Path:
    project = project_copy(tmp_path_factory.mktemp("render"))
    result = plangen("render", "--as-of", AS_OF, "--out", "out", cwd=project)
    assert result.returncode == 0, result.stderr
    return project / "out"


def _markdown(root: Path) -> dict[str, str]:
    return {p.relative_to(root).as_posix(): p.read_text(encoding="utf-8")
            for p in sorted(root.rglob("*.md"))}


def test_golden_markdown_of_the_examples(rendered: Path, update_goldens: bool) -> None:
    actual = _markdown(rendered / "docs")
    actual["mkdocs.yml"] = (rendered / "mkdocs.yml").read_text(encoding="utf-8")
    if update_goldens:
        for path, text in actual.items():
            target = GOLDEN / path
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_text(text, encoding="utf-8")
    expected = _markdown(GOLDEN)
    expected["mkdocs.yml"] = (GOLDEN / "mkdocs.yml").read_text(encoding="utf-8")
    assert sorted(actual) == sorted(expected)
    for path in expected:
        assert actual[path] == expected[path], f"{path} differs; review, then pytest --update-goldens"


def test_a_user_template_extends_a_builtin_one(tmp_path: Path) -> None:
    project = project_copy(tmp_path)
    (project / "templates").mkdir()
    (project / "templates" / "plan.md.j2").write_text(
        '{% extends "!builtin/plan.md.j2" %}\n{% block evidence %}## Audit { #evidence }\n\n'
        "Kept by {{ page.owner.ref.label }}.\n\n{% endblock %}\n", encoding="utf-8")
    (project / "templates" / "runbooks.md.j2").write_text("# Our runbooks\n", encoding="utf-8")
    result = plangen("render", "--as-of", AS_OF, "--out", "out", cwd=project)
    assert result.returncode == 0, result.stderr
    page = (project / "out" / "docs" / "plans" / "invoice-risk-review" / "index.md").read_text(encoding="utf-8")
    assert "## Audit { #evidence }\n\nKept by Priya Nair." in page
    assert "## Overview { #overview }" in page  # the rest of the built-in template is kept
    assert (project / "out" / "docs" / "runbooks.md").read_text(encoding="utf-8") == "# Our runbooks\n"


@pytest.mark.parametrize(("template", "message"), [
    ("# {{ page.no_such_field }}\n", "plan.md.j2:1: template error: "),
    ("# ok\n{% if %}\n", "plan.md.j2:2: template error: "),
    ("{{ ''.__class__.__mro__ }}\n", "plan.md.j2:1: template error: "),
])
def test_template_errors_name_the_file_and_line(tmp_path: Path, template: str, message: str) -> None:
    project = project_copy(tmp_path)
    (project / "templates").mkdir()
    (project / "templates" / "plan.md.j2").write_text(template, encoding="utf-8")
    result = plangen("render", "--as-of", AS_OF, "--out", "out", cwd=project)
    assert result.returncode == 1, result.stderr
    assert message in result.stderr and "Traceback" not in result.stderr
    assert not (project / "out").exists()


def test_site_config_mkdocs_yml_is_merged_over_the_base(tmp_path: Path) -> None:
    project = project_copy(tmp_path)
    (project / "site_config" / "mkdocs.yml").write_text(
        "theme:\n  palette:\n    primary: teal\nextra:\n  analytics: null\n", encoding="utf-8")
    result = plangen("render", "--as-of", AS_OF, "--out", "out", cwd=project)
    assert result.returncode == 0, result.stderr
    import yaml

    class Loader(yaml.SafeLoader):
        pass

    Loader.add_multi_constructor("tag:yaml.org,2002:python/name:", lambda loader, suffix, node: suffix)
    config = yaml.load((project / "out" / "mkdocs.yml").read_text(encoding="utf-8"), Loader=Loader)  # noqa: S506
    assert config["theme"]["palette"] == {"primary": "teal"}  # the project's value wins
    assert config["theme"]["font"] is False and config["theme"]["name"] == "material"  # the base stays
    assert config["markdown_extensions"][6]["pymdownx.superfences"]["custom_fences"][0]["format"] == \
        "pymdownx.superfences.fence_code_format"


def test_cdn_mermaid_is_a_deliberate_choice(tmp_path: Path) -> None:
    project = project_copy(tmp_path)
    site = project / "site_config" / "site.yaml"
    site.write_text(site.read_text(encoding="utf-8").replace(
        "  organisation: Example Corp\n", "  organisation: Example Corp\n  mermaid: cdn\n"), encoding="utf-8")
    result = plangen("render", "--as-of", AS_OF, "--out", "out", cwd=project)
    assert result.returncode == 0, result.stderr
    assert "mermaid.min.js" not in (project / "out" / "mkdocs.yml").read_text(encoding="utf-8")
    assert not (project / "out" / "docs" / "assets" / "vendor").exists()


def test_an_unreachable_registry_is_a_clear_error_never_a_cdn(tmp_path: Path) -> None:
    """A checkout with an empty cache and no registry: a message, nothing written."""
    project = project_copy(tmp_path)
    result = plangen("render", "--as-of", AS_OF, "--out", "out", cwd=project,
                     env={"PLANGEN_CACHE": str(tmp_path / "empty-cache"), "npm_config_registry": "http://127.0.0.1:9"})
    assert result.returncode == 1
    assert "cannot download mermaid 11.17.2 from the npm registry" in result.stderr
    assert "install plangen from a wheel" in result.stderr
    assert not (project / "out").exists()


def test_a_tampered_download_is_refused(tmp_path: Path) -> None:
    """The registry (or a proxy) serving other bytes: refused by the pinned sha512."""
    import gzip
    import io
    import tarfile

    from plangen.errors import PlangenError
    from plangen.site.vendor import ASSETS, _unpack

    buffer = io.BytesIO()
    with tarfile.open(fileobj=buffer, mode="w") as archive:
        data = b"alert('not mermaid')"
        info = tarfile.TarInfo("package/dist/mermaid.min.js")
        info.size = len(data)
        archive.addfile(info, io.BytesIO(data))
    with pytest.raises(PlangenError, match="does not match its pinned checksum"):
        _unpack(ASSETS[0], gzip.compress(buffer.getvalue()))


def test_a_big_folder_is_split_into_sidebar_sections(tmp_path: Path) -> None:
    """A plan page renders its own section of the sidebar only: one entry per
    plan, at most 20 to a section; runbooks are reached from their plan."""
    import yaml

    project = project_copy(tmp_path)
    source = (project / "plans" / "support" / "reply-drafts-model-swap.yaml").read_text(encoding="utf-8")
    for i in range(45):
        (project / "plans" / "support" / f"copy-{i:02d}.yaml").write_text(
            re.sub(r"(?m)^title: .*$", f"title: Copy {44 - i:02d} of the reply drafts swap", source, 1), encoding="utf-8")
    assert plangen("render", "--as-of", AS_OF, "--out", "out", cwd=project).returncode == 0

    class Loader(yaml.SafeLoader):  # mkdocs.yml names a Python function for Mermaid fences
        pass

    Loader.add_multi_constructor("tag:yaml.org,2002:python/", lambda *_: None)
    config = yaml.load((project / "out" / "mkdocs.yml").read_text(encoding="utf-8"), Loader=Loader)
    nav = config["nav"]
    plans = next(item["Plans"] for item in nav if "Plans" in item)
    support = next(entry["Support"] for entry in plans if "Support" in entry)
    sections = [list(s.values())[0] for s in support]
    assert [len(s) for s in sections] == [20, 20, 6]
    pages = [list(e.values())[0] for s in sections for e in s]
    assert all(p.startswith("plans/") and p.endswith("/index.md") and "runbook" not in p for p in pages)
    # In the order of the ids, named by them: editing a title moves nothing (the titles run the other way).
    assert pages[:3] == ["plans/copy-00/index.md", "plans/copy-01/index.md", "plans/copy-02/index.md"]
    assert list(sections[0][0]) == ["Copy 44 of the reply drafts swap"]
    assert [list(s)[0] for s in support] == ["copy-00 – copy-19", "copy-20 – copy-39",
                                            "copy-40 – reply-drafts-model-swap"]
    assert "/plans/*/runbook.md" in config["not_in_nav"].splitlines()
    # The conflicts between so many plans come by the month they start in, each under its heading.
    conflicts = (project / "out" / "docs" / "conflicts.md").read_text(encoding="utf-8")
    systems = conflicts.split("## Shared systems { #systems }", 1)[1].split("\n## ", 1)[0]
    months = re.findall(r"(?m)^### Starting in (\d{4}-\d{2}) \{ #systems-(\d{4}-\d{2}) \}$", systems)
    assert len(months) >= 2 and all(a == b for a, b in months) and months == sorted(months)
    for month, block in zip(months, systems.split("\n### ")[1:]):
        starts = re.findall(r'(?m)^\| [^|]+ \| <span class="pg-nowrap">(\d{4}-\d{2})-\d{2}', block)
        assert starts and set(starts) == {month[0]}


def test_the_conflicts_page_lists_approvers_over_their_limit_and_phases_in_freezes(tmp_path: Path) -> None:
    project = project_copy(tmp_path)
    site = project / "site_config" / "site.yaml"
    text = site.read_text(encoding="utf-8")
    assert "\nlimits:" not in text and "\nfreezes:\n" in text
    text = text.replace("\nfreezes:\n", "\nfreezes:\n  - {id: peak, reason: Peak trading, from: 2026-12-07, to: 2026-12-08}\n", 1)
    site.write_text(text + "limits:\n  approvals_per_week: 1\n", encoding="utf-8")
    flag = project / "plans" / "platform" / "search-filters-flag.yaml"
    source = flag.read_text(encoding="utf-8")
    assert source.count("approver: dpo") == 1
    flag.write_text(source.replace("approver: dpo", "approver: support-ops-manager"), encoding="utf-8")
    assert plangen("render", "--as-of", AS_OF, "--out", "out", cwd=project).returncode == 0
    page = (project / "out" / "docs" / "conflicts.md").read_text(encoding="utf-8")
    approvers = page.split("## Approvers over their weekly limit", 1)[1].split("\n## ", 1)[0]
    rows = [line for line in approvers.splitlines() if line.startswith("| [")]
    assert len(rows) == 1 and "<span class=\"pg-nowrap\">2026-12-14</span> | 2 |" in rows[0]
    assert rows[0].count("search-filters-flag/index.md#approval-") == 2
    freezes = page.split("## Phases inside the organisation's freezes", 1)[1]
    rows = [line for line in freezes.splitlines() if line.startswith("| [")]
    # The three phases that run on 7 or 8 December; the checkout canary is over by the 2nd.
    assert [re.search(r"\]\(plans/([^)]+)\)", r).group(1) for r in rows] == [
        "invoice-risk-review/index.md#phase-pilot", "reply-drafts-model-swap/index.md#phase-shadow",
        "search-filters-flag/index.md#phase-staff"]
    assert all("the site-wide freeze 'peak', 2026-12-07 to 2026-12-08 (Peak trading)" in r for r in rows)


def test_compiled_templates_are_kept_per_user_and_a_damaged_one_is_compiled_again(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from jinja2.bccache import bc_magic

    from plangen.render.env import make_env
    from plangen.resources import builtin

    monkeypatch.setenv("PLANGEN_CACHE", str(tmp_path / "cache"))
    (tmp_path / "own").mkdir()
    (tmp_path / "own" / "note.md.j2").write_text("# {{ title }}\n", encoding="utf-8")

    def render() -> str:
        return make_env(tmp_path / "own", builtin("templates")).get_template("note.md.j2").render(title="A <b>")

    first = render()
    kept = sorted((tmp_path / "cache" / "templates").rglob("*.cache"))
    assert len(kept) == 1 and first == "# A &#60;b&#62;\n"
    whole = kept[0].read_bytes()
    assert whole.startswith(bc_magic)
    for damaged in (bc_magic, bc_magic + b"\x80\x04garbage", whole[:-20], b"not jinja"):
        kept[0].write_bytes(damaged)
        assert render() == first  # compiled again, never an error
    (tmp_path / "own" / "note.md.j2").write_text("## {{ title }}\n", encoding="utf-8")
    assert render() == "## A &#60;b&#62;\n"  # an edited template is compiled again


@given(st.lists(st.sampled_from(["plans", "a", "b", "index.md", "x.y", ".", "..", ""]), min_size=1, max_size=4),
       st.lists(st.sampled_from(["plans", "a", "b", "people", ".", "..", ""]), max_size=3))
def test_links_between_pages_are_relative_as_posixpath_makes_them(target: list[str], folder: list[str]) -> None:
    """Links are made without asking the system for the working folder; the
    result is posixpath.relpath's, whatever the segments."""
    start = "/".join(folder)
    assume(not target[0] == "" and not start.startswith("/"))
    path = "/".join(target)
    assert env._relpath(path, start) == posixpath.relpath(path, start or ".")


def test_pages_rendered_early_in_a_child_equal_pages_rendered_in_one_process(tmp_path: Path,
                                                                             monkeypatch: pytest.MonkeyPatch) -> None:
    """A child renders most of the plans' own pages while this process makes
    the pages across plans: the same files as one process rendering all."""
    from datetime import date

    from plangen.commands import pipeline
    from plangen.render import pages as rendering

    monkeypatch.chdir(project_copy(tmp_path / "p"))
    monkeypatch.setattr(rendering, "EARLY_PAGES", 2)  # the examples' few pages are enough to share
    monkeypatch.setattr(rendering, "PAGES_PER_WORKER", 1)
    monkeypatch.setenv("PLANGEN_WORKERS", "1")
    alone = pipeline.generate([], None, as_of=date.fromisoformat(AS_OF), offline=False, strict=False)
    started: list[object] = []

    def early(*args: object) -> object:
        started.append(rendering.render_early(*args))  # type: ignore[arg-type]
        return started[-1]

    monkeypatch.setattr(pipeline, "render_early", early)
    monkeypatch.setenv("PLANGEN_WORKERS", "2")
    shared = pipeline.generate([], None, as_of=date.fromisoformat(AS_OF), offline=False, strict=False)
    assert isinstance(alone, pipeline.Generated) and isinstance(shared, pipeline.Generated)
    assert started and isinstance(started[0], rendering.Early) and len(started[0].paths) > 10
    assert shared.files == alone.files


def test_a_kept_block_is_rendered_once_for_the_same_values_on_the_same_page(tmp_path: Path) -> None:
    """`{% keep %}` (render/keep.py): a block whose values and page are as a
    build before rendered them is taken from the store, any other rendered;
    without a store, every block is rendered."""
    from plangen.render.env import make_env
    from plangen.render.pages import render_one
    from plangen.resources import builtin
    from plangen.site.blocks import Blocks

    own = tmp_path / "own"
    own.mkdir()
    (own / "kept.md.j2").write_text("{% for v in page %}{% keep v %}[{{ seen(v) }}{{ v.x if v is mapping else v }}]{% endkeep %}{% endfor %}\n",
                                    encoding="utf-8")
    rendered: list[object] = []

    def build(values: list[object], path: str = "a/page.md", store: bool = True) -> str:
        template_env = make_env(own, builtin("templates"))
        template_env.globals["seen"] = lambda v: rendered.append(v) or ""
        if store:
            template_env.blocks = Blocks(tmp_path / "cache", "salt")  # type: ignore[attr-defined]
        return render_one(template_env, "kept.md.j2", values, path)

    assert build([1, 2]) == "[1][2]" and rendered == [1, 2]
    rendered.clear()
    assert build([1, {"x": 3}]) == "[1][3]" and rendered == [{"x": 3}]  # the first block was kept
    rendered.clear()
    assert build([1, {"x": 3}], "b/other.md") == "[1][3]" and rendered == [1, {"x": 3}]  # another page
    rendered.clear()
    assert build([1, {"x": 3}], store=False) == "[1][3]" and rendered == [1, {"x": 3}]
