"""Run the readiness rules over one plan: severities, positions, waivers."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence

from plangen.analysis.context import PlanContext
from plangen.analysis.registry import rules
from plangen.errors import Finding, format_path

UNUSED_WAIVER = "unused-waiver"


def lint_plan(ctx: PlanContext, levels: Mapping[str, str], across: Sequence[Finding] = ()) -> list[Finding]:
    """Every finding of every enabled rule, and those `across` plans (see
    analysis/conflicts.py), waived ones marked, unused waivers noted."""
    findings = list(across)
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


def waive(findings: Iterable[Finding], waivers: Iterable[tuple[str, str, str]]) -> list[Finding]:
    """Findings of a waived rule (rule, approved by, reason) marked "waived", with who and why."""
    by_rule = {rule: (who, why) for rule, who, why in waivers}
    out = []
    for f in findings:
        waiver = by_rule.get(f.rule or "")
        if waiver is None:
            out.append(f)
        else:
            out.append(Finding(f.file, f.line, f.col, f.path, f.message, severity="waived", rule=f.rule,
                               waived_by=waiver[0], waiver_reason=waiver[1]))
    return out


def _apply_waivers(ctx: PlanContext, findings: list[Finding], levels: Mapping[str, str]) -> list[Finding]:
    waivers = {w.rule for w in ctx.plan.waivers}
    used = {f.rule for f in findings if f.rule in waivers}
    out = waive(findings, ((w.rule, w.approved_by, w.reason) for w in ctx.plan.waivers))
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
