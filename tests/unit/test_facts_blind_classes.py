"""Classes found when scoring the blind set (tests/blind) — each test in our own words, with
invented names and numbers; none copies a blind case."""
from __future__ import annotations

from datetime import date

from parsers.facts import extract


def places(text: str, pub: date) -> dict[tuple[str, str], bool]:
    return {(p.name, p.type): p.is_primary for p in extract(text, pub).places}


def officials(text: str, pub: date) -> dict[str, tuple]:
    return {o.name: (o.title, o.organisation, o.is_former) for o in extract(text, pub).officials}


def figures(text: str, pub: date):
    return [(i.place, i.metric_key, i.value, i.unit, i.relation_type) for i in extract(text, pub).indicators]


# places ----------------------------------------------------------------------------------------

def test_a_list_introduced_after_the_unit_word():
    got = places("Quận Long Biên\n\nNhiều phường như Thượng Thanh, Ngọc Thụy, Giang Biên, Đức Giang, Việt Hưng, "
                 "Gia Thụy, Ngọc Lâm, Phúc Lợi, Bồ Đề, Thạch Bàn đã xây trụ sở mới.", date(2023, 5, 1))
    for name in ("Thượng Thanh", "Gia Thụy", "Ngọc Lâm", "Phúc Lợi", "Bồ Đề", "Thạch Bàn"):
        assert (name, "phường") in got


def test_a_list_of_bridges_or_streets_names_no_unit():
    got = places("Quận Hoàng Mai\n\nCác cây cầu Chương Dương, Vĩnh Tuy và Thanh Trì nối hai bờ sông.",
                 date(2023, 5, 1))
    assert ("Thanh Trì", "huyện") not in got
    got = places("Quận Long Biên\n\nSau khi thông xe cầu Vĩnh Tuy, Long Biên thu hút nhiều dự án.", date(2023, 5, 1))
    assert ("Long Biên", "quận") in got


def test_units_reported_in_turn_are_primary():
    got = places("Huyện Mê Linh: thu nhập tăng\n\nThu nhập bình quân của huyện đạt 60 triệu đồng/người/năm. "
                 "Cụ thể, xã Tráng Việt đạt 66 triệu đồng, xã Văn Khê 63 triệu đồng/người/năm. "
                 "Đoàn công tác cũng thăm xã Tiền Phong.", date(2022, 6, 1))
    assert got[("Tráng Việt", "xã")] and got[("Văn Khê", "xã")]
    assert not got[("Tiền Phong", "xã")]


# officials -------------------------------------------------------------------------------------

def test_names_with_an_accented_capital_or_a_rare_surname():
    got = officials("Phường Ô Chợ Dừa\n\nTại Đại hội, đồng chí Lò Thị Ánh được chỉ định giữ chức Bí thư Đảng ủy "
                    "phường Ô Chợ Dừa. Chủ tịch HĐND phường Mông Văn Khải phát biểu.", date(2025, 8, 1))
    assert got["Lò Thị Ánh"][0] == "Bí thư"
    assert got["Mông Văn Khải"][0] == "Chủ tịch"


def test_membership_then_the_verb_then_the_post():
    got = officials("Phường Kim Liên\n\nHội nghị công bố quyết định chỉ định đồng chí Phan Văn Kiên, Thành ủy viên, "
                    "giữ chức Bí thư Đảng ủy phường Kim Liên.", date(2025, 8, 1))
    assert got["Phan Văn Kiên"][0] == "Bí thư"


def test_sub_department_head_titles():
    got = officials("Huyện Ba Vì\n\nChi cục trưởng Chi cục Thống kê huyện Ba Vì, ông Đinh Văn Lộc, cho biết số liệu.",
                    date(2021, 7, 1))
    assert got["Đinh Văn Lộc"][:2] == ("Chi cục trưởng", "Chi cục Thống kê huyện Ba Vì")


def test_a_title_shared_by_a_list_of_names():
    got = officials("Quận Tây Hồ\n\nDự lễ có các đồng chí nguyên Bí thư Quận ủy Tây Hồ qua các thời kỳ Lê Văn Hậu, "
                    "Vũ Thị Mai.", date(2023, 5, 1))
    assert got["Lê Văn Hậu"] == ("Bí thư", "Quận ủy Tây Hồ", True)
    assert got["Vũ Thị Mai"] == ("Bí thư", "Quận ủy Tây Hồ", True)
    got = officials("Quận Tây Hồ\n\nChủ tịch UBND quận Tây Hồ Lê Văn Hậu, Phó Chủ tịch Vũ Thị Mai dự họp.",
                    date(2023, 5, 1))
    assert got["Lê Văn Hậu"][0] == "Chủ tịch" and "Phó Chủ" not in got


# figures ---------------------------------------------------------------------------------------

def test_the_unit_printed_on_the_last_item_only():
    got = figures("Huyện Phúc Thọ\n\nThu nhập bình quân đầu người năm 2022 đạt 58 triệu đồng. Cụ thể, xã Sen Phương "
                  "đạt 61,5 triệu, xã Vân Phúc 57,2 triệu đồng/người/năm.", date(2023, 1, 10))
    assert ("Sen Phương", "per_capita_income", 61.5, "triệu đồng/người/năm", None) in got  # (round 2: the rate unit)


def test_revenue_named_by_so_thu_or_thu_with_a_verb():
    got = figures("Huyện Thanh Trì\n\nTổng thu ngân sách năm 2019 đạt 2.000 tỷ đồng; nếu loại trừ tiền sử dụng đất, "
                  "số thu đạt 812,4 tỷ đồng. Quý IV, huyện phấn đấu thu thêm khoảng 400 tỷ đồng.", date(2019, 10, 1))
    keys = {v: k for _, k, v, _, _ in got}
    assert keys[812.4] == "budget_revenue_excl_land"
    assert keys[400] == "budget_revenue"


def test_a_clause_of_time_words_and_a_verb_continues_the_metric():
    got = figures("Thị xã Sơn Tây\n\nTính đến ngày 10/6, tổng thu ngân sách đạt 210 tỷ đồng, bằng 45% dự toán; "
                  "ước 6 tháng đầu năm đạt 52% dự toán.", date(2023, 6, 20))
    assert ("Sơn Tây", "budget_revenue", 52, "%", "share_of_plan") in got


def test_a_sector_share_of_the_economy_without_the_word_before():
    got = figures("Phường Hàng Bạc\n\nHiện nay, thương mại – dịch vụ chiếm 97,5% cơ cấu kinh tế của phường; đến năm "
                  "2030 thương mại – dịch vụ chiếm trên 98%.", date(2025, 8, 20))
    assert ("Hàng Bạc", "production_value_trade_services", 97.5, "%", "share_of_total") in got
    assert ("Hàng Bạc", "production_value_trade_services", 98, "%", "share_of_total") in got


def test_a_structure_list_after_a_paragraph_about_revenue():
    got = figures("Xã Vĩnh Thanh\n\nDoanh thu thương mại, dịch vụ ước đạt 900 tỷ đồng. Cơ cấu kinh tế chuyển dịch "
                  "(thương mại – dịch vụ 70%; công nghiệp – tiểu thủ công nghiệp 26%; nông nghiệp 4%).",
                  date(2025, 12, 20))
    keys = {v: (k, r) for _, k, v, _, r in got}
    assert keys[26][1] == "share_of_total" and keys[26][0].startswith("production_value")
    assert keys[4] == ("production_value_agriculture", "share_of_total")


def test_city_wide_totals_with_a_capital_letter_are_not_the_unit():
    got = figures("Phường Thanh Xuân\n\nPhường thu ngân sách đạt 700 tỷ đồng. Toàn thành phố, tổng thu ngân sách ước "
                  "vượt 500.000 tỷ đồng.", date(2025, 12, 20))
    assert all(v != 500000 for _, _, v, _, _ in got)


def test_the_unit_a_leading_clause_opens_with():
    got = figures("Ba xã tổ chức đại hội\n\nỞ xã Phượng Dực – địa bàn hình thành từ các xã Hồng Minh, Phú Túc "
                  "(huyện Phú Xuyên cũ) – đại hội đánh giá giá trị sản xuất nông nghiệp tăng bình quân 3,5%/năm.",
                  date(2025, 8, 11))
    assert got[0][0] == "Phượng Dực"


def test_mobilised_capital_is_investment():
    got = figures("Huyện Đan Phượng\n\nGiai đoạn 2016-2020, tổng nguồn vốn huy động cho xây dựng nông thôn mới đạt "
                  "3.100 tỷ đồng.", date(2021, 1, 5))
    assert got[0][1] == "investment"


# periods ---------------------------------------------------------------------------------------

def periods(text: str, pub: date):
    return {i.value: (i.period_kind, i.period_start, i.period_end) for i in extract(text, pub).indicators}


def test_a_period_in_a_later_clause_is_not_the_figures():
    got = periods("Huyện Mỹ Đức 5 tháng đầu năm 2024\n\nTheo báo cáo, 5 tháng đầu năm 2024 kinh tế ổn định. Thu ngân "
                  "sách trên địa bàn đạt 320 tỷ đồng, bằng 40% dự toán; riêng tháng 5/2024 thu 61 tỷ đồng.",
                  date(2024, 6, 5))
    assert got[320][0] == "year_to_date" and got[61][0] == "month"
    got = periods("Huyện Phú Xuyên sơ kết 6 tháng\n\nHuyện tổ chức sơ kết 6 tháng đầu năm 2023.\n\nTổng thu ngân sách "
                  "ước đạt 210 tỷ đồng, bằng 52% dự toán (dự kiến hết quý III đạt 70% dự toán).", date(2023, 7, 12))
    assert got[210][0] == "half_year"
    assert got[70] == ("nine_months", "2023-01-01", "2023-09-30")


def test_the_period_of_a_plan_is_not_the_figures():
    got = periods("Huyện Mê Linh\n\nKinh tế 6 tháng đầu năm 2022 ổn định. Huyện đã giải ngân 410 tỷ đồng, bằng 38% kế "
                  "hoạch vốn năm 2022.", date(2022, 7, 8))
    assert got[410][0] == "half_year" and got[38][0] == "half_year"


def test_two_months_named_together_are_a_range():
    got = periods("Xã Thư Lâm\n\nTrong tháng 7 và tháng 8/2025, thu ngân sách của xã đạt 15 tỷ đồng.", date(2025, 9, 3))
    assert got[15] == ("range", "2025-07-01", "2025-08-31")


def test_a_flow_by_a_target_year_is_that_years():
    got = periods("Quận Hà Đông\n\nQuận phấn đấu đến năm 2030 thu ngân sách đạt 12.000 tỷ đồng, GRDP bình quân đầu "
                  "người đạt 9.000 USD.", date(2025, 5, 3))
    assert got[12000] == ("year", "2030-01-01", "2030-12-31")
    assert got[9000][0] == "as_of"


def test_a_flow_counted_to_the_end_of_a_month_is_the_year_so_far():
    got = periods("Huyện Ba Vì\n\nTính đến hết tháng 10/2022, thu ngân sách trên địa bàn đạt 300 tỷ đồng.", date(2022, 11, 5))
    assert got[300] == ("year_to_date", "2022-01-01", "2022-10-31")


def test_the_past_term_after_the_congress_is_a_period_not_a_label():
    got = periods("Phường Yên Nghĩa\n\nBáo cáo chính trị của Đại hội nêu rõ, nhiệm kỳ vừa qua tổng giá trị sản xuất tăng "
                  "64%.", date(2025, 8, 1))
    assert got[64][0] == "multi_year"


def test_n_years_past_carries_to_the_next_sentence():
    got = periods("Phường Phú Thượng\n\nTrong 5 năm qua, cơ cấu kinh tế chuyển dịch đúng hướng. Thu ngân sách đạt "
                  "150 tỷ đồng.", date(2025, 7, 20))
    assert got[150] == ("multi_year", "2020-01-01", "2025-12-31")


def test_months_in_words_and_remaining_months_of_this_year():
    got = periods("Quận Nam Từ Liêm\n\nSáu tháng đầu năm 2019, thu ngân sách đạt 1.200 tỷ đồng. 6 tháng cuối năm, "
                  "quận phấn đấu thu thêm 1.000 tỷ đồng.", date(2019, 7, 10))
    assert got[1200] == ("half_year", "2019-01-01", "2019-06-30")
    assert got[1000] == ("half_year", "2019-07-01", "2019-12-31")


# comparisons -----------------------------------------------------------------------------------

def test_an_absolute_increase_qualifies_the_amount():
    got = extract("Xã Liên Minh\n\nThu nhập bình quân năm 2025 đạt 71 triệu đồng, tăng 23,4 triệu đồng so với năm "
                  "2020.", date(2025, 8, 5)).indicators
    assert [(i.value, i.relation_type, i.qualifies) for i in got] == [(71, None, None), (23.4, "growth_abs", 1)]


def test_a_number_without_its_unit_is_a_misprint_row():
    got = extract("Phường Tây Tựu\n\nThu nhập bình quân đạt 92 triệu đồng/năm, tăng 18,7 so với năm 2020.",
                  date(2025, 8, 5)).indicators
    assert got[1].value is None and got[1].unit is None and "misprint" in got[1].flags
    assert got[1].relation_type == "growth_abs" and got[1].qualifies == 1


# dev-set classes (real reporting, tested in our own words) ---------------------------------------

def test_an_abbreviation_with_a_dot_does_not_end_the_sentence():
    got = figures("Tin\n\nSố thu ngân sách của quận Long Biên, TP. Hà Nội trong 5 tháng qua là 4.100 tỷ đồng.",
                  date(2024, 6, 20))
    assert ("Long Biên", "budget_revenue", 4100, "tỷ đồng", None) in got


def test_growth_named_before_the_word_economy():
    got = figures("Huyện Đông Anh\n\nTăng trưởng sản xuất kinh tế ước đạt 10,2%.", date(2024, 6, 20))
    assert got[0][1] == "economic_growth"


def test_a_share_that_falls_or_rises_to_a_level_and_a_share_in_the_structure():
    got = figures("Xã Quang Minh\n\nĐến năm 2030, xã phấn đấu để tỷ lệ nông nghiệp giảm xuống còn 6%, còn "
                  "thương mại – dịch vụ chiếm khoảng 55% trong cơ cấu kinh tế.", date(2025, 8, 20))
    keys = {v: (k, r) for _, k, v, _, r in got}
    assert keys[6] == ("production_value_agriculture", "share_of_total")
    assert keys[55] == ("production_value_trade_services", "share_of_total")


def test_con_so_before_an_amount_is_the_amount():
    got = figures("Quận Hà Đông\n\nSo với con số 100 tỷ đồng thu ngân sách năm 2008, năm 2023 quận thu được 4.000 tỷ "
                  "đồng.", date(2024, 1, 5))
    assert any(v == 100 and k == "budget_revenue" for _, k, v, _, _ in got)


def test_a_change_in_brackets_after_a_share_qualifies_the_share():
    got = extract("Quận Hoàng Mai\n\nNăm 2020, về cơ cấu kinh tế, dịch vụ chiếm 60,5% (tăng 4,2% so với năm 2015).",
                  date(2020, 8, 1)).indicators
    assert [(i.metric_key, i.value, i.relation_type, i.qualifies) for i in got] == [
        ("production_value_trade_services", 60.5, "share_of_total", None),
        ("production_value_trade_services", 4.2, "growth_vs_period", 1)]


def test_a_share_of_the_economy_is_a_level_at_the_end_of_the_term():
    got = periods("Phường Định Công\n\nNhiệm kỳ 2020-2025, cơ cấu kinh tế chuyển dịch: thương mại - dịch vụ chiếm 88%.",
                  date(2025, 8, 1))
    assert got[88] == ("as_of", None, "2025-12-31")
