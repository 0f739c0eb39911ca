"""Places: gazetteer matching, the 1 July 2025 reform rule, traps that are not places."""
from __future__ import annotations

from datetime import date

from parsers.facts import extract


def places(text, pub):
    return {(p.name, p.type): p for p in extract(text, pub).places}


def test_typed_and_bare_district():
    got = places("Quận Bắc Từ Liêm: thu ngân sách tăng\n\nKinh tế Bắc Từ Liêm tăng trưởng khá.",
                 date(2023, 7, 1))
    p = got[("Bắc Từ Liêm", "quận")]
    assert p.mentions == 2 and p.is_primary and p.first_offset == 0
    assert p.place_id == "hn-pre2025-021-quan-bac-tu-liem"


def test_reform_date_rule():
    before = places("Quận Ba Đình tổ chức hội nghị.", date(2024, 5, 1))
    after = places("Phường Ba Đình tổ chức hội nghị.", date(2026, 1, 9))
    assert before[("Ba Đình", "quận")].place_id.startswith("hn-pre2025-")
    assert after[("Ba Đình", "phường")].place_id.startswith("hn-2025-")
    # a former district named after the reform is the old unit, not a primary one
    old = places("Phường Ba Đình: năm đầu vận hành\n\nPhường gồm một phần quận Ba Đình trước đây.",
                 date(2026, 1, 9))
    assert old[("Ba Đình", "quận")].place_id.startswith("hn-pre2025-")
    assert not old[("Ba Đình", "quận")].is_primary and old[("Ba Đình", "phường")].is_primary
    # a ward that exists in both eras resolves by date
    assert places("phường Yên Hòa", date(2024, 1, 1))[("Yên Hòa", "phường")].place_id.startswith("hn-pre2025-")
    assert places("phường Yên Hòa", date(2025, 9, 1))[("Yên Hòa", "phường")].place_id.startswith("hn-2025-")


def test_no_diacritics_and_tone_variants():
    assert ("Hoàng Mai", "quận") in places("UBND quan Hoang Mai hop ban.", date(2024, 1, 1))
    assert ("Ứng Hòa", "huyện") in places("Huyện uỷ Ứng Hoà họp.", date(2022, 1, 1))
    assert ("Đống Đa", "quận") in places("QUẬN ĐỐNG ĐA", date(2022, 1, 1))


def test_lists_carry_the_type():
    got = places("Các phường Ngô Quyền và Phú Thịnh, thị xã Sơn Tây.", date(2023, 1, 1))
    assert {("Ngô Quyền", "phường"), ("Phú Thịnh", "phường"), ("Sơn Tây", "thị xã")} <= set(got)


def test_traps_are_not_places():
    text = ("Ùn tắc trên phố Tây Sơn, đường Láng và gần Bệnh viện Đa khoa Đống Đa. Người dân Hà Nội "
            "phản ánh. Tại tỉnh Thái Bình, xã Tân Lập, huyện Vũ Thư cũng vậy. Ở Quảng Ninh, "
            "phường Hồng Hà, thành phố Hạ Long mở rộng đường.")
    assert places(text, date(2024, 3, 1)) == {}
    assert places(text, date(2026, 3, 1)) == {}


def test_ambiguous_ward_resolved_by_district():
    got = places("Quận Hoàng Mai đề nghị phường Trần Phú đẩy nhanh tiến độ.", date(2024, 1, 1))
    assert got[("Trần Phú", "phường")].place_id.startswith("hn-pre2025-")
    assert "huyen-chuong-my" not in got[("Trần Phú", "phường")].place_id


def test_abbreviations_and_more_traps():
    got = places("Tại Q.Cầu Giấy và P. Dịch Vọng, giá nhà tăng.", date(2024, 1, 1))
    assert set(got) == {("Cầu Giấy", "quận"), ("Dịch Vọng", "phường")}
    text = ("Du khách dạo quanh Hồ Tây, qua cầu Long Biên, ghé chợ Long Biên. Sân bay Nội Bài "
            "đông khách; Bệnh viện Bạch Mai quá tải. Trường THPT Chu Văn An trên đường Hoàng Quốc Việt.")
    assert places(text, date(2024, 5, 1)) == {}
    assert places(text, date(2025, 9, 1)) == {}


def test_bare_names_need_support():
    # after the reform a bare "Đông Anh" is not assumed to be the new commune ...
    assert places("Đông Anh đang trở thành cực tăng trưởng mới.", date(2026, 5, 1)) == {}
    # ... unless the article names it with its type
    got = places("Xã Đông Anh ra quân. Đông Anh đang đổi mới.", date(2026, 5, 1))
    assert got[("Đông Anh", "xã")].mentions == 2
    # before the reform a bare district name is the district
    got = places("Hà Đông, Thanh Xuân và Cầu Giấy đô thị hóa nhanh.", date(2024, 5, 1))
    assert set(got) == {("Hà Đông", "quận"), ("Thanh Xuân", "quận"), ("Cầu Giấy", "quận")}


def test_next_line_type_word_is_not_another_province():
    got = places("Quận Đống Đa\n\nQuận phấn đấu thu ngân sách vượt dự toán.", date(2024, 7, 5))
    assert ("Đống Đa", "quận") in got
    assert places("xã Tân Lập huyện Vũ Thư", date(2024, 7, 5)) == {}
