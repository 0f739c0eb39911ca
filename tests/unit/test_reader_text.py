"""The reader's text helpers: figures found where they are printed, bylines as names, the
kind of a period from its bounds, what changed between versions."""
from __future__ import annotations

import sqlite3

import pytest

from crawler.publish.article_text import (locate, marked_paragraphs, names, paragraphs,
                                          version_changes, vn_number)
from crawler.publish.figures_sql import period_kind_sql


def fig(id, value, unit, sentence="", **more):
    return {"id": id, "value": value, "unit": unit, "sentence": sentence, **more}


@pytest.mark.parametrize("value, printed", [
    (4520.0, ["4.520", "4520"]), (58.6, ["58,6"]), (118600.0, ["118.600", "118600"]),
    (0.5, ["0,5"]), (12.0, ["12"]), (81289.961, ["81.289,961", "81289,961"]),
])
def test_numbers_as_vietnamese_papers_print_them(value, printed):
    assert vn_number(value) == printed


def test_a_figure_is_marked_with_its_unit_range_and_relation():
    text = ("Năm 2024, thu ngân sách đạt 4.520 tỷ đồng, bằng 112% dự toán; doanh thu tăng "
            "8-8,5%; hoàn thành 18/18 chỉ tiêu.")
    spans = locate(text, [
        fig(1, 4520.0, "tỷ đồng", relation="bằng 112% dự toán"),
        fig(2, 8.0, "%", value_max=8.5),
        fig(3, 18.0, "chỉ tiêu", value_denominator=18.0)])
    got = [(text[s.start:s.end], s.figure_id, s.role) for s in spans]
    assert got == [("4.520 tỷ đồng", 1, "value"), ("bằng 112% dự toán", 1, "relation"),
                   ("8-8,5%", 2, "value"), ("18/18 chỉ tiêu", 3, "value")]


def test_thousands_of_billions_and_numbers_inside_other_numbers():
    text = "Tổng thu đạt 12,4 nghìn tỷ đồng; năm 2012 thu 124 tỷ đồng."
    spans = locate(text, [fig(1, 12400.0, "tỷ đồng"), fig(2, 124.0, "tỷ đồng")])
    assert [text[s.start:s.end] for s in spans] == ["12,4 nghìn tỷ đồng", "124 tỷ đồng"]


def test_a_figure_is_looked_for_in_its_own_sentence_first():
    text = "Quý I thu 200 tỷ đồng. Quý II thu 200 tỷ đồng, vượt kế hoạch."
    spans = locate(text, [fig(7, 200.0, "tỷ đồng", "Quý II thu 200 tỷ đồng, vượt kế hoạch.")])
    assert spans[0].start == text.index("Quý II") + len("Quý II thu ")


def test_a_figure_whose_sentence_is_nowhere_is_marked_only_with_its_unit():
    blocks = ["Ngày 8/1, quận tổ chức hội nghị.", "Tăng trưởng kinh tế đạt 8% so với cùng kỳ."]
    rendered, found = marked_paragraphs(
        blocks, [fig(5, 8.0, "%", "Câu này không có trong bài.")], href=lambda i: f"/f/{i}",
        title=lambda i: "tăng trưởng")
    assert found == {5}
    assert "<mark" not in rendered[0]
    assert '<mark class="figure" id="fig-5" data-figure="5"><a href="/f/5" title="tăng trưởng">8%' \
        in rendered[1]


def test_marked_text_is_escaped():
    blocks = ['<script>alert(1)</script> thu 300 tỷ đồng "x"']
    rendered, _ = marked_paragraphs(blocks, [fig(1, 300.0, "tỷ đồng")],
                                    href=lambda i: "/f/1", title=lambda i: '"quoted"')
    html = str(rendered[0])
    assert "<script>" not in html and "&lt;script&gt;" in html
    assert 'title="&#34;quoted&#34;"' in html


@pytest.mark.parametrize("stored, people", [
    ('["Khánh Linh", "Thu Trang"]', ["Khánh Linh", "Thu Trang"]),
    ("Khánh Linh ; Thu Trang", ["Khánh Linh", "Thu Trang"]),
    ("Đức Hùng", ["Đức Hùng"]), ("[]", []), (None, []), ("", []),
])
def test_bylines_become_names(stored, people):
    assert names(stored) == people


def test_paragraphs():
    assert paragraphs("Một.\n\nHai.\n  \nBa.\nBốn.") == ["Một.", "Hai.", "Ba.", "Bốn."]


@pytest.mark.parametrize("start, end, kind", [
    ("2024-01-01", "2024-12-31", "year"), ("2024-01-01", "2024-06-30", "half_year"),
    ("2024-07-01", "2024-12-31", "half_year"), ("2024-04-01", "2024-06-30", "quarter"),
    ("2024-01-01", "2024-09-30", "nine_months"), ("2024-01-01", "2024-10-31", "year_to_date"),
    ("2024-03-01", "2024-03-31", "month"), ("2021-01-01", "2025-12-31", "multi_year"),
    (None, "2025-12-31", "as_of"), ("2024-02-15", "2024-05-20", "range"),
    ("2024-02-01", "2024-05-31", "range"), (None, None, None),
])
def test_period_kind_from_the_bounds(start, end, kind):
    conn = sqlite3.connect(":memory:")
    sql = period_kind_sql(":start", ":end")
    assert conn.execute(f"select {sql}", {"start": start, "end": end}).fetchone()[0] == kind


def test_version_changes():
    c = version_changes({"title": "A", "body_text": "thu ngân sách đạt 58% dự toán"},
                        {"title": "B", "body_text": "thu ngân sách đạt 58,6% dự toán năm nay"})
    assert c["title_changed"]
    assert (c["words_added"], c["words_removed"]) == (3, 1)
    assert c["passages"][0][1:3] == ("58%", "58,6%")
    assert c["passages"][1][2] == "năm nay"
