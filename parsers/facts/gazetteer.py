"""Hanoi gazetteer: the units in ``hanoi_units.json`` and the indexes used to match names.

Input: ``parsers/facts/hanoi_units.json`` (built by ``scripts/build_gazetteer.py`` from
vietnamadminunits 1.0.4, MIT licence), read once and cached. Output: ``Gazetteer``.
"""
from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import date
from functools import lru_cache
from pathlib import Path
from typing import Any

from .text import fold, slug

DATA = Path(__file__).with_name("hanoi_units.json")
REFORM = date(2025, 7, 1)
DISTRICT_TYPES = ("quận", "huyện", "thị xã")
WARD_TYPES = ("phường", "xã", "thị trấn")


@dataclass(frozen=True)
class Unit:
    id: str
    name: str
    type: str
    full_name: str
    ascii_name: str
    parent_id: str | None
    code: str
    valid_from: str | None
    valid_to: str | None
    latitude: float | None
    longitude: float | None
    level: str  # district | ward

    @property
    def new(self) -> bool:
        """In force since the 1 July 2025 reform."""
        return self.valid_from is not None


@dataclass
class Gazetteer:
    units: dict[str, Unit]
    successors: list[tuple[str, str]]
    source: dict[str, Any]
    by_tokens: dict[tuple[str, ...], list[Unit]] = field(default_factory=dict)
    max_len: int = 1
    first_tokens: set[str] = field(default_factory=set)
    multi_lengths: dict[str, list[int]] = field(default_factory=dict)  # first token -> lengths >= 2
    lengths: dict[str, list[int]] = field(default_factory=dict)  # first token -> all lengths, longest first
    pairs: set[tuple[str, str]] = field(default_factory=set)  # first two tokens of the names of 2+

    def candidates(self, tokens: tuple[str, ...]) -> list[Unit]:
        return self.by_tokens.get(tokens, [])

    def by_fold(self, name: str) -> list[Unit]:
        """Units whose name folds to ``name`` ('dong da' or 'Đống Đa')."""
        return self.by_tokens.get(_fold_tokens(name), [])


@lru_cache(maxsize=16384)
def _fold_tokens(name: str) -> tuple[str, ...]:
    return tuple(slug(name).split("-"))


def in_force(unit: Unit, when: date | None) -> bool:
    """Whether ``unit`` is in force at ``when`` (None: at the reform's eve is not assumed)."""
    if when is None:
        return True
    return unit.new if when >= REFORM else not unit.new


@lru_cache(maxsize=1)
def load() -> Gazetteer:
    """Read the bundled gazetteer once."""
    raw = json.loads(DATA.read_text(encoding="utf-8"))
    units = {u["id"]: Unit(**u) for u in raw["units"]}
    g = Gazetteer(units, [tuple(p) for p in raw["successors"]], raw["source"])
    for u in units.values():
        key = tuple(fold(u.name).replace("-", " ").split())
        g.by_tokens.setdefault(key, []).append(u)
        g.first_tokens.add(key[0])
        g.max_len = max(g.max_len, len(key))
        if len(key) >= 2:
            g.pairs.add(key[:2])
        if len(key) >= 2 and len(key) not in g.multi_lengths.setdefault(key[0], []):
            g.multi_lengths[key[0]].append(len(key))
        if len(key) not in g.lengths.setdefault(key[0], []):
            g.lengths[key[0]].append(len(key))
    for ls in (*g.multi_lengths.values(), *g.lengths.values()):
        ls.sort(reverse=True)
    return g
