"""Rule modules, one per pillar; importing them registers the rules."""

from plangen.analysis.rules import approvals, integration, portfolio, rollback, rollout, safeguards, support

__all__ = ["approvals", "integration", "portfolio", "rollback", "rollout", "safeguards", "support"]
