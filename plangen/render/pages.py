"""Views -> Markdown text per page, in memory. No disk, no network."""

from __future__ import annotations

import zlib
from typing import Any
from collections.abc import Callable, Mapping, Sequence

from jinja2 import TemplateError
from jinja2.sandbox import SandboxedEnvironment

from plangen.errors import PlangenError
from plangen.render.mermaid import FENCE_OPEN
from plangen.views.site import Page, SiteViews
from plangen.workers import WorkerError, balanced, cores, fork_map, share_done


PAGES_PER_WORKER = 200  # below this, a fork costs more than it saves


def render_pages(views: SiteViews, env: SandboxedEnvironment,
                 progress: Callable[[str, int, int], None] | None = None,
                 extra: Mapping[str, Callable[[], Any]] | None = None,
                 done: Mapping[str, str] | None = None) -> tuple[dict[str, str], dict[str, Any]]:
    """Every page of the site as Markdown, keyed by its docs-relative path,
    in the order of `views.pages`, and each `extra` result (the downloads'
    parts), made at the same time. Shared over the cores in a mixed order (a
    folder's pages, or the pages across plans, cost more than others); a
    page's view is made where it is rendered when it has a `_make`. Pages
    in `done` are given (already rendered) and not rendered again."""
    done = done or {}
    pages = [page for page in views.pages if page.path not in done]
    extra = extra or {}
    tasks: list[Page | str] = [*sorted(pages, key=lambda page: zlib.crc32(page.path.encode("utf-8"))), *extra]
    # An extra (the plans.json entries of every plan) costs about as much as a quarter of the pages.
    cost = max(1, len(pages) // (4 * max(1, len(extra))))
    chunks = balanced(tasks, min(cores(), max(1, len(pages) // PAGES_PER_WORKER)),
                      cost=lambda task: cost if isinstance(task, str) else 1)

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
    return {page.path: rendered[page.path] for page in views.pages}, {name: rendered[name] for name in extra}


def _render_one(env: SandboxedEnvironment, page: Page, views: SiteViews) -> str:
    return render_one(env, page.template, page.made(), page.path, views)


def render_one(env: SandboxedEnvironment, name: str, view: Any, path: str, site: SiteViews | None = None) -> str:
    """One page's Markdown from its template and view (`site`: what every page may read)."""
    try:
        template = env.get_template(name)
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
