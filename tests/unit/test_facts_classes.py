"""Issue 14: the seven classes of failures on real reporting, one test per class (texts in our
own words, invented names and numbers)."""
from __future__ import annotations

from datetime import date

from parsers.facts import extract


def rows(text: str, pub: date):
    return extract(text, pub).indicators


def by_value(text: str, pub: date):
    return {i.value: i for i in rows(text, pub)}


# 1. metrics named -------------------------------------------------------------------------

def test_sectors_components_and_named_metrics_get_their_keys():
    text = ("Huyện Thanh Oai 6 tháng đầu năm 2024\n\n"
            "Giá trị sản xuất công nghiệp – xây dựng ước đạt 4.310 tỷ đồng; giá trị sản xuất thương mại – "
            "dịch vụ đạt 2.150 tỷ đồng. Tổng mức bán lẻ hàng hóa và doanh thu dịch vụ tiêu dùng đạt 3.020 tỷ đồng. "
            "Loại trừ tiền sử dụng đất, tổng thu ngân sách đạt 512 tỷ đồng. Chi thường xuyên đạt 230 tỷ đồng. "
            "Tốc độ tăng trưởng kinh tế đạt 7,6%. Dự án trường tiểu học có tổng mức đầu tư 96 tỷ đồng.")
    got = by_value(text, date(2024, 7, 10))
    assert got[4310].metric_key == "production_value_industry_construction"
    assert got[2150].metric_key == "production_value_trade_services"
    assert got[3020].metric_key == "retail_sales"
    assert got[512].metric_key == "budget_revenue_excl_land"
    assert got[230].metric_key == "budget_expenditure_recurrent"
    assert got[7.6].metric_key == "economic_growth" and got[7.6].metric_family == "production"
    assert got[96].metric_key == "project_capital"


def test_average_annual_growth_over_a_term():
    text = ("Huyện Quốc Oai nhiệm kỳ 2020-2025\n\n"
            "Nhiệm kỳ 2020-2025, tổng giá trị sản xuất trên địa bàn tăng bình quân 9,4%/năm; tổng thu ngân "
            "sách giai đoạn 2020-2025 đạt 6.200 tỷ đồng.")
    got = by_value(text, date(2025, 5, 20))
    g = got[9.4]
    assert (g.metric_key, g.relation_type, g.period_kind) == ("production_value", "avg_annual_growth", "average_annual")
    t = got[6200]
    assert (t.period_kind, t.period_start, t.period_end) == ("multi_year", "2020-01-01", "2025-12-31")


# 2. every comparison kept ------------------------------------------------------------------

def test_every_comparison_on_an_amount_and_multiples_are_rows():
    text = ("Quận Hoàng Mai năm 2023\n\n"
            "Năm 2023, tổng thu ngân sách trên địa bàn quận đạt 6.120 tỷ đồng, bằng 104% dự toán Thành phố giao, "
            "bằng 98% dự toán quận giao, tăng 7,5% so với cùng kỳ, gấp gần 3 lần năm 2015.")
    got = rows(text, date(2024, 1, 8))
    amount = next(i for i in got if i.value == 6120)
    rel = sorted((i.value, i.unit, i.relation_type, i.approx) for i in got if i.qualifies == amount.id)
    assert rel == [(3, "lần", "multiple", "nearly"), (7.5, "%", "growth_yoy", None),
                   (98, "%", "share_of_plan", None), (104, "%", "share_of_plan", None)]


def test_ratio_to_last_year_is_not_a_share_of_plan():
    text = "Huyện Phú Xuyên năm 2019\n\nTổng giá trị sản xuất đạt 8.120 tỷ đồng, bằng 106,2% so với cùng kỳ năm 2018."
    assert by_value(text, date(2020, 1, 10))[106.2].relation_type == "ratio_yoy"


# 3. numbers --------------------------------------------------------------------------------

def test_compound_amounts_qualifiers_and_misprints():
    text = ("Xã Tam Hưng năm 2025\n\n"
            "Năm 2025, xã thu ngân sách được 61 tỷ 250 triệu đồng. Chi ngân sách đạt hơn 40 tỷ đồng. "
            "Giá trị sản xuất đạt khoảng 1.200 tỷ đồng. Tổng chi đầu tư phát triển đạt 2.4567 tỷ đồng. "
            "Vốn đầu tư công được giao là 874.500 triệu đồng.")
    got = rows(text, date(2025, 12, 20))
    assert [(i.value, i.unit) for i in got if i.metric_key.startswith("budget_revenue")][0] == (61.25, "tỷ đồng")
    assert not any(i.value == 250 for i in got)  # one figure, not two
    approx = {i.value: i.approx for i in got}
    assert approx[40] == "over" and approx[1200] == "about"
    bad = [i for i in got if "misprint" in i.flags]
    assert len(bad) == 1 and bad[0].value is None and bad[0].metric_key == "budget_expenditure_investment"
    assert any(i.value == 874.5 and i.unit == "tỷ đồng" for i in got)  # triệu đồng amount in tỷ đồng


# 4. chains ---------------------------------------------------------------------------------

def test_chain_with_the_head_noun_in_the_sentence_before():
    text = ("Huyện Gia Lâm 9 tháng năm 2024\n\n"
            "Giá trị sản xuất các ngành 9 tháng ước đạt 15.400 tỷ đồng, tăng 8,1% so với cùng kỳ. Trong đó, "
            "công nghiệp – xây dựng ước đạt 9.100 tỷ đồng, tăng 7%; thương mại – dịch vụ đạt 5.600 tỷ đồng, "
            "tăng 10,2%; nông nghiệp đạt 700 tỷ đồng, tăng 2,1%.")
    got = by_value(text, date(2024, 10, 8))
    assert got[9100].metric_key == "production_value_industry_construction"
    assert got[5600].metric_key == "production_value_trade_services"
    assert got[700].metric_key == "production_value_agriculture"
    assert got[10.2].metric_key == "production_value_trade_services" and got[10.2].qualifies == got[5600].id
    structure = by_value("Huyện Mê Linh năm 2024\n\nCơ cấu kinh tế: công nghiệp – xây dựng chiếm 71%; "
                         "thương mại – dịch vụ 21%; nông nghiệp chiếm 8%.", date(2024, 12, 20))
    assert {v: (i.metric_key, i.relation_type) for v, i in structure.items()} == {
        71: ("production_value_industry_construction", "share_of_total"),
        21: ("production_value_trade_services", "share_of_total"),
        8: ("production_value_agriculture", "share_of_total")}


# 5. officials ------------------------------------------------------------------------------

def test_memberships_abbreviations_and_former_roles():
    text = ("Xã Phượng Dực tổ chức đại hội\n\n"
            "Dự đại hội có đồng chí Lê Quang Vĩnh, Ủy viên Bộ Chính trị, Bí thư Thành ủy Hà Nội; đồng chí "
            "Trần Văn Thạch, nguyên Ủy viên Trung ương Đảng, nguyên Chủ tịch UBND thành phố Hà Nội. "
            "PCT UBND xã Phượng Dực Đỗ Thị Nga báo cáo. Bí thư Đảng ủy, Chủ tịch HĐND xã Phạm Văn Cường "
            "phát biểu.")
    people = {o.name: o for o in extract(text, date(2025, 8, 20)).officials}
    assert (people["Lê Quang Vĩnh"].title, people["Lê Quang Vĩnh"].organisation) == ("Bí thư", "Thành ủy Hà Nội")
    t = people["Trần Văn Thạch"]
    assert (t.title, t.organisation, t.is_former) == ("Chủ tịch", "UBND thành phố Hà Nội", True)
    assert (people["Đỗ Thị Nga"].title, people["Đỗ Thị Nga"].organisation) == ("Phó Chủ tịch", "UBND xã Phượng Dực")
    # a ward's officials belong to the new unit, spelt out from the article's unit
    assert people["Phạm Văn Cường"].organisation == "Đảng ủy xã Phượng Dực"


# 6. places ---------------------------------------------------------------------------------

def test_a_merger_list_names_many_units_in_passing_and_one_primary():
    text = ("Phường Ô Chợ Dừa tổ chức đại hội\n\n"
            "Phường Ô Chợ Dừa được thành lập trên cơ sở nhập các phường: Ô Chợ Dừa, Hàng Bột, Cát Linh, "
            "Văn Miếu – Quốc Tử Giám, Trung Liệt (quận Đống Đa cũ), và Thành Công (quận Ba Đình cũ).")
    places = extract(text, date(2025, 8, 5)).places
    assert [p.name for p in places if p.is_primary] == ["Ô Chợ Dừa"]
    names = {(p.name, p.type) for p in places}
    assert {("Hàng Bột", "phường"), ("Trung Liệt", "phường"), ("Thành Công", "phường"),
            ("Đống Đa", "quận"), ("Ba Đình", "quận")} <= names


# 7. periods --------------------------------------------------------------------------------

def test_half_year_range_as_of_and_term_periods():
    text = ("Phường Xuân Phương\n\n"
            "Từ 1/7 đến 31/12/2025, phường thu ngân sách đạt 96 tỷ đồng. Tính đến ngày 15/11, phường giải ngân "
            "42 tỷ đồng vốn đầu tư công. Nhiệm kỳ vừa qua, tổng thu ngân sách đạt 410 tỷ đồng.")
    got = by_value(text, date(2026, 1, 12))
    assert (got[96].period_kind, got[96].period_start, got[96].period_end) == ("half_year", "2025-07-01", "2025-12-31")
    assert (got[42].period_kind, got[42].period_end) == ("as_of", "2025-11-15")
    assert got[410].period_kind == "multi_year"
