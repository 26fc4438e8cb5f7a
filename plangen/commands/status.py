"""`plangen status`: what is live, what comes next, and may it go, per plan.

The same decision model the site and `plans.json` show, for a terminal or a
release pipeline. Exit 1 only when plans do not validate: a NO-GO is an
answer, not an error.
"""

from __future__ import annotations

from datetime import date
from pathlib import Path

import click

from plangen.analysis.analyse import PlanAnalysis, analyse
from plangen.commands.pipeline import judge_day
from plangen.commands.report import dump_json, emit
from plangen.errors import plural, printable
from plangen.project import load_project
from plangen.render.exports import decision_json, phases_json
from plangen.views.base import Directory, starts_at
from plangen.views.decision import schedule_text, verdict_word, when_text


def run(paths: list[Path], site_config: Path | None, fmt: str, as_of: date | None) -> int:
    day = judge_day(as_of)
    project = load_project(paths, site_config)
    analysis = analyse(project, day)
    errors = [f for f in project.findings if f.severity == "error"]
    if errors:
        emit(errors, "text" if fmt == "json" else fmt)
    if fmt == "json":
        click.echo(dump_json({"as_of": day.isoformat(), "plans": [_json(p) for p in analysis.plans]}))
    else:
        for p in analysis.plans:
            click.echo(_text(p))
    click.echo(f"plangen: {plural(len(analysis.plans), 'plan')} as of {day}"
               + (f"; {plural(len(errors), 'validation error')}" if errors else ""), err=True)
    return 1 if errors else 0


def _json(p: PlanAnalysis) -> dict[str, object]:
    ctx = p.context
    return {
        "id": ctx.plan.id,
        "file": p.loaded.doc.file,
        "status": ctx.plan.status,
        "decision": decision_json(p),
        "phases": phases_json(p),
    }


def _chase(people: Directory, who: str | None) -> str:
    """Whom to chase, by name: 'chase Release manager (Sam Kowalski)'."""
    if who is None:
        return ""
    entry = people.who(who)
    return f"chase {entry.ref.label}" + (f" ({entry.holders})" if entry.holders else "")


def _text(p: PlanAnalysis) -> str:
    ctx = p.context
    people = Directory(ctx.site)
    plan, decision = ctx.plan, p.decision
    names = {ph.id: printable(ph.name) for ph in plan.rollout.phases}  # plan text: one line each, escaped
    lines = [f"{plan.id}: {printable(plan.title)} ({plan.status})"]
    if decision.over:
        lines.append(f"  now:  plan {plan.status}")
    for pid in (*decision.live, *decision.paused):
        d = decision.phases[pid]
        since = f" since {d.since}" if d.since else ""
        slip = f", {schedule_text(d)}" if d.slip_days else ""
        lines.append(f"  now:  {pid} ({names[pid]}) {d.state}{since}{slip}")
        lines += [f"    ! outside its mandate: {printable(m)}" for m in d.outside_mandate]
    if not decision.over and not decision.live and not decision.paused:
        lines.append("  now:  nothing live")
    if decision.next:
        d = decision.phases[decision.next]
        start = starts_at(ctx.times[decision.next].start)
        when = f" on {start} ({when_text(decision.next_day, ctx.as_of)})" if decision.next_day else ""
        verb = "resume " if decision.resume else ""
        lines.append(f"  next: {verb}{decision.next} ({names[decision.next]}){when}: {verdict_word(d)}")
        for b in d.blockers:
            extra = ", ".join(x for x in (_chase(people, b.who), f"due {b.due}" if b.due else "") if x)
            lines.append(f"    - {printable(b.text)}" + (f" ({printable(extra)})" if extra else ""))
    elif not decision.over:
        lines.append("  next: none waiting")
    for d in decision.slips:
        lines.append(f"  slip: {d.phase} ({names[d.phase]}) {schedule_text(d)}")
    return "\n".join(lines)
