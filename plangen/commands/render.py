"""`plangen render`: the Markdown pages and mkdocs.yml, for mkdocs or Zensical."""

from __future__ import annotations

from datetime import date
from pathlib import Path

from plangen.commands.build import disk_errors, protected, sources
from plangen.commands.pipeline import Generated, generate
from plangen.commands.report import Progress, emit, say
from plangen.errors import plural
from plangen.site.writer import check_output, publish, staging, write_tree


def run(paths: list[Path], site_config: Path | None, out: Path, *, as_of: date | None, offline: bool,
        quiet: bool = False) -> int:
    with disk_errors(out):
        check_output(out, protected=protected(), inside=sources(paths, site_config))
    progress = Progress(quiet=quiet)
    result = generate(paths, site_config, as_of=as_of, offline=offline, strict=False, progress=progress)
    progress.close()
    if not isinstance(result, Generated):
        emit(result, "text")
        say(f"plangen: {plural(len(result), 'error')}; nothing was written")
        return 1
    with disk_errors(out), staging(out) as stage:
        write_tree(stage / "out", result.files)
        publish(stage / "out", out)
    progress.say(f"plangen: {plural(len(result.files) - 1, 'file')} and mkdocs.yml written to {out}; "
               f"build them with: mkdocs build -f {out / 'mkdocs.yml'}")
    return 0
