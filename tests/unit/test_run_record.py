"""Issue 16: a run's honest status from what its entry points and articles gave, and where each
field of an article came from."""
from __future__ import annotations

import pytest

import parsers
from crawler.discover import EntryYield
from crawler.run_record import entry_outcome, field_states, run_status


def _entry(**kw) -> EntryYield:
    return EntryYield(kind=kw.pop("kind", "feed"), url="https://x.vn/rss", **kw)


@pytest.mark.parametrize("entry, outcome", [
    (_entry(), None),
    (_entry(pages=1, failed=1, error="transport: ConnectError"), "failed"),
    (_entry(pages=1, failed=1, status=404, error="HTTP 404"), "failed"),
    (_entry(pages=1, answered=1, status=200, links=20, items=20), "ok"),
    (_entry(pages=1, not_modified=1, status=304), "unchanged"),
    (_entry(kind="sitemap", pages=1, answered=1, status=200, children=12), "unchanged"),
    (_entry(pages=1, answered=1, status=200, links=15), "no_match"),
    (_entry(pages=1, answered=1, status=200), "empty"),
])
def test_entry_outcome(entry, outcome):
    assert entry_outcome(entry) == outcome


def test_run_status():
    ok = _entry(pages=1, answered=1, status=200, links=3, items=3)
    same = _entry(pages=1, not_modified=1, status=304)
    down = _entry(pages=1, failed=1, error="transport: ConnectError")
    empty = _entry(pages=1, answered=1, status=200)
    kw = dict(reached_articles=0, article_failures=0, parse_failures=0, paused=False)
    assert run_status([ok, same], **kw)[0] == "ok"
    assert run_status([same], **kw)[0] == "ok"  # nothing new: fine
    assert run_status([ok, down], **kw)[0] == "degraded"
    assert run_status([empty], **kw)[0] == "degraded"  # answered: reached, but nothing found
    assert run_status([down, down], **kw)[0] == "failed"
    assert run_status([], **kw)[0] == "failed"  # paused before the first request
    assert run_status([down], **{**kw, "reached_articles": 2})[0] == "degraded"  # revisits answered
    assert run_status([ok], **{**kw, "parse_failures": 1})[0] == "degraded"
    assert run_status([ok], **{**kw, "article_failures": 1})[0] == "degraded"
    status, counts = run_status([ok, down, empty], **kw)
    assert counts == {"entry_points": 3, "entry_points_answered": 2, "entry_points_failed": 1,
                      "entry_points_empty": 1}


PAGE = """<html><head><meta property="og:title" content="Quận Tây Hồ hoàn thành 21/21 chỉ tiêu">
</head><body><div class="title_new_nav"><span><a><span>Thời sự</span></a></span></div>
<h1 class="title_detail">Quận Tây Hồ hoàn thành 21/21 chỉ tiêu</h1>
<div class="tool"><i>Thứ sáu, 15/12/2023 08:30</i></div>
<p class="sabo">Năm 2023, quận Tây Hồ hoàn thành toàn bộ 21 chỉ tiêu kinh tế - xã hội.</p>
<div class="detail_info"><p>Theo báo cáo của UBND quận Tây Hồ, thu ngân sách trên địa bàn đạt 4.120 tỷ
đồng, bằng 104% dự toán; tổng vốn đầu tư công giải ngân đạt 92% kế hoạch năm.</p>
<p>Quận tiếp tục chỉnh trang các tuyến phố ven hồ và hoàn thành cải tạo hai trường học.</p>
<p style="text-align: right"><strong>Minh Quân</strong></p></div></body></html>"""
URL = "https://laodongthudo.vn/tay-ho-hoan-thanh-21-chi-tieu-163999.html"


def test_field_sources_name_the_step_that_gave_each_field():
    a = parsers.parse(PAGE, URL)
    assert a.field_sources == {"title": "meta", "sapo": "profile", "date": "profile", "author": "profile",
                               "body": "profile", "category": "profile"}
    facts = parsers.extract_facts(a.body_text or "", None)
    assert set(field_states(a, facts).values()) == {"ok"}


def test_a_renamed_container_is_reported_as_the_generic_fallback():
    page = PAGE.replace('class="detail_info"', 'class="noi-dung"').replace('class="sabo"', 'class="lead"')
    a = parsers.parse(page, URL)
    assert a.field_sources["body"] == "generic" and a.extraction == "generic"
    assert a.field_sources["sapo"] == "generic"  # the profile's .sabo is gone; the generic .lead
    states = field_states(a, None)
    assert states["body"] == "fallback" and states["sapo"] == "fallback" and states["place"] == "missing"
    # a page without a profile never counts as a fallback: the generic extractor is all it has
    b = parsers.parse(page, "https://example.org/bai-viet-1.html")
    assert b.parser == "generic" and "fallback" not in field_states(b, None).values()
