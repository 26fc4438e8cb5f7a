"""Rule modules, one per pillar; importing them registers the rules."""

from plangen.analysis.rules import approvals, integration, rollback, rollout, safeguards, support

__all__ = ["approvals", "integration", "rollback", "rollout", "safeguards", "support"]
