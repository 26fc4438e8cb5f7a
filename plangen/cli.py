"""Command line: parse arguments, call one function in plangen.commands.

Nothing heavy is imported here, so `plangen --help` stays instant. Exit codes:
0 ok, 1 findings or a user-fixable error, 2 wrong usage.
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

import click

from plangen import __version__
from plangen.errors import PlangenError, printable, printable_block

FORMATS = click.Choice(["text", "json", "github"])


class _Group(click.Group):
    """Turns a PlangenError into a one-line message and exit 1, no traceback."""

    def invoke(self, ctx: click.Context) -> Any:
        try:
            return super().invoke(ctx)
        except PlangenError as exc:
            # Messages may quote file names and values: each line is escaped.
            message = printable_block(exc.message) + (f"\n  hint: {printable(exc.hint)}" if exc.hint else "")
            raise click.ClickException(message) from None


class _Day(click.DateTime):
    """A YYYY-MM-DD day within the range plans may use (1900-01-01 to
    2999-12-31; kept in step with plangen.model.base, not imported to keep
    --help light)."""

    name = "day"

    def __init__(self) -> None:
        super().__init__(formats=["%Y-%m-%d"])

    def convert(self, value: Any, param: click.Parameter | None, ctx: click.Context | None) -> Any:
        day = super().convert(value, param, ctx)
        if not 1900 <= day.year <= 2999:
            self.fail(f"{day.date()} is outside the supported range 1900-01-01 to 2999-12-31", param, ctx)
        return day


_AS_OF = click.option("--as-of", type=_Day(), metavar="YYYY-MM-DD",
                      help="Judge dates as of this day. Default: SOURCE_DATE_EPOCH, else today.")
_SITE_CONFIG = click.option(
    "--site-config", type=click.Path(exists=True, path_type=Path),
    help="Folder (or its site.yaml) with people, teams, roles and options. Default: site_config/.",
)
_FORMAT = click.option("--format", "fmt", type=FORMATS, default="text", show_default=True,
                       help="text for people, json for tools, github for workflow annotations.")
_PATHS = click.argument("paths", nargs=-1, type=click.Path(exists=True, path_type=Path))


@click.group(cls=_Group, context_settings={"help_option_names": ["-h", "--help"], "max_content_width": 100})
@click.version_option(__version__, prog_name="plangen")
def cli() -> None:
    """Deployment plans as code: validate plans and publish them as a site.

    Plans are YAML files in plans/; people, teams and roles are in
    site_config/site.yaml. Run a command with --help for its options.
    """


@cli.command()
@_PATHS
@_SITE_CONFIG
@_FORMAT
@click.option("--strict", is_flag=True, help="Exit 1 on warnings too (e.g. text YAML reads as a comment).")
def validate(paths: tuple[Path, ...], site_config: Path | None, fmt: str, strict: bool) -> None:
    """Check plans and site config against the plan format.

    PATHS are plan files, folders of plans, or site_config/ (default: plans/
    and site_config/). Every problem is printed as file:line:col: field:
    message, with a hint. Exits 0 when all is valid, 1 when anything is not.

    \b
    Examples:
      plangen validate
      plangen validate plans/finance/invoice-risk-review.yaml
      plangen validate --format github      # annotations in a GitHub workflow
    """
    from plangen.commands import validate as command

    raise SystemExit(command.run(list(paths), site_config, fmt, strict))


@cli.command()
@_PATHS
@_SITE_CONFIG
@_FORMAT
@click.option("--strict", is_flag=True, help="Exit 1 on warnings too, not only on errors.")
@_AS_OF
@click.option("--explain", metavar="RULE", help="Explain one rule: what it finds, why it matters, how to fix it.")
@click.option("--list-rules", is_flag=True, help="Print every rule as a Markdown page (docs/rules.md).")
def lint(paths: tuple[Path, ...], site_config: Path | None, fmt: str, strict: bool, as_of: Any,
         explain: str | None, list_rules: bool) -> None:
    """Check plans against deployment-governance practice (readiness rules).

    Prints file:line:col: severity rule-id: message for every finding, with
    waived findings marked. Exits 1 when there is an error (also on warnings
    with --strict), including plans that do not validate.

    \b
    Examples:
      plangen lint
      plangen lint --strict --as-of 2026-12-01
      plangen lint --explain approval-scope
    """
    from plangen.commands import lint as command

    if list_rules:
        click.echo(command.rules_markdown(), nl=False)
        return
    if explain is not None:
        from plangen.model.plan import RULE_IDS

        if explain not in RULE_IDS:
            from plangen.model.explain import did_you_mean

            raise click.BadParameter(f"unknown rule {explain!r}; {did_you_mean(explain, RULE_IDS)}",
                                     param_hint="--explain")
        click.echo(command.explain(explain), nl=False)
        return
    raise SystemExit(command.run(list(paths), site_config, fmt, strict, as_of.date() if as_of else None))


@cli.command()
@_PATHS
@_SITE_CONFIG
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text", show_default=True,
              help="text for people, json for tools (the same fields as plans.json).")
@_AS_OF
def status(paths: tuple[Path, ...], site_config: Path | None, fmt: str, as_of: Any) -> None:
    """Show what is live, what comes next and whether it may go, per plan.

    Go/no-go is judged as of the build date for the next phase: approvals
    granted and in scope, checks passed, dependencies done, no freeze. It is
    the same decision the site and plans.json show. Exits 0 (a NO-GO is an
    answer, not an error), 1 when plans do not validate.

    \b
    Examples:
      plangen status
      plangen status --format json --as-of 2026-12-01
    """
    from plangen.commands import status as command

    raise SystemExit(command.run(list(paths), site_config, fmt, as_of.date() if as_of else None))


@cli.command()
@click.argument("plan")
@click.option("--plans", "paths", multiple=True, type=click.Path(exists=True, path_type=Path),
              help="Plan files or folders to read (repeatable). Default: plans/.")
@_SITE_CONFIG
@click.option("--format", "fmt", type=click.Choice(["markdown", "json"]), default="markdown", show_default=True,
              help="markdown for people, json for GRC tools.")
@click.option("--out", type=click.Path(path_type=Path),
              help="Write <plan>.audit.md (or .json) into this folder instead of printing it.")
@_AS_OF
def audit(plan: str, paths: tuple[Path, ...], site_config: Path | None, fmt: str, out: Path | None,
          as_of: Any) -> None:
    """Print one plan's audit pack.

    PLAN is a plan id or a plan file. The pack lists every approval with the
    phases it gates, its scope, conditions, decision and expiry dates,
    evidence, and the plan's commit and content hash at the decision (read
    from git); the release checks with their evidence; the evidence
    register; waivers and who accepted them; and the readiness findings as
    of the build date. The site has the same page per plan (Audit pack, on
    the plan page). Exits 1 when the plans do not validate or PLAN is not
    one of them.

    \b
    Examples:
      plangen audit invoice-risk-review
      plangen audit plans/finance/invoice-risk-review.yaml --format json --out audit/ --as-of 2026-12-01
    """
    from plangen.commands import audit as command

    raise SystemExit(command.run(plan, list(paths), site_config, fmt, out, as_of.date() if as_of else None))


@cli.command()
@click.argument("base")
@click.argument("head", required=False)
@click.option("--site-config", type=click.Path(exists=True, path_type=Path),
              help="Use this people directory for both sides. Default: each side's own site_config/.")
@click.option("--format", "fmt", type=click.Choice(["text", "markdown", "json"]), default="text", show_default=True,
              help="text for people, markdown for a pull request or $GITHUB_STEP_SUMMARY, json for tools.")
@_AS_OF
@click.option("--exit-code", is_flag=True, help="Exit 1 when there are changes (as git diff --exit-code).")
def diff(base: str, head: str | None, site_config: Path | None, fmt: str, as_of: Any, exit_code: bool) -> None:
    """Show what changed in the plans between BASE and HEAD, in reviewers' words.

    BASE and HEAD are two plan files or folders, or else git revisions; with
    no HEAD, BASE is compared with the working tree. Plans are matched by id,
    so a moved or renamed file is not an addition and a removal. Lists
    changed fields, phases, approvals, dependencies, checks, rollback and
    support, the go/no-go of each phase and readiness findings; formatting and
    comments never show. Both sides are judged as of the same day. Exits 0
    (1 with --exit-code when anything changed), 1 when a side does not
    validate.

    \b
    Examples:
      plangen diff main                     # main against the working tree
      plangen diff HEAD~1 HEAD --format markdown >> "$GITHUB_STEP_SUMMARY"
      plangen diff old-plans/ plans/ --format json
    """
    from plangen.commands import diff as command

    raise SystemExit(command.run(base, head, site_config, fmt, as_of.date() if as_of else None, exit_code))


@cli.command()
@_PATHS
@_SITE_CONFIG
@click.option("--out", type=click.Path(path_type=Path), default=Path("site"), show_default=True,
              help="Folder for the site. Replaced atomically; refused if plangen did not create it.")
@click.option("--strict", is_flag=True, help="Fail on readiness errors and on any MkDocs warning.")
@_AS_OF
@click.option("--offline", is_flag=True, help="A site that works from file:// (search included), e.g. on a share.")
@click.option("--quiet", "-q", is_flag=True, help="No progress or status lines; problems are still printed.")
@click.option("--no-cache", is_flag=True,
              help="Read every plan and build every page anew; neither read nor write the cache beside --out.")
def build(paths: tuple[Path, ...], site_config: Path | None, out: Path, strict: bool, as_of: Any,
          offline: bool, quiet: bool, no_cache: bool) -> None:
    """Build the plan site with MkDocs + Material into --out.

    Everything is read and checked first; if anything is invalid, nothing is
    written and the previous site stays as it was. The site needs no
    internet: Mermaid ships inside the package, and no page loads a CDN.
    Progress shows as bars on a terminal, as a line per quarter in logs.
    Each plan's share of the site and the built pages are kept in a cache
    beside --out (.OUT.plangen-cache), so a rebuild reads only the plans and
    converts only the pages that changed; the site is the same, byte for
    byte, as a build without it.

    \b
    Examples:
      plangen build
      plangen build --strict --as-of 2026-12-01 --out public
      plangen build --offline --out intranet-copy
    """
    from plangen.commands import build as command

    raise SystemExit(command.run(list(paths), site_config, out, strict=strict,
                                 as_of=as_of.date() if as_of else None, offline=offline, quiet=quiet,
                                 cache=not no_cache))


@cli.command()
@_PATHS
@_SITE_CONFIG
@click.option("--out", type=click.Path(path_type=Path), default=Path("site-src"), show_default=True,
              help="Folder for mkdocs.yml and docs/.")
@_AS_OF
@click.option("--offline", is_flag=True, help="Configure the output for a file:// site.")
@click.option("--quiet", "-q", is_flag=True, help="No progress or status lines; problems are still printed.")
def render(paths: tuple[Path, ...], site_config: Path | None, out: Path, as_of: Any, offline: bool,
           quiet: bool) -> None:
    """Write the site's Markdown pages and mkdocs.yml without building them.

    The output builds with `mkdocs build -f OUT/mkdocs.yml`, and with Zensical.
    """
    from plangen.commands import render as command

    raise SystemExit(command.run(list(paths), site_config, out, as_of=as_of.date() if as_of else None,
                                 offline=offline, quiet=quiet))


@cli.command()
@_PATHS
@_SITE_CONFIG
@click.option("--host", default="127.0.0.1", show_default=True, help="Address to listen on.")
@click.option("--port", default=8000, show_default=True, type=click.IntRange(1, 65535), help="Port to listen on.")
@_AS_OF
@click.option("--quiet", "-q", is_flag=True, help="No progress display; status lines and problems are still printed.")
def serve(paths: tuple[Path, ...], site_config: Path | None, host: str, port: int, as_of: Any, quiet: bool) -> None:
    """Serve the site locally and rebuild it when a plan, template or the site config changes.

    Each rebuild reads only the plans and converts only the pages that
    changed (the cache lives in the server's temporary folder); progress
    shows as for `build`.
    """
    from plangen.commands import serve as command

    raise SystemExit(command.run(list(paths), site_config, host=host, port=port,
                                 as_of=as_of.date() if as_of else None, quiet=quiet))


@cli.command()
@click.argument("folder", type=click.Path(path_type=Path), default=Path("."))
@click.option("--force", is_flag=True, help="Add the starter files to a folder that is not empty.")
@click.option("--branch", default="main", show_default=True, help="The default branch CI publishes from.")
def init(folder: Path, force: bool, branch: str) -> None:
    """Start a plan repository in FOLDER (default: here).

    Writes an example plan, site_config/site.yaml (people, teams, roles),
    .gitignore, CI for GitHub Actions and GitLab (validate and lint on pull
    requests, publish the site from the default branch), pre-commit hooks and
    plan.schema.json for editors. The result passes `plangen build --strict`.
    Refuses a folder that is not empty unless --force.

    \b
    Examples:
      plangen init release-plans
      plangen init . --force --branch trunk
    """
    from datetime import date

    from plangen.commands import init as command

    raise SystemExit(command.run(folder, force=force, branch=branch, today=date.today()))


@cli.command()
@click.argument("plan_id", metavar="ID")
@click.option("--strategy", type=click.Choice(["pilot", "phased", "shadow", "canary", "blue-green", "full"]),
              required=True, help="How the release is introduced.")
@click.option("--risk", type=click.Choice(["low", "medium", "high", "critical"]), default="medium",
              show_default=True, help="The consequence of an error.")
@click.option("--owner", metavar="WHO", help="Person, team or role owning the plan. Default: the first role "
              "(else person) in site.yaml.")
@click.option("--plans", type=click.Path(path_type=Path), default=Path("plans"), show_default=True,
              help="Folder the plan is written to.")
@_SITE_CONFIG
def new(plan_id: str, strategy: str, risk: str, owner: str | None, plans: Path, site_config: Path | None) -> None:
    """Write a plan skeleton, plans/ID.yaml, for a strategy and a risk.

    It validates as written; what only your team can say is left out on
    purpose and marked TODO, so `plangen lint` lists what is left to fill in.
    The first line points editors at plan.schema.json for completion.

    \b
    Examples:
      plangen new checkout-tax --strategy canary --risk high
      plangen new notes-summary --strategy pilot --owner kai.l
    """
    from datetime import date

    from plangen.commands import new as command

    raise SystemExit(command.run(plan_id, strategy=strategy, risk=risk, owner=owner, plans=plans,
                                 site_config=site_config or Path("site_config"), today=date.today()))


@cli.group(name="import")
def import_() -> None:
    """Make plans from another tool's deployment manifests.

    Each source is a sub-command; run it with --help for its options. The
    plans it writes validate as written, with what the manifests cannot say
    (owners, approvers, support) left as TODO placeholders for lint to list.

    \b
    Examples:
      plangen import argo-rollouts rollout.yaml analysis-templates.yaml
    """


@import_.command("argo-rollouts")
@click.argument("files", nargs=-1, required=True, metavar="FILE...",
                type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--out", "-o", type=click.Path(dir_okay=False, allow_dash=True, path_type=Path), metavar="PATH",
              help="Plan file to write, or - for stdout (one Rollout only). Default: plans/<rollout-name>.yaml.")
@click.option("--force", is_flag=True, help="Replace a plan file that exists already.")
@_SITE_CONFIG
@click.option("--owner", metavar="WHO", help="Person, team or role owning the plan. Default: the first role "
              "(else person) in site.yaml, marked TODO.")
@click.option("--risk", type=click.Choice(["low", "medium", "high", "critical"]),
              help="The consequence of an error. Default: medium, marked TODO.")
@click.option("--start", type=_Day(), metavar="YYYY-MM-DD",
              help="First day of the release window. Default: today, marked TODO.")
@click.option("--automation", metavar="ID", default="argo-rollouts", show_default=True,
              help="The automation in site.yaml that decides the analyses and rollbacks.")
def argo_rollouts(files: tuple[Path, ...], out: Path | None, force: bool, site_config: Path | None,
                  owner: str | None, risk: str | None, start: Any, automation: str) -> None:
    """Turn Argo Rollouts manifests into plans, one per Rollout.

    FILE... are YAML files (several documents each, or kind: List) holding
    Rollouts and the AnalysisTemplates and ClusterAnalysisTemplates they
    use. Canary steps become phases (setWeight: traffic; pause: duration;
    an indefinite pause: a promotion approval; analysis: the phase's
    analyses); blue-green becomes a preview and a promotion phase with the
    rollback window. Everything that could not be mapped is listed, in the
    output and at the top of the plan. Exits 0 when written, 1 when a file
    cannot be imported or a plan file exists already (see --force).

    \b
    Examples:
      plangen import argo-rollouts rollout.yaml analysis-templates.yaml
      plangen import argo-rollouts bundle.yaml --out plans/shop/checkout.yaml --risk high
      plangen import argo-rollouts rollout.yaml -o -      # print the plan instead
    """
    import re
    from datetime import date

    from plangen.commands import import_ as command

    if not re.fullmatch(r"[a-z0-9](?:[a-z0-9._-]{0,62}[a-z0-9])?", automation):
        raise click.BadParameter("an automation id is lower-case letters, digits, dots, underscores and hyphens",
                                 param_hint="--automation")
    raise SystemExit(command.run(list(files), out=out, force=force, site_config=site_config, owner=owner,
                                 risk=risk, start=start.date() if start else None, automation=automation,
                                 today=date.today()))


@cli.command()
@click.option("--site", "kind", flag_value="site", help="Print the schema of site_config/site.yaml instead.")
@click.option("--plan", "kind", flag_value="plan", default=True, hidden=True)
@click.option("--markdown", is_flag=True,
              help="Print the reference of both files as a Markdown page (docs/reference.md) instead.")
def schema(kind: str, markdown: bool) -> None:
    """Print the JSON Schema of a plan, for editors and other tools.

    Save it and point your editor at it with a first line in each plan:

    \b
      plangen schema > plan.schema.json
      # yaml-language-server: $schema=../plan.schema.json

    With --markdown, print a table of keys per object, for plans and
    site.yaml, as one Markdown page (make docs saves it as docs/reference.md).
    """
    from plangen.commands import schema as command

    if markdown and kind == "site":
        raise click.UsageError("--markdown covers both plans and site.yaml; leave out --site")
    command.run(kind, markdown)


def _terminate(signum: int, frame: Any) -> None:
    raise SystemExit(128 + signum)


def main() -> None:
    # SIGTERM (a CI timeout, `kill`) unwinds like Ctrl+C, so temporary folders
    # are removed on the way out; what kill -9 leaves, the next build sweeps.
    import gc
    import signal

    signal.signal(signal.SIGTERM, _terminate)
    # A build makes millions of small objects that live as long as it does
    # (plans, views, kept shares). At Python's default thresholds the cycle
    # collector walks them over a thousand times: a sixth of a rebuild at
    # 1,000 plans. Collecting young objects every 10,000 allocations instead
    # of 700 leaves peak memory as it was (docs/performance.md).
    gc.set_threshold(10_000, 10, 10)
    try:
        cli(prog_name="plangen")
        code: object = 0
    except SystemExit as exc:
        code = exc.code
    if code is not None and not isinstance(code, int):
        raise SystemExit(code)  # a message: Python prints it
    # Freeing a build's millions of objects one by one takes a quarter of a
    # second at 1,000 plans, and nothing needs it: what is registered to run
    # at exit runs, the streams are flushed, and the process ends.
    import atexit
    import os

    atexit._run_exitfuncs()
    for stream in (sys.stdout, sys.stderr):
        try:
            stream.flush()
        except (OSError, ValueError):  # a closed pipe: nothing more to say
            pass
    os._exit(code or 0)
