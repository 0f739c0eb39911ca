"""Records that ``parsers.extract_facts`` returns: places, officials, indicators.

The crawler writes them to ``article_places``, ``officials``/``article_officials`` and
``indicators`` (see docs/DESIGN.md). Place ids are the ids of the ``places`` table.
"""
from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any


@dataclass
class PlaceMention:
    place_id: str
    name: str  # canonical gazetteer name, e.g. "Bắc Từ Liêm"
    type: str  # quận | huyện | thị xã | phường | xã
    full_name: str  # "Quận Bắc Từ Liêm"
    mentions: int
    first_offset: int
    is_primary: bool


@dataclass
class OfficialMention:
    name: str
    title: str | None
    organisation: str | None
    roles: list[str] = field(default_factory=list)  # every "title organisation" held
    place_id: str | None = None
    is_former: bool = False  # "nguyên ..."
    sentence: str | None = None


@dataclass
class Indicator:
    place_id: str | None
    place: str | None
    metric: str  # as written: "giá trị sản xuất các ngành"
    metric_key: str | None  # controlled vocabulary, e.g. production_value
    value: float | None
    value_max: float | None
    unit: str | None  # "tỷ đồng", "%", "chỉ tiêu", ...
    period_text: str | None
    period_start: str | None  # ISO date
    period_end: str | None
    relation: str | None  # "đạt 40% dự toán", "tăng 12,1% so với cùng kỳ"
    kind: str | None  # actual | estimate | target
    sentence: str
    value_denominator: float | None = None  # "21/21 chỉ tiêu" -> 21
    relation_type: str | None = None  # share_of_plan | growth_yoy | above_plan | ...
    relation_value: float | None = None  # 40.0 for "đạt 40% dự toán"


@dataclass
class Facts:
    places: list[PlaceMention] = field(default_factory=list)
    officials: list[OfficialMention] = field(default_factory=list)
    indicators: list[Indicator] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)
