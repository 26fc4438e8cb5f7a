"""`plangen new`: a plan skeleton for a strategy and a risk.

The skeleton validates as written, and leaves out on purpose what only the
team can say (scopes, exit criteria, owners of steps, who decides a
rollback...): each gap is a readiness finding, so `plangen lint` lists what
is left to fill in, and a TODO comment marks the place.
"""

from __future__ import annotations

import re
from datetime import date, timedelta
from pathlib import Path

import click

from plangen.commands.init import SCHEMA_FILE, schema_text
from plangen.errors import PlangenError
from plangen.project import load_site
from plangen.site.writer import write_tree

STRATEGIES = ("pilot", "phased", "shadow", "canary", "blue-green", "full")
RISKS = ("low", "medium", "high", "critical")

# The phases each strategy starts with: id, name, kind, traffic.
_PHASES = {
    "pilot": [("pilot", "Pilot", "pilot", 10), ("full", "Everyone", "full", 100)],
    "phased": [("pilot", "Pilot", "pilot", 5), ("segment", "First segment", "segment", 30),
               ("full", "Everyone", "full", 100)],
    "shadow": [("shadow", "Shadow run", "shadow", 100), ("full", "Live for everyone", "full", 100)],
    "canary": [("canary-1", "Canary, 1%", "canary", 1), ("canary-10", "Canary, 10%", "canary", 10),
               ("full", "Everyone", "full", 100)],
    "blue-green": [("green", "Green environment beside blue", "parallel", 0),
                   ("switch", "Traffic switched to green", "full", 100)],
    "full": [("full", "Everyone", "full", 100)],
}


def skeleton(plan_id: str, strategy: str, risk: str, owner: str, start: date, schema: str) -> str:
    phases = _PHASES[strategy]
    high = risk in ("high", "critical")
    lines = [
        f"# yaml-language-server: $schema={schema}",
        "format: plangen/v1",
        f"id: {plan_id}",
        f"title: {plan_id.replace('-', ' ').capitalize()}  # TODO: what is released, in words a sponsor uses",
        f"owner: {owner}",
        "status: draft",
        f"risk: {risk}",
        "# model: {name: ..., version: ..., previous_version: ...}  # if the release ships a model",
        f"release_window: {{start: {start.isoformat()}, end: {(start + timedelta(days=28)).isoformat()}}}",
        "rollout:",
        f"  strategy: {strategy}",
        "  rationale: TODO why this strategy fits the risk",
        "  phases:",
    ]
    previous = None
    for n, (pid, name, kind, traffic) in enumerate(phases):
        lines.append(f"    - id: {pid}")
        lines.append(f"      name: {name}")
        lines.append(f"      kind: {kind}")
        lines.append(f"      traffic: {traffic}")
        if previous is None:
            lines.append(f"      start: {start.isoformat()}")
        if n < len(phases) - 1:
            lines.append("      duration: 1w")
            lines.append("      on_failure: rollback")
            # exit_criteria and scope left out: lint reports phase-exit and phase-scope until filled
            lines.append("      # TODO: scope (who is exposed) and exit_criteria (what must hold to go on)")
        previous = pid
    gated = ", ".join(p[0] for p in phases)
    lines += [
        "integration:",
        "  workflow:  # TODO: how the change reaches the live workflow, step by step",
        "    - {step: TODO the first step, actor: system}",
        "approvals:",
        f"  - {{id: go, name: Go decision, approver: {owner}, before: [{gated}], status: pending}}",
    ]
    if high:
        first = phases[0][0]
        lines.append(f"  - {{id: change-board, name: Change board, approver: {owner}, before: [{first}], "
                     "status: pending}  # TODO: the real approver")
    lines += [
        "authority:",
        "  rollback: []  # TODO: at least two people, or a role held by two (rollback-authority)",
        "monitoring: []  # TODO: the signals watched, with thresholds and dashboards",
        "validation: []  # TODO: release checks that gate phases (validation-missing)",
        "rollback:",
        "  target: TODO what a rollback returns to",
        "  triggers:",
        "    - {id: trigger-1, symptom: TODO what people see}  # TODO: decided_by (rollback-triggers)",
        "  steps:",
        "    - {do: TODO the first thing to do}  # TODO: owner, command, expect, time (rollback-steps)",
        "support: {}  # TODO: incident_owner and escalation levels (support-escalation)",
        "evidence: []  # TODO: what is kept for audit, where, how long (audit-evidence)",
    ]
    return "\n".join(lines) + "\n"


SLUG = re.compile(r"[a-z0-9](?:[a-z0-9-]{0,62}[a-z0-9])?")


def run(plan_id: str, *, strategy: str, risk: str, owner: str | None, plans: Path, site_config: Path,
        today: date) -> int:
    if not SLUG.fullmatch(plan_id):
        raise PlangenError(f"{plan_id!r} is not a plan id",
                           "use lower-case letters, digits and hyphens, e.g. checkout-tax-canary")
    site_file = site_config / "site.yaml" if site_config.is_dir() else site_config
    if owner is None:
        site = load_site(site_file)[0] if site_file.is_file() else None
        if site is None or not (site.roles or site.people):
            raise PlangenError(f"no people or roles in {site_file} to name as the plan's owner",
                               "give --owner ID, or run plangen init first")
        owner = next(iter(site.roles or site.people))
    target = plans / f"{plan_id}.yaml"
    if target.exists():
        raise PlangenError(f"{target} exists already", "choose another id, or edit that plan")
    root = Path(".")
    schema = Path(*[".."] * len(target.parent.relative_to(root).parts), SCHEMA_FILE).as_posix() \
        if not target.parent.is_absolute() else (root.resolve() / SCHEMA_FILE).as_posix()
    files = {target.as_posix(): skeleton(plan_id, strategy, risk, owner, today + timedelta(days=14), schema)}
    if not (root / SCHEMA_FILE).exists():
        files[SCHEMA_FILE] = schema_text()
    write_tree(root, files)
    click.echo(f"plangen: wrote {target}; `plangen lint {target}` lists what is left to fill in", err=True)
    return 0

