"""Views -> Markdown text per page, in memory. No disk, no network."""

from __future__ import annotations

from collections.abc import Callable

from jinja2 import TemplateError
from jinja2.sandbox import SandboxedEnvironment

from plangen.errors import PlangenError
from plangen.render.mermaid import FENCE_OPEN
from plangen.views.site import SiteViews


def render_pages(views: SiteViews, env: SandboxedEnvironment,
                 progress: Callable[[str, int, int], None] | None = None) -> dict[str, str]:
    """Every page of the site as Markdown, keyed by its docs-relative path."""
    pages = {}
    for done, page in enumerate(views.pages, 1):
        try:
            template = env.get_template(page.template)
            pages[page.path] = _mark_diagrams(template.render(page=page.view, page_path=page.path, site=views))
        except TemplateError as exc:
            raise PlangenError(_template_message(exc, page.template),
                               "fix the template, or delete it to use the built-in one") from None
        if progress:
            progress("writing pages", done, len(views.pages))
    return pages


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
