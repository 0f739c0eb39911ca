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


# ``Indicator.period_kind`` values (docs/DESIGN.md "Facts: conventions")
PERIOD_KINDS = ("month", "quarter", "half_year", "nine_months", "year", "multi_year",
                "average_annual", "year_to_date", "as_of", "range")
# ``Indicator.relation_type`` values: how a percentage or multiple qualifies an amount
RELATION_TYPES = ("share_of_plan", "above_plan", "growth_yoy", "decline_yoy", "growth_vs_period",
                  "decline_vs_period", "avg_annual_growth", "multiple", "share_of_total", "ratio_yoy",
                  "growth_abs", "growth_rate_diff", "growth_rate_ratio")
# ``Indicator.approx`` values: the qualifier printed before the number
APPROX = ("over", "nearly", "about", "under", "at_least")
# ``Indicator.flags`` values: why a figure is doubtful
FLAGS = ("uncertain_place", "uncertain_period", "uncertain_metric", "misprint", "predecessor_period")


@dataclass(slots=True)
class Indicator:
    """One printed figure. A percentage or multiple that qualifies an amount is a row of its
    own with ``relation_type`` and ``qualifies`` = the ``id`` of the amount's row."""
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
    relation: str | None  # on a relation row, as written: "đạt 40% dự toán", "tăng 12,1% so với cùng kỳ"
    kind: str | None  # actual | estimate | target
    sentence: str
    value_denominator: float | None = None  # "21/21 chỉ tiêu" -> 21
    relation_type: str | None = None  # one of RELATION_TYPES, on a relation row
    relation_value: float | None = None  # a relation row's value again (40.0 for "đạt 40% dự toán")
    id: int = 0  # 1, 2, ... in text order: stable within an article
    qualifies: int | None = None  # ``id`` of the amount this relation row qualifies
    approx: str | None = None  # one of APPROX ("hơn 3.000 tỷ đồng" -> over), value as printed
    period_kind: str | None = None  # one of PERIOD_KINDS
    flags: list[str] = field(default_factory=list)  # from FLAGS
    metric_family: str | None = None  # budget | production | trade | investment | other
    same_as: int | None = None  # a title's or lead's restatement: ``id`` of the body row it restates


@dataclass
class Facts:
    places: list[PlaceMention] = field(default_factory=list)
    officials: list[OfficialMention] = field(default_factory=list)
    indicators: list[Indicator] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)
