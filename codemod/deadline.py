"""The one implementation of deadline tiers: the linter's severities, the shim's warnings and
the CLI's ``--today`` all come from here.

Standard library only: the runtime shim imports it, and ``--vendor-shim`` inlines it.
"""

from __future__ import annotations

import os
from datetime import date, datetime, timezone
from typing import Optional

TODAY_ENV_VAR = "V4_MIGRATE_TODAY"
DEFAULT_WARNING_DAYS = 90
DEFAULT_ERROR_DAYS = 30

# Tiers, from least to most urgent.
NOTICE = "notice"
WARNING = "warning"
ERROR = "error"
RETIRED = "retired"


def parse_instant(text: str) -> datetime:
    """An ISO date or date-time; a bare date means midnight UTC, a naive time means UTC."""
    text = text.strip()
    if text.endswith("Z"):
        text = text[:-1] + "+00:00"
    if len(text) == 10:
        parsed = datetime.combine(date.fromisoformat(text), datetime.min.time())
    else:
        parsed = datetime.fromisoformat(text)
    if parsed.tzinfo is None:
        parsed = parsed.replace(tzinfo=timezone.utc)
    return parsed.astimezone(timezone.utc)


def reference_date(explicit: Optional[str] = None) -> date:
    """``--today``, else ``V4_MIGRATE_TODAY``, else the current UTC date. Raises ValueError."""
    value = explicit or os.environ.get(TODAY_ENV_VAR)
    if value:
        return date.fromisoformat(value.strip())
    return datetime.now(timezone.utc).date()


def reference_instant(explicit: Optional[str] = None) -> datetime:
    """The moment the shim compares against: the current time unless a reference date is set.

    A set date counts as its end (23:59:59 UTC), so ``V4_MIGRATE_TODAY=2026-07-24`` means the
    cutoff day has been reached, as it does for the linter's tiers."""
    value = explicit or os.environ.get(TODAY_ENV_VAR)
    if value:
        day = date.fromisoformat(value.strip())
        return datetime(day.year, day.month, day.day, 23, 59, 59, tzinfo=timezone.utc)
    return datetime.now(timezone.utc)


def days_left(retired_at: datetime, today: date) -> int:
    """Whole days from ``today`` to the retirement date; negative once it has passed."""
    return (retired_at.date() - today).days


def tier(
    retired_at: datetime,
    today: date,
    warning_days: int = DEFAULT_WARNING_DAYS,
    error_days: int = DEFAULT_ERROR_DAYS,
) -> str:
    left = days_left(retired_at, today)
    if left <= 0:
        return RETIRED
    if left <= error_days:
        return ERROR
    if left <= warning_days:
        return WARNING
    return NOTICE


def severity_for_tier(tier_name: str) -> str:
    """The finding severity for a tier: a retired id is an error like a due one."""
    return ERROR if tier_name == RETIRED else tier_name


def runtime_warning_category(retired_at: datetime, today: date, error_days: int = DEFAULT_ERROR_DAYS):
    """The shim's warning class before the cutoff: DeprecationWarning while more than
    ``error_days`` remain, FutureWarning (shown by default) within them."""
    return FutureWarning if days_left(retired_at, today) <= error_days else DeprecationWarning


def describe_deadline(retired_at: datetime, today: date) -> str:
    left = days_left(retired_at, today)
    when = retired_at.strftime("%Y-%m-%d %H:%M UTC")
    if left > 0:
        return f"retires {when} ({left} day{'s' if left != 1 else ''} left)"
    if left == 0:
        return f"retires {when} (today)"
    return f"retired {when} ({-left} day{'s' if left != -1 else ''} ago)"
