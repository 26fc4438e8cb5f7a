"""Plan completeness per pillar (documented in docs/rules.md).

Each enabled rule of a pillar that applies to the plan scores 1 when it has no open error or warning,
0.5 when its worst open finding is a warning, 0 when it has an error. Notes
and waived findings do not lower a score. A pillar's score is the mean of its
rules, as a percentage; the plan's completeness is the mean of its pillars.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping

from plangen.analysis.registry import PILLARS, Rule, rules
from plangen.errors import Finding

_RULE_SCORE = {"error": 0.0, "warning": 0.5}


def pillar_scores(findings: Iterable[Finding], levels: Mapping[str, str],
                  scored: Callable[[Rule], bool] = lambda rule: True) -> dict[str, int]:
    """`scored(rule)`: whether the rule counts for this plan (see `Rule.scored`)."""
    worst: dict[str, float] = {}
    for f in findings:
        if f.rule and f.severity in _RULE_SCORE:
            worst[f.rule] = min(worst.get(f.rule, 1.0), _RULE_SCORE[f.severity])
    scores = {}
    for pillar in PILLARS:
        members = [r.id for r in rules().values()
                   if r.pillar == pillar and levels.get(r.id) != "off" and scored(r)]
        if members:
            scores[pillar] = round(100 * sum(worst.get(r, 1.0) for r in members) / len(members))
    return scores


def overall(scores: Mapping[str, int]) -> int:
    return round(sum(scores.values()) / len(scores)) if scores else 100
