"""The build date: --as-of, else SOURCE_DATE_EPOCH, else today (UTC)."""

from __future__ import annotations

import os
from datetime import date, datetime, timezone

from plangen.errors import PlangenError


def build_date(as_of: date | None = None) -> date:
    if as_of is not None:
        return as_of
    epoch = os.environ.get("SOURCE_DATE_EPOCH")
    if epoch:
        try:
            return datetime.fromtimestamp(int(epoch), tz=timezone.utc).date()
        except (ValueError, OverflowError, OSError):
            raise PlangenError(
                f"SOURCE_DATE_EPOCH={epoch!r} is not a Unix timestamp",
                "set it to whole seconds since 1970, e.g. $(git log -1 --format=%ct)",
            ) from None
    return datetime.now(tz=timezone.utc).date()
