"""Views -> Markdown text per page, in memory. No disk, no network."""

from __future__ import annotations

import zlib
from contextlib import nullcontext
from dataclasses import dataclass
from typing import Any
from collections.abc import Callable, Mapping, Sequence

from jinja2 import TemplateError
from jinja2.sandbox import SandboxedEnvironment

from plangen.errors import PlangenError
from plangen.render.mermaid import FENCE_OPEN
from plangen.views.site import Page, SiteViews
from plangen.workers import Started, WorkerError, balanced, cores, fork_map, fork_start, share_done


# What rendering costs, in plan pages (some 2.5 ms each here): a page
# across plans has a row or more per plan, about as much as a plan page per
# 300 plans. Below PAGES_PER_WORKER (some 0.1 s), a fork costs more than it
# saves.
PAGES_PER_WORKER = 40


# The share of the plans' own pages a child renders while this process makes
# the pages across plans (their parts and views, then the pages themselves),
# the downloads and the rest of the plans' pages: at 1,000 plans on two
# cores, 0.5 to 0.9 were tried and 0.75 to 0.85 were fastest.
EARLY_SHARE = 0.8
EARLY_PAGES = 400  # fewer pages are rendered with the others


@dataclass(frozen=True)
class Early:
    """Pages being rendered in a forked child (see render_early); cancel it
    when render_pages will not be called."""
    pages: tuple[Page, ...]
    child: Started

    @property
    def paths(self) -> frozenset[str]:
        return frozenset(page.path for page in self.pages)

    def cancel(self) -> None:
        self.child.cancel()


def _mixed(pages: Sequence[Page]) -> list[Page]:
    """A folder's pages, or the pages across plans, cost more than others: shared out in a mixed order."""
    return sorted(pages, key=lambda page: zlib.crc32(page.path.encode("utf-8")))


def render_early(pages: Sequence[Page], env: SandboxedEnvironment, site: SiteViews) -> Early | None:
    """Start rendering a share of the plans' own `pages` (their views need
    nothing from across plans) in a forked child, so that this process can
    make the pages across plans meanwhile (see render_pages' `early`). None
    on one core or for a few pages."""
    if cores() < 2 or len(pages) < EARLY_PAGES:
        return None
    mine = tuple(_mixed(pages)[:int(len(pages) * EARLY_SHARE)])
    child = fork_start(lambda chunk: {page.path: _render_one(env, page, site) for page in chunk}, mine)
    return Early(mine, child) if child else None


def render_pages(views: SiteViews, env: SandboxedEnvironment,
                 progress: Callable[[str, int, int], None] | None = None,
                 extra: Mapping[str, Callable[[], Any]] | None = None,
                 done: Mapping[str, str] | None = None, early: Early | None = None,
                 plans: int = 0, workers: int | None = None) -> tuple[dict[str, str], dict[str, Any]]:
    """Every page of the site as Markdown, keyed by its docs-relative path,
    in the order of `views.pages`, and each `extra` result (the downloads'
    parts), made at the same time. Shared over the cores in a mixed order; a
    page's view is made where it is rendered when it has a `_make`. Pages
    in `done` are given (already rendered) and not rendered again; those of
    `early` come from the child rendering them (which has a core of its own).
    `plans`: how many plans the pages across plans list; `workers`: at
    most that many processes (default: the cores)."""
    done = done or {}
    skip = early.paths if early else frozenset()
    pages = [page for page in views.pages if page.path not in done and page.path not in skip]
    extra = extra or {}
    tasks: list[Page | str] = [*_mixed(pages), *extra]
    across = 1 + plans // 300
    weight = {id(page): 1 if page.view is None else across for page in pages}  # a plan's own view is made lazily
    # An extra (the plans.json entries of every plan) costs about as much as a quarter of the pages.
    cost = max(1, sum(weight.values()) // (4 * max(1, len(extra))))
    workers = max(1, (workers or cores()) - (1 if early else 0))
    chunks = balanced(tasks, min(workers, max(1, (sum(weight.values()) + cost * len(extra)) // PAGES_PER_WORKER)),
                      cost=lambda task: cost if isinstance(task, str) else weight[id(task)])

    def render(chunk: Sequence[Page | str]) -> dict[str, Any]:
        out: dict[str, Any] = {}
        share = sum(1 for task in chunk if not isinstance(task, str))
        done = 0
        for task in chunk:
            if isinstance(task, str):
                out[task] = extra[task]()
                continue
            out[task.path] = _render_one(env, task, views)
            done += 1
            if progress and chunk is chunks[0]:  # this process's share stands for every worker's
                progress("writing pages", share_done(done, share, len(pages)), len(pages))
        return out

    try:
        rendered = {key: text for part in fork_map(render, chunks) for key, text in part.items()}
    except WorkerError:
        rendered = render(tasks)  # a template error in a worker: here, it is raised with its message
    if progress and pages:
        progress("writing pages", len(pages), len(pages))
    rendered.update(done)
    if early:
        try:
            rendered.update(early.child.result())
        except WorkerError:  # a template error in the child: here, it is raised with its message
            rendered.update({page.path: _render_one(env, page, views) for page in early.pages})
    return {page.path: rendered[page.path] for page in views.pages}, {name: rendered[name] for name in extra}


def _render_one(env: SandboxedEnvironment, page: Page, views: SiteViews) -> str:
    return render_one(env, page.template, page.made(), page.path, views)


def render_one(env: SandboxedEnvironment, name: str, view: Any, path: str, site: SiteViews | None = None) -> str:
    """One page's Markdown from its template and view (`site`: what every page may read)."""
    blocks = env.blocks  # type: ignore[attr-defined]  # see render/keep.py
    try:
        template = env.get_template(name)
        with blocks.page(path) if blocks is not None else nullcontext():
            return _mark_diagrams(template.render(page=view, page_path=path, site=site))
    except TemplateError as exc:
        raise PlangenError(_template_message(exc, name),
                           "fix the template, or delete it to use the built-in one") from None


DIAGRAM_FLAG = "plangen_mermaid: true\n"


def _mark_diagrams(text: str) -> str:
    """Pages that hold a Mermaid diagram say so in their front matter: only
    they load the Mermaid script (see site_config/overrides/main.html)."""
    if f"\n{FENCE_OPEN}\n" not in text:
        return text
    if text.startswith("---\n"):
        return "---\n" + DIAGRAM_FLAG + text[4:]
    return "---\n" + DIAGRAM_FLAG + "---\n\n" + text


def _template_message(exc: TemplateError, name: str) -> str:
    """file:line of the template, from the error (syntax) or from the frames
    Jinja maps back onto template lines (runtime)."""
    where, line = getattr(exc, "filename", None), getattr(exc, "lineno", None)
    tb = exc.__traceback__
    while tb is not None:
        if tb.tb_frame.f_code.co_filename.endswith(".j2"):
            where, line = tb.tb_frame.f_code.co_filename, tb.tb_lineno
        tb = tb.tb_next
    where = where or name
    return f"{where}:{line}: template error: {exc.message}" if line else f"{where}: template error: {exc.message}"
