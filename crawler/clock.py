"""Time in one place, so tests and the crash test can reason about it."""
from __future__ import annotations

from datetime import datetime, timedelta, timezone

VN = timezone(timedelta(hours=7), "Asia/Ho_Chi_Minh")


def now() -> datetime:
    return datetime.now(VN)


def iso(dt: datetime | None = None) -> str:
    return (dt or now()).isoformat(timespec="seconds")
