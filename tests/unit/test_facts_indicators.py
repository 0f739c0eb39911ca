"""Indicators: metric keys, values, relations, periods, kinds and places."""
from __future__ import annotations

from datetime import date

from parsers.facts import extract

TEXT = """Quận Bắc Từ Liêm: Phát triển toàn diện

6 tháng đầu năm, kinh tế quận Bắc Từ Liêm đạt kết quả tích cực.

Giá trị sản xuất các ngành ước đạt 30.054,4 tỷ đồng, tăng 12,1% so với cùng kỳ. Thu ngân sách ước đạt 1.402 tỷ đồng, đạt 40% dự toán giao.
"""


def inds(text, pub):
    return {(i.metric_key, i.value): i for i in extract(text, pub).indicators}


def rows(text, pub):
    return extract(text, pub).indicators


def test_district_report_sentence():
    got = inds(TEXT, date(2023, 7, 20))
    # one row per printed figure: a growth rate or share of plan after an amount is its own row
    assert set(got) == {("production_value", 30054.4), ("production_value", 12.1),
                        ("budget_revenue", 1402), ("budget_revenue", 40)}
    pv = got[("production_value", 30054.4)]
    assert (pv.unit, pv.kind, pv.place, pv.relation_type, pv.qualifies) == ("tỷ đồng", "estimate", "Bắc Từ Liêm",
                                                                             None, None)
    assert (pv.period_text, pv.period_start, pv.period_end) == ("6 tháng đầu năm", "2023-01-01", "2023-06-30")
    assert pv.period_kind == "half_year" and pv.metric_family == "production"
    g = got[("production_value", 12.1)]
    assert (g.unit, g.relation, g.relation_type, g.qualifies) == ("%", "tăng 12,1% so với cùng kỳ", "growth_yoy", pv.id)
    br = got[("budget_revenue", 1402)]
    share = got[("budget_revenue", 40)]
    assert (share.relation, share.relation_type, share.qualifies) == ("đạt 40% dự toán giao", "share_of_plan", br.id)
    assert [i.id for i in rows(TEXT, date(2023, 7, 20))] == [1, 2, 3, 4]


def test_two_comparisons_on_one_amount_are_two_rows():
    text = ("Quận Long Biên\n\nNăm 2023, tổng thu ngân sách trên địa bàn quận đạt 4.120 tỷ đồng, bằng 108% "
            "dự toán, tăng 11,5% so với cùng kỳ.")
    got = rows(text, date(2024, 1, 5))
    amount = next(i for i in got if i.unit == "tỷ đồng")
    rel = {i.relation_type: i for i in got if i.qualifies == amount.id}
    assert set(rel) == {"share_of_plan", "growth_yoy"}
    assert (rel["share_of_plan"].value, rel["growth_yoy"].value) == (108, 11.5)


def test_ranges_fractions_thousands_and_targets():
    text = ("Quận Tây Hồ hoàn thành 21/21 chỉ tiêu kinh tế - xã hội năm 2023.\n\n"
            "Tổng thu ngân sách 5 năm ước đạt trên 22 nghìn tỷ đồng. Năm 2024, quận phấn đấu "
            "tốc độ tăng giá trị sản xuất đạt 12-13%.")
    got = inds(text, date(2023, 12, 15))
    t = got[("targets_met", 21)]
    assert t.value_denominator == 21 and t.unit == "chỉ tiêu" and t.kind == "actual"
    assert got[("budget_revenue", 22000)].unit == "tỷ đồng"
    g = got[("production_value", 12)]
    assert g.value_max == 13 and g.kind == "target" and g.period_start == "2024-01-01"
    assert g.relation_type == "growth_yoy"


def test_relations_after_growth_and_budget():
    text = ("Quận Bắc Từ Liêm năm 2022\n\nGiá trị sản xuất các ngành ước tăng 12,37% so với cùng kỳ, "
            "vượt 0,36% kế hoạch. Chi ngân sách ước đạt 102% dự toán Thành phố giao, 97,4% dự toán quận giao.")
    got = inds(text, date(2022, 12, 14))
    g = got[("production_value", 12.37)]  # a growth rate standing alone
    assert g.relation_type == "growth_yoy" and g.qualifies is None
    above = got[("production_value", 0.36)]
    assert (above.relation_type, above.qualifies) == ("above_plan", g.id)
    assert got[("budget_expenditure", 102)].relation_type == "share_of_plan"
    assert got[("budget_expenditure", 97.4)].relation_type == "share_of_plan"


def test_place_of_sentence_wins_and_no_place_no_indicator():
    text = ("Quận Hoàng Mai năm 2024\n\nPhường Định Công thu ngân sách đạt 120 tỷ đồng. "
            "Quận thu ngân sách đạt 4.870 tỷ đồng.")
    got = inds(text, date(2024, 10, 16))
    assert got[("budget_revenue", 120)].place == "Định Công"
    assert got[("budget_revenue", 4870)].place == "Hoàng Mai"
    assert inds("Hà Nội thu ngân sách quý I ước đạt 174.600 tỷ đồng.", date(2025, 3, 28)) == {}


def test_not_figures():
    text = ("Quận Tây Hồ\n\nNgày 14/12, hội nghị lần thứ 18 nhiệm kỳ 2020-2025 theo Kế hoạch số 117-KH/QU "
            "và Chỉ thị 15 diễn ra trong 6 tháng; dịch Covid-19 được kiểm soát.")
    assert inds(text, date(2023, 12, 15)) == {}


def test_elliptical_clauses_keep_the_metric():
    text = ("Quận Hà Đông 9 tháng\n\nTổng thu ngân sách trên địa bàn quận đạt 5.215 tỷ đồng; riêng quý III "
            "đạt 1.760 tỷ đồng. Trong đó, phường Dương Nội thu 1.040 tỷ đồng.")
    got = inds(text, date(2024, 10, 9))
    assert got[("budget_revenue", 1760)].place == "Hà Đông"
    assert got[("budget_revenue", 1040)].place == "Dương Nội"


def test_city_wide_and_other_province_figures_are_dropped():
    text = ("Huyện Ba Vì giải ngân\n\nToàn thành phố Hà Nội mới giải ngân được 60,1% kế hoạch vốn. "
            "Huyện Ba Vì giải ngân đạt 71,4%. Các địa phương của tỉnh Hòa Bình như Kim Bôi đón "
            "400 nghìn lượt khách, doanh thu du lịch ước 350 tỷ đồng.")
    got = inds(text, date(2022, 11, 15))
    assert set(got) == {("public_investment_disbursement", 71.4)}


def test_every_printed_figure_is_a_row_and_the_older_reading_drops_restatements():
    # the title and lead print the share and the growth alone; the body after the amounts
    text = ("Quận Đống Đa: thu ngân sách 6 tháng đạt 58% dự toán\n\n"
            "6 tháng đầu năm 2024, quận Đống Đa giải ngân vốn đầu tư công đạt 41% kế hoạch; "
            "doanh thu thương mại – dịch vụ tăng 9% so với cùng kỳ.\n\n"
            "Thu ngân sách ước đạt 6.214 tỷ đồng, bằng 58% dự toán. Vốn đầu tư công đã giải ngân "
            "538 tỷ đồng, đạt 41% kế hoạch. Doanh thu thương mại – dịch vụ ước đạt 61.530 tỷ đồng, "
            "tăng 9% so với cùng kỳ.\n\n"
            "Năm 2025, quận phấn đấu giải ngân đạt 41% kế hoạch vốn trong quý II.")
    body = [("budget_revenue", 6214, False), ("budget_revenue", 58, False),
            ("public_investment_disbursement", 538, False), ("public_investment_disbursement", 41, False),
            ("trade_service_revenue", 61530, False), ("trade_service_revenue", 9, False),
            ("public_investment_disbursement", 41, True)]  # a target is a new figure
    got = rows(text, date(2024, 7, 5))
    assert sorted((i.metric_key, i.value, i.kind == "target") for i in got) == sorted(
        body + [("budget_revenue", 58, False), ("public_investment_disbursement", 41, False),
                ("trade_service_revenue", 9, False)])  # title and lead: printed again
    older = extract(text, date(2024, 7, 5), keep_repeats=False).indicators
    assert sorted((i.metric_key, i.value, i.kind == "target") for i in older) == sorted(body)
    amount = next(i for i in older if i.value == 61530)
    growth = next(i for i in older if i.value == 9)
    assert (growth.relation, growth.qualifies) == ("tăng 9% so với cùng kỳ", amount.id)


def test_comparison_after_an_amount_in_text_without_diacritics():
    text = ("Quan Hoang Mai: thu ngan sach 6 thang dat 52% du toan\n\n"
            "6 thang dau nam 2024 tong thu ngan sach tren dia ban quan Hoang Mai uoc dat 2.310 ty dong, "
            "dat 52% du toan. Gia tri san xuat nganh thuong mai - dich vu tang 9,1% so voi cung ky.")
    got = inds(text, date(2024, 7, 8))
    assert set(got) == {("budget_revenue", 2310), ("budget_revenue", 52), ("production_value_trade_services", 9.1)}
    br = got[("budget_revenue", 2310)]
    share = [i for i in rows(text, date(2024, 7, 8)) if i.value == 52][-1]  # (the title prints it too)
    assert br.unit == "tỷ đồng"
    assert (share.relation, share.relation_type, share.qualifies) == ("dat 52% du toan", "share_of_plan", br.id)
    assert got[("production_value_trade_services", 9.1)].relation_type == "growth_yoy"


def test_comparison_after_an_uncategorised_amount():
    text = ("Huyện Mê Linh phát triển hoa\n\n"
            "Giá trị sản xuất nông nghiệp trên 1 ha đất canh tác của huyện Mê Linh đạt 320 triệu đồng, "
            "tăng 5% so với năm 2022.")
    got = inds(text, date(2023, 12, 28))
    # (round 2: an amount per hectare of land is agri_value_per_ha, in triệu đồng/ha)
    assert set(got) == {("agri_value_per_ha", 320), ("agri_value_per_ha", 5)}
    assert got[("agri_value_per_ha", 320)].unit == "triệu đồng/ha"
    assert got[("agri_value_per_ha", 5)].relation == "tăng 5% so với năm 2022"
    assert got[("agri_value_per_ha", 5)].qualifies == got[("agri_value_per_ha", 320)].id
