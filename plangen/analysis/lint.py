"""Run the readiness rules over one plan: severities, positions, waivers."""

from __future__ import annotations

from collections.abc import Mapping

from plangen.analysis.context import PlanContext
from plangen.analysis.registry import rules
from plangen.errors import Finding, format_path

UNUSED_WAIVER = "unused-waiver"


def lint_plan(ctx: PlanContext, levels: Mapping[str, str]) -> list[Finding]:
    """Every finding of every enabled rule, waived ones marked, unused waivers noted."""
    findings = []
    for rule in rules().values():
        level = levels.get(rule.id)
        if level == "off":
            continue
        for hit in rule.check(ctx):
            # The plan's first line for a missing section; a section's key line; an entry's first line.
            line, col = (1, 1) if hit.path == () else ctx.doc.position(hit.path, key=True)
            severity = level or hit.severity or rule.severity
            findings.append(
                Finding(ctx.doc.file, line, col, format_path(hit.path), hit.message, severity=severity, rule=rule.id)
            )
    return sorted(_apply_waivers(ctx, findings, levels))


def _apply_waivers(ctx: PlanContext, findings: list[Finding], levels: Mapping[str, str]) -> list[Finding]:
    waivers = {w.rule: w for w in ctx.plan.waivers}
    used = {f.rule for f in findings if f.rule in waivers}
    out = []
    for f in findings:
        waiver = waivers.get(f.rule or "")
        if waiver is None:
            out.append(f)
        else:
            out.append(Finding(f.file, f.line, f.col, f.path, f.message, severity="waived", rule=f.rule,
                               waived_by=waiver.approved_by, waiver_reason=waiver.reason))
    if levels.get(UNUSED_WAIVER) != "off":
        for i, waiver in enumerate(ctx.plan.waivers):
            if waiver.rule not in used:
                line, col = ctx.doc.position(("waivers", i))
                out.append(Finding(
                    ctx.doc.file, line, col, format_path(("waivers", i)),
                    f"the waiver for {waiver.rule} matches no finding; remove it",
                    severity=levels.get(UNUSED_WAIVER, "note"),  # type: ignore[arg-type]
                    rule=UNUSED_WAIVER,
                ))
    return out
