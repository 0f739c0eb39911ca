"""Bad input gives empty or partial results, never an exception."""
from __future__ import annotations

from datetime import date

from hypothesis import given, settings
from hypothesis import strategies as st

from parsers import extract_facts
from parsers.facts import extract

VI = st.sampled_from([
    "quận", "Quận Ba Đình", "phường", "xã Bát Tràng", "30.054,4", "1.402", "tỷ đồng", "%", "12-13",
    "21/21", "chỉ tiêu", "Chủ tịch", "UBND", "Nguyễn Văn A", ",", ".", "\n", " ", "–", "quý IV-",
    "6 tháng đầu năm", "đạt", "tăng", "so với cùng kỳ", "ông", "nguyên", "dự toán", "9.9.9,9,9",
    "1e10", "/", "năm 2099", "năm 0000", "quý 9", "tháng 13/2023", "Hoà", "ĐỐNG ĐA",
])


@given(st.lists(VI, max_size=60).map(" ".join), st.one_of(st.none(), st.dates()))
@settings(max_examples=300, deadline=None)
def test_vietnamese_fragments_never_raise(text, pub):
    extract(text, pub)


@given(st.text(max_size=400), st.one_of(st.none(), st.dates()))
@settings(max_examples=300, deadline=None)
def test_any_text_never_raises(text, pub):
    extract(text, pub)


def test_empty_and_non_vietnamese():
    assert extract("", None).places == []
    assert extract("   \n\n ", date(2024, 1, 1)).to_dict() == {"places": [], "officials": [], "indicators": []}
    f = extract("The quick brown fox jumps over 13 lazy dogs in 2024.", date(2024, 1, 1))
    assert f.places == [] and f.officials == [] and f.indicators == []


def test_one_megabyte():
    para = ("Quận Đống Đa: thu ngân sách 6 tháng đầu năm 2024 ước đạt 6.214 tỷ đồng, bằng 58,6% dự toán. "
            "Chủ tịch UBND quận Đống Đa Nguyễn Văn A cho biết.\n")
    text = para * (1_000_000 // len(para))
    f = extract(text, date(2024, 7, 5))
    assert f.places and f.places[0].name == "Đống Đa"


def test_odd_numbers_partial_results():
    f = extract("Quận Ba Đình\n\nThu ngân sách đạt 1..2 tỷ đồng, 12,,5%, 9.99.9 tỷ đồng, ,5%.", date(2024, 1, 1))
    assert all(i.value is None or i.value >= 0 for i in f.indicators)


def test_entry_point_in_parsers():
    assert extract_facts("Quận Tây Hồ", date(2023, 1, 1)).places[0].name == "Tây Hồ"
