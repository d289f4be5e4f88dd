"""How long ago (or how soon) a moment is, as people say it beside the exact time: "3 min ago"."""
from __future__ import annotations

from datetime import datetime

# (limit in seconds, unit in seconds, name): the first whose limit the distance is under.
STEPS = ((60, 1, "s"), (3600, 60, "min"), (86400 * 2, 3600, "h"), (86400 * 60, 86400, "days"))


def relative(moment: datetime, now: datetime) -> str:
    """``moment`` and ``now`` naive UTC, as the columns hold them."""
    seconds = (now - moment).total_seconds()
    distance = abs(seconds)
    if distance < 1:
        return "now"
    for limit, unit, name in STEPS:
        if distance < limit:
            amount = f"{int(distance // unit)} {name}"
            break
    else:
        amount = f"{int(distance // (86400 * 30))} months"
    return f"{amount} ago" if seconds > 0 else f"in {amount}"
