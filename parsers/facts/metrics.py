"""The metric vocabulary: ``metrics.csv`` (key, family, parent, unit kind, descriptions in
Vietnamese and English), shipped with the package and loaded once.

The crawler copies it into ``archive.db`` (table ``metrics``); the extractor uses it for
``Indicator.metric_family``. Core families (the ones the evaluation's "core figures" count):
budget, production, trade, investment.
"""
from __future__ import annotations

import csv
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

DATA = Path(__file__).with_name("metrics.csv")
CORE_FAMILIES = ("budget", "production", "trade", "investment")


@dataclass(frozen=True)
class Metric:
    key: str
    family: str
    parent: str | None
    unit_kind: str | None
    description_vi: str
    description_en: str


@lru_cache(maxsize=1)
def load() -> dict[str, Metric]:
    """Every metric by key, in the file's order."""
    with DATA.open(encoding="utf-8", newline="") as fh:
        rows = list(csv.DictReader(fh))
    return {r["key"]: Metric(r["key"], r["family"], r["parent"] or None, r["unit_kind"] or None,
                             r["description_vi"], r["description_en"]) for r in rows}


def family(key: str | None) -> str | None:
    """The family of a metric key ("other" for a key not in the table, None for None)."""
    if key is None:
        return None
    return _families().get(key, "other")


@lru_cache(maxsize=1)
def _families() -> dict[str, str]:
    return {k: m.family for k, m in load().items()}
