"""The folded text that full-text search indexes next to the original columns."""
from __future__ import annotations

from parsers.textnorm import fold


def fold_for_search(*parts: str | None) -> str:
    return fold(" ".join(p for p in parts if p))
