"""The folded text that full-text search indexes next to the original columns."""
from __future__ import annotations

from parsers.textnorm import fold


def search_fold_text(title: str | None, sapo: str | None, body_text: str | None) -> str:
    """What goes into ``articles.search_fold``: fold(title + sapo + body) (đ→d, no marks)."""
    return fold(" ".join(p for p in (title, sapo, body_text) if p))
