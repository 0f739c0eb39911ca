"""Benchmark: publish a generated archive through Datasette and time what readers do.

    .venv/bin/python bench/bench_serve.py                    # 1,000,000 articles
    .venv/bin/python bench/bench_serve.py --articles 200000  # smaller run
    .venv/bin/python bench/bench_serve.py --db /tmp/b.db --reuse   # skip generation

Generates an archive (crawler.migrations + the real gazetteer) with realistic Vietnamese
text, places, officials and indicators, runs ``publish`` (FTS, article_index, optimise,
snapshot), serves it with uvicorn on 127.0.0.1 (a process of its own) and measures over HTTP: median/p95 of a
two-word search (target p95 < 100 ms), a faceted table page (target p95 < 300 ms) and a
canned query; database size per 1,000 articles; time to publish and to export.
``first_ms`` is the first request of each URL (nothing cached: what a page nobody asked for
costs); median/p95 are repeated requests; ``after_write_*`` are requests each made right
after a one-article commit, as while the crawler writes (crawler/publish/plugins/query_cache.py answers
with the counts/facets cached before the commit and recounts in the background; run with
HANOI_NEWS_COUNTS_MAX_STALE=0 to measure exact recounting instead).

The reader's pages are timed too: the place page of the most and of the least tagged
district and an article page (``reader_pages``). ``--baseline ../main`` also serves the same
archive with another checkout's code and times the news view, those place pages and that
article page on both servers in turn (``side_by_side``; on a checkout without the reader's
pages they are Datasette's stock row pages); ``--only-reader`` skips the rest:

    .venv/bin/python bench/bench_serve.py --reuse --no-export --no-snapshot \
        --baseline ../main --only-reader

This module also holds the archive factory the tests use (``build_archive``, ``add_article``,
``build_test_archive``, ``add_reader_articles``).
"""
from __future__ import annotations

import argparse
import json
import math
import random
import socket
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time
from urllib.parse import urlencode
from datetime import datetime, timedelta, timezone
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from sqlite_utils import Database  # noqa: E402

from crawler.migrations import migrate_archive  # noqa: E402
from crawler.publish.search_pairs import sync_pairs  # noqa: E402
from parsers.textnorm import fold  # noqa: E402

TZ = timezone(timedelta(hours=7))

SOURCES = [
    ("laodongthudo", "Lao Động Thủ Đô", "https://laodongthudo.vn/"),
    ("hanoimoi", "Hà Nội Mới", "https://hanoimoi.vn/"),
    ("kinhtedothi", "Kinh tế & Đô thị", "https://kinhtedothi.vn/"),
    ("anninhthudo", "An ninh Thủ đô", "https://anninhthudo.vn/"),
]
CATEGORIES = ["Chính trị", "Kinh tế", "Xã hội", "Đô thị", "Văn hóa", "Giáo dục", "Y tế",
              "Pháp luật", "Quận huyện"]
# Frequent news words, the kind that make unquoted folded two-word searches imprecise.
WORDS = (
    "đã đồng đông năm người dân được các của và trong cho với có này là một những để khi "
    "tại về từ theo đến nhiều hơn cũng như đang sẽ thực hiện công tác triển khai kế hoạch "
    "phát triển kinh tế xã hội địa bàn thành phố quận huyện phường xã cán bộ nhân dân "
    "chính quyền Ủy ban Hội đồng tổ chức hội nghị tổng kết đánh giá kết quả nhiệm vụ giải "
    "pháp trọng tâm năm nay đạt chỉ tiêu tăng giảm so với cùng kỳ dự án đầu tư xây dựng "
    "hạ tầng giao thông đô thị môi trường vệ sinh an toàn thực phẩm giáo dục y tế văn hóa "
    "thể thao an ninh trật tự phòng cháy chữa cháy chuyển đổi số cải cách hành chính "
    "người cao tuổi gia đình chính sách hộ nghèo đoàn viên thanh niên phụ nữ cựu chiến "
    "binh mặt trận tổ quốc đảng bộ chi bộ nghị quyết đại hội bầu cử đất đai quy hoạch "
    "nông thôn mới sản xuất nông nghiệp làng nghề du lịch di tích lễ hội trường học học "
    "sinh giáo viên bệnh viện trạm y tế tiêm chủng dịch bệnh đường phố vỉa hè cây xanh "
    "nước sạch điện chiếu sáng rác thải"
).split()
FAMILY = ["Nguyễn", "Trần", "Lê", "Phạm", "Hoàng", "Vũ", "Đặng", "Bùi", "Đỗ", "Ngô"]
MIDDLE = ["Văn", "Thị", "Hữu", "Đức", "Minh", "Quang", "Thanh", "Ngọc"]
GIVEN = ["Tuấn", "Hùng", "Lan", "Hương", "Dũng", "Hải", "Thắng", "Tuyên", "Hà", "Long"]
TITLES = ["Chủ tịch UBND", "Phó Chủ tịch UBND", "Bí thư Quận ủy", "Bí thư Huyện ủy",
          "Chủ tịch HĐND"]
METRICS = [("thu ngân sách", "budget_revenue", "tỷ đồng", 300, 20000),
           ("giá trị sản xuất các ngành", "production_value", "tỷ đồng", 5000, 90000),
           ("tốc độ tăng trưởng kinh tế", "growth_rate", "%", 3, 12),
           ("vốn đầu tư công giải ngân", "public_investment_disbursed", "tỷ đồng", 100, 5000)]


_VOCAB = sorted(set(WORDS), key=lambda w: random.Random(w).random())  # ranks shuffled
_CUM = list(__import__("itertools").accumulate(1 / (r + 12) for r in range(len(_VOCAB))))


def _zipf_words(rng: random.Random, n: int) -> list[str]:
    # Zipf-like (p ∝ 1/(rank+12)): the commonest syllable is ~2.5 % of the text, as in news
    return rng.choices(_VOCAB, cum_weights=_CUM, k=n)


def _sentence(rng: random.Random, n: int) -> str:
    w = _zipf_words(rng, n)
    return (w[0][0].upper() + w[0][1:] + " " + " ".join(w[1:]) + ".") if w else ""


def _places(db: Database) -> list[dict]:
    return [dict(r) for r in db.query(
        "select id, name, full_name, type from places where level = 'district' "
        "or type in ('quận', 'huyện', 'thị xã') order by id")]


def prepare(db: Database) -> None:
    """Schema + gazetteer + sources."""
    migrate_archive(db)
    from crawler.facts_store import ensure_gazetteer

    ensure_gazetteer(db)
    db["sources"].upsert_all(
        [{"id": i, "name": n, "base_url": u, "licence": "© " + n, "licence_url": u,
          "attribution": n, "parser": i, "enabled": 1} for i, n, u in SOURCES], pk="id")


def add_article(db: Database, *, id: str, title: str, body_text: str, sapo: str = "",
                source: str = "hanoimoi", published_at: str = "2024-05-01T08:00:00+07:00",
                category: str = "Quận huyện", places: list[str] = (), url: str | None = None,
                indicators: list[dict] = (), officials: list[dict] = ()) -> None:
    """Insert one article and its facts in one transaction, as the crawler does.

    ``places``: gazetteer full names or ids (the first one is the main place).
    """
    with db.atomic():
        db["articles"].upsert({
            "id": id, "source": source, "url": url or f"https://{source}.vn/{id}.html",
            "canonical_url": url or f"https://{source}.vn/{id}.html", "title": title,
            "sapo": sapo, "body_text": body_text, "published_at": published_at,
            "fetched_at": datetime.now(timezone.utc).isoformat(timespec="seconds"),
            "first_seen_at": datetime.now(timezone.utc).isoformat(timespec="seconds"),
            "category": category, "status": "live", "version": 1, "parser": source,
            "word_count": len(body_text.split()), "date_source": "json-ld",
            "search_fold": fold(" ".join(p for p in (title, sapo, body_text) if p)),
        }, pk="id")
        sync_pairs(db)
        for table in ("article_places", "indicators", "article_officials"):
            db.execute(f"delete from {table} where article_id = ?", [id])
        main_id = None
        for i, ref in enumerate(places):
            row = db.execute(
                "select id, name, type from places where id = ? or full_name = ? "
                "order by valid_to is null, id limit 1", [ref, ref]).fetchone()
            if not row:
                raise ValueError(f"unknown place {ref}")
            main_id = main_id or row[0]
            db["article_places"].upsert({
                "article_id": id, "place_id": row[0], "name": row[1], "type": row[2],
                "mentions": 3 - min(i, 2), "is_primary": int(i == 0), "first_offset": i * 50,
            }, pk=("article_id", "place_id"))
        for j, ind in enumerate(indicators):
            db["indicators"].insert({"article_id": id, "position": j, **ind,
                                     "place_id": ind.get("place_id") or main_id}, pk="id")
        for o in officials:
            oid = fold(o["name"]).replace(" ", "-")
            db["officials"].upsert({"id": oid, "name": o["name"],
                                    "ascii_name": fold(o["name"])}, pk="id")
            db["article_officials"].upsert({"article_id": id, "official_id": oid, **o},
                                           pk=("article_id", "official_id"))


def build_archive(path: str | Path, n: int, *, seed: int = 1, publish: bool = True,
                  progress: bool = False) -> Database:
    """A generated archive of ``n`` articles at ``path`` (bulk insert, then search build)."""
    rng = random.Random(seed)
    db = Database(path)
    db.execute("pragma journal_mode=wal")
    prepare(db)
    places = _places(db)
    start = datetime(2019, 1, 1, tzinfo=TZ)
    span = int((datetime(2026, 11, 1, tzinfo=TZ) - start).total_seconds())
    conn = db.conn
    conn.execute("pragma synchronous=off")
    batch_a, batch_p, batch_i, batch_o, officials = [], [], [], [], {}
    ind_id = 0
    t0 = time.time()

    def flush():
        with conn:
            conn.executemany(
                "insert into articles (id, source, url, canonical_url, site_article_id, title,"
                " sapo, body_text, authors, published_at, first_seen_at, fetched_at, category,"
                " image_count, word_count, status, version, parser, date_source, search_fold)"
                " values (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)", batch_a)
            conn.executemany(
                "insert or ignore into article_places (article_id, place_id, name, type,"
                " mentions, is_primary, first_offset) values (?,?,?,?,?,?,?)", batch_p)
            conn.executemany(
                "insert into indicators (id, article_id, position, place_id, place, metric,"
                " metric_key, value, unit, period_text, period_start, period_end, relation,"
                " relation_type, relation_value, kind, sentence)"
                " values (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)", batch_i)
            conn.executemany(
                "insert or ignore into officials (id, name, ascii_name) values (?,?,?)",
                [(k, v, fold(v)) for k, v in officials.items()])
            conn.executemany(
                "insert or ignore into article_officials (article_id, official_id, name, title,"
                " organisation, roles, place_id, is_former, sentence)"
                " values (?,?,?,?,?,?,?,?,?)", batch_o)
        batch_a.clear(), batch_p.clear(), batch_i.clear(), batch_o.clear(), officials.clear()

    for k in range(n):
        src = SOURCES[k % len(SOURCES)][0]
        aid = f"{src}:{1000000 + k}"
        pub = start + timedelta(seconds=rng.randrange(span))
        main = places[min(int(rng.paretovariate(0.9)) - 1, len(places) - 1)
                      if rng.random() < 0.5 else rng.randrange(len(places))]
        other = rng.choice(places)
        title = f"{main['full_name']}: {_sentence(rng, rng.randint(6, 12))[:-1]}"
        sapo = _sentence(rng, rng.randint(20, 35))
        paras = []
        for _ in range(rng.randint(5, 9)):
            paras.append(" ".join(_sentence(rng, rng.randint(10, 22))
                                  for _ in range(rng.randint(3, 5))))
        paras.insert(1, f"Theo báo cáo của UBND {main['full_name'].lower()}, "
                        f"{_sentence(rng, 15)}")
        if rng.random() < 0.3:
            paras.append(f"Đồng chí cũng làm việc với {other['full_name']}. {_sentence(rng, 12)}")
        ind_rows = []
        if rng.random() < 0.25:
            label, key, unit, lo, hi = rng.choice(METRICS)
            year = pub.year if pub.month > 3 else pub.year - 1
            value = round(rng.uniform(lo, hi), 1)
            pct = rng.randint(40, 130)
            sent = (f"{label.capitalize()} trên địa bàn {main['full_name'].lower()} năm {year} "
                    f"đạt {value:,.1f} {unit}, bằng {pct}% dự toán.").replace(",", "X") \
                .replace(".", ",").replace("X", ".")
            paras.insert(2, sent)
            ind_id += 1
            ind_rows.append((ind_id, aid, 0, main["id"], main["name"], label, key, value, unit,
                             f"năm {year}", f"{year}-01-01", f"{year}-12-31",
                             f"bằng {pct}% dự toán", "share_of_plan", pct,
                             rng.choice(["actual", "actual", "estimate", "target"]), sent))
        if rng.random() < 0.2:
            name = f"{rng.choice(FAMILY)} {rng.choice(MIDDLE)} {rng.choice(GIVEN)}"
            oid = fold(name).replace(" ", "-")
            officials[oid] = name
            t = rng.choice(TITLES)
            sent = f"Đồng chí {name}, {t} {main['full_name']} phát biểu tại hội nghị."
            paras.append(sent)
            batch_o.append((aid, oid, name, t, f"UBND {main['full_name']}", t, main["id"], 0,
                            sent))
        body = "\n\n".join(paras)
        batch_a.append((aid, src, f"https://{src}.vn/a-{1000000 + k}.html",
                        f"https://{src}.vn/a-{1000000 + k}.html", str(1000000 + k), title, sapo,
                        body, f"{rng.choice(FAMILY)} {rng.choice(GIVEN)}",
                        pub.isoformat(timespec="seconds"), pub.isoformat(timespec="seconds"),
                        pub.isoformat(timespec="seconds"), rng.choice(CATEGORIES),
                        rng.randint(0, 8), len(body.split()), "live", 1, src, "json-ld",
                        fold(" ".join((title, sapo, body)))))
        batch_p.append((aid, main["id"], main["name"], main["type"], 3, 1, 0))
        if other["id"] != main["id"] and rng.random() < 0.3:
            batch_p.append((aid, other["id"], other["name"], other["type"], 1, 0, 900))
        batch_i.extend(ind_rows)
        if len(batch_a) >= 5000:
            flush()
            if progress:
                print(f"  generated {k + 1:,} articles ({time.time() - t0:.0f} s)",
                      file=sys.stderr)
    flush()
    from crawler.facts_store import upgrade_archive

    with conn:  # relation rows and claims from the rows above (issue 14; no clusters: too slow at 1M)
        upgrade_archive(db, with_clusters=False)
    conn.execute("pragma synchronous=normal")
    if publish:
        from crawler.publish.search_index import ensure_search

        ensure_search(db)
    return db


XSS_TITLE = '<script>window.__xss = 1</script>Tiêu đề <b>độc hại</b>'
XSS_BODY = ('<img src=x onerror="window.__xss = 2"> <a href="javascript:window.__xss=3">bấm</a> '
            '<svg onload="window.__xss = 4"></svg> "><script>window.__xss = 5</script>')


def build_test_archive(path: str | Path, filler: int = 60) -> Database:
    """Small archive for tests: generated filler plus hand-written articles whose search
    results are known (accent traps, a stored XSS payload, indicators, officials)."""
    db = build_archive(path, filler, publish=False)
    add_article(
        db, id="hanoimoi:101", source="hanoimoi",
        title="Quận Đống Đa tổng kết công tác năm 2024",
        sapo="Ngày 20/12, UBND quận Đống Đa tổ chức hội nghị tổng kết.",
        body_text="Thu ngân sách trên địa bàn quận Đống Đa năm 2024 đạt 4.520 tỷ đồng, "
                  "bằng 112% dự toán. Chủ tịch UBND quận Đống Đa Nguyễn Văn Tuấn phát biểu.",
        published_at="2024-12-20T09:30:00+07:00", places=["Quận Đống Đa"],
        indicators=[{"place_id": None, "place": "Đống Đa", "metric": "thu ngân sách",
                     "metric_key": "budget_revenue", "value": 4520.0, "unit": "tỷ đồng",
                     "period_text": "năm 2024", "period_start": "2024-01-01",
                     "period_end": "2024-12-31", "relation": "bằng 112% dự toán",
                     "relation_type": "share_of_plan", "relation_value": 112.0,
                     "kind": "actual", "sentence": "Thu ngân sách ... đạt 4.520 tỷ đồng"}],
        officials=[{"name": "Nguyễn Văn Tuấn", "title": "Chủ tịch UBND",
                    "organisation": "UBND quận Đống Đa", "is_former": 0,
                    "sentence": "Chủ tịch UBND quận Đống Đa Nguyễn Văn Tuấn phát biểu."}])
    add_article(
        db, id="hanoimoi:102", source="hanoimoi",
        title="Hội đồng nhân dân quận Cầu Giấy họp kỳ cuối năm",
        sapo="Hội đồng đã thông qua 12 nghị quyết.",
        body_text="Tại kỳ họp, Hội đồng đã thông qua nghị quyết về dự toán. Đồng chí Chủ "
                  "tịch đã phát biểu; người dân đồng tình.",
        published_at="2024-12-21T10:00:00+07:00", places=["Quận Cầu Giấy"])
    add_article(
        db, id="kinhtedothi:201", source="kinhtedothi",
        title="Bắc Từ Liêm khởi công trường học mới",
        sapo="Quận Bắc Từ Liêm khởi công trường tiểu học tại phường Cổ Nhuế.",
        body_text="Thu ngân sách quận Bắc Từ Liêm năm 2023 đạt 3.100 tỷ đồng.",
        published_at="2023-11-02T08:00:00+07:00", places=["Quận Bắc Từ Liêm"],
        indicators=[{"place": "Bắc Từ Liêm", "metric": "thu ngân sách",
                     "metric_key": "budget_revenue", "value": 3100.0, "unit": "tỷ đồng",
                     "period_text": "năm 2023", "period_start": "2023-01-01",
                     "period_end": "2023-12-31", "kind": "actual",
                     "sentence": "Thu ngân sách quận Bắc Từ Liêm năm 2023 đạt 3.100 tỷ đồng."}])
    add_article(
        db, id="anninhthudo:301", source="anninhthudo",
        title="Hòa giải thành công ở Ứng Hòa",
        sapo="Tổ hoà giải huyện Ứng Hoà giúp người dân.",
        body_text="Công tác hòa giải ở cơ sở được huyện Ứng Hòa quan tâm.",
        published_at="2024-03-15T14:00:00+07:00", places=["Huyện Ứng Hòa"])
    add_article(
        db, id="laodongthudo:666", source="laodongthudo", title=XSS_TITLE, sapo=XSS_BODY,
        body_text=XSS_BODY + " Quận Tây Hồ.", published_at="2024-06-01T08:00:00+07:00",
        places=["Quận Tây Hồ"])
    from crawler.publish.search_index import ensure_search
    from crawler.facts_store import upgrade_archive

    with db.conn:
        upgrade_archive(db)  # relation rows, claims and clusters from the rows above (issue 14)
    ensure_search(db)
    return db


NEW_WARD_DONG_DA = "hn-2025-00235-phuong-dong-da"


def _figure(place: str, place_id: str | None, metric: str, key: str, value: float, unit: str,
            period: str, start: str, end: str, kind: str, sentence: str, **more) -> dict:
    return {"place": place, "place_id": place_id, "metric": metric, "metric_key": key,
            "value": value, "unit": unit, "period_text": period, "period_start": start,
            "period_end": end, "kind": kind, "sentence": sentence, **more}


def add_reader_articles(db: Database, warc_root: str | Path | None = None) -> None:
    """Articles for the reader's pages (tests of the article, place and figure pages, the
    feeds and the browser): Quận Đống Đa's budget revenue printed for a half-year, a year and
    five years (three series that must never share a chart), the new Phường Đống Đa (since
    1 July 2025), an article with two versions, images and a copy in another paper (found
    by the clusters of ``upgrade_archive``), and, with ``warc_root``, the raw capture of that
    article.
    Facts and sentences are written for the tests."""
    dd = "hn-pre2025-006-quan-dong-da"
    s1 = ("6 tháng đầu năm 2024, thu ngân sách trên địa bàn quận Đống Đa ước đạt 6.214 tỷ đồng, "
          "bằng 58,6% dự toán.")
    s2 = "Năm 2023, quận thu ngân sách đạt 11.380 tỷ đồng."
    s3 = "Giai đoạn 2021-2025, tổng thu ngân sách của quận ước đạt 52.000 tỷ đồng."
    body = (f"{s1} Giải ngân vốn đầu tư công đạt 41% kế hoạch.\n\n{s2} Ngày 8/1, quận tổ chức "
            f"hội nghị tổng kết.\n\n{s3}\n\nChủ tịch UBND quận Đống Đa Lê Văn Hòa cho biết quận "
            f"sẽ tiếp tục rà soát nguồn thu.")
    add_article(
        db, id="kinhtedothi:401", source="kinhtedothi",
        title="Đống Đa: thu ngân sách 6 tháng đạt 58,6% dự toán",
        sapo="Quận Đống Đa công bố kết quả thu ngân sách nửa đầu năm 2024.",
        body_text=body, published_at="2024-07-05T14:10:00+07:00",
        places=["Quận Đống Đa", "Quận Ba Đình"],
        url="https://kinhtedothi.vn/dong-da-thu-ngan-sach-401.html",
        indicators=[
            _figure("Đống Đa", dd, "thu ngân sách", "budget_revenue", 6214.0, "tỷ đồng",
                    "6 tháng đầu năm 2024", "2024-01-01", "2024-06-30", "estimate", s1,
                    relation="bằng 58,6% dự toán", relation_type="share_of_plan",
                    relation_value=58.6),
            _figure("Đống Đa", dd, "thu ngân sách", "budget_revenue", 11380.0, "tỷ đồng",
                    "năm 2023", "2023-01-01", "2023-12-31", "actual", s2),
            _figure("Đống Đa", dd, "thu ngân sách", "budget_revenue", 52000.0, "tỷ đồng",
                    "giai đoạn 2021-2025", "2021-01-01", "2025-12-31", "estimate", s3),
            _figure("Đống Đa", dd, "giải ngân vốn đầu tư công", "public_investment_disbursement",
                    41.0, "%", "6 tháng đầu năm 2024", "2024-01-01", "2024-06-30", "actual",
                    s1 + " Giải ngân vốn đầu tư công đạt 41% kế hoạch.",
                    relation="đạt 41% kế hoạch", relation_type="share_of_plan",
                    relation_value=41.0),
            # printed nowhere in this text: listed, never marked (not the 8 of "Ngày 8/1")
            _figure("Đống Đa", dd, "tăng trưởng kinh tế", "economic_growth", 8.0, "%",
                    "năm 2024", "2024-01-01", "2024-12-31", "target",
                    "Quận phấn đấu tăng trưởng kinh tế 8% trong năm 2024.")],
        officials=[{"name": "Lê Văn Hòa", "title": "Chủ tịch UBND",
                    "organisation": "UBND quận Đống Đa", "place_id": dd, "is_former": 0,
                    "sentence": "Chủ tịch UBND quận Đống Đa Lê Văn Hòa cho biết quận sẽ tiếp "
                                "tục rà soát nguồn thu."}])
    s4 = ("6 tháng đầu năm 2025, thu ngân sách trên địa bàn quận Đống Đa ước đạt 6.950 tỷ đồng, "
          "tăng 11,8% so với cùng kỳ.")
    add_article(
        db, id="hanoimoi:404", source="hanoimoi",
        title="Đống Đa thu ngân sách nửa đầu năm 2025",
        sapo="Kết quả thu ngân sách của quận trước khi sắp xếp đơn vị hành chính.",
        body_text=s4, published_at="2025-06-28T09:00:00+07:00", places=["Quận Đống Đa"],
        indicators=[_figure("Đống Đa", dd, "thu ngân sách", "budget_revenue", 6950.0,
                            "tỷ đồng", "6 tháng đầu năm 2025", "2025-01-01", "2025-06-30",
                            "estimate", s4, relation="tăng 11,8% so với cùng kỳ",
                            relation_type="growth_yoy", relation_value=11.8)])
    # another paper's copy of kinhtedothi:401
    add_article(
        db, id="anninhthudo:405", source="anninhthudo",
        title="Quận Đống Đa: thu ngân sách nửa đầu năm đạt 6.214 tỷ đồng",
        sapo="Quận Đống Đa công bố kết quả thu ngân sách nửa đầu năm 2024.",
        body_text=body, published_at="2024-07-05T16:00:00+07:00", places=["Quận Đống Đa"])
    s5 = "9 tháng năm 2025, phường Đống Đa thu ngân sách ước đạt 1.250 tỷ đồng."
    add_article(
        db, id="hanoimoi:406", source="hanoimoi",
        title="Phường Đống Đa sau ba tháng vận hành chính quyền hai cấp",
        sapo="Phường Đống Đa mới được thành lập từ ngày 1/7/2025.",
        body_text=f"{s5}\n\nBộ máy mới của phường hoạt động thông suốt.",
        published_at="2025-10-08T08:00:00+07:00", places=[NEW_WARD_DONG_DA],
        indicators=[_figure("Đống Đa", NEW_WARD_DONG_DA, "thu ngân sách", "budget_revenue",
                            1250.0, "tỷ đồng", "9 tháng năm 2025", "2025-01-01", "2025-09-30",
                            "estimate", s5)])
    with db.atomic():
        db.execute("update articles set authors = ? where id = ?",
                   ['["Minh Anh", "Thu Hà"]', "kinhtedothi:401"])
        db.execute("update articles set authors = ? where id = ?", ['["Quang Huy"]', "hanoimoi:406"])
        db["images"].upsert_all([
            {"article_id": "kinhtedothi:401", "position": 0,
             "url": "https://kinhtedothi.vn/images/hoi-nghi-dong-da.jpg",
             "caption": "Hội nghị sơ kết 6 tháng của quận Đống Đa.", "credit": "Minh Anh"},
            {"article_id": "kinhtedothi:401", "position": 1,
             "url": "https://kinhtedothi.vn/images/bo-phan-mot-cua.jpg",
             "caption": "Người dân làm thủ tục tại bộ phận một cửa.", "credit": "Thu Hà"}],
            pk=("article_id", "position"))
        db["article_versions"].upsert_all([
            {"article_id": "kinhtedothi:401", "version": 1, "fetched_at": "2024-07-05T14:30:00+07:00",
             "content_hash": "v1", "title": "Đống Đa: thu ngân sách 6 tháng đạt 58% dự toán",
             "body_text": body.replace(" Giải ngân vốn đầu tư công đạt 41% kế hoạch.", ""),
             "change": "new"},
            {"article_id": "kinhtedothi:401", "version": 2, "fetched_at": "2024-07-06T08:00:00+07:00",
             "content_hash": "v2", "title": "Đống Đa: thu ngân sách 6 tháng đạt 58,6% dự toán",
             "body_text": body, "change": "content"}], pk=("article_id", "version"))
        db.execute("update articles set version = 2 where id = 'kinhtedothi:401'")
    from crawler.facts_store import upgrade_archive

    with db.conn:  # comparisons as rows of their own, claims, clusters (the copy joins 401's)
        upgrade_archive(db)
    if warc_root is not None:
        from crawler.rawstore import RawStore

        html = ("<html><head><title>Đống Đa</title><script>window.__captured = 1</script>"
                "</head><body><h1>Đống Đa: thu ngân sách 6 tháng đạt 58,6% dự toán</h1>"
                f"<p>{s1}</p></body></html>").encode()
        ref = RawStore(warc_root).write(
            "kinhtedothi", "https://kinhtedothi.vn/dong-da-thu-ngan-sach-401.html", 200, "OK",
            [("Content-Type", "text/html; charset=utf-8")], html, "2024-07-06T08:00:00+07:00")
        with db.atomic():
            db.execute("update articles set capture = ? where id = 'kinhtedothi:401'", [ref])
            db.execute("update article_versions set capture = ? where article_id = "
                       "'kinhtedothi:401' and version = 2", [ref])


# --- the benchmark ---------------------------------------------------------------------------


def _describe_checkout(root: Path) -> str:
    try:
        return subprocess.run(["git", "-C", str(root), "log", "-1", "--format=%h %cI %s"],
                              capture_output=True, text=True, timeout=10).stdout.strip()[:120]
    except (OSError, subprocess.SubprocessError):
        return str(root)


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


# The server runs in its own process, as `hanoi-news run` serves readers: in the benchmark's
# process its Python would share one GIL with the client that times it (measured 2026-12-03,
# 30 new searches: JSON p95 110 ms in-process, 39 ms in a process of its own).
_SERVER = """
import sys
sys.path.insert(0, sys.argv[3])
from pathlib import Path
import uvicorn
from crawler.publish.app import make_datasette
uvicorn.run(make_datasette(Path(sys.argv[1])).app(), host="127.0.0.1", port=int(sys.argv[2]),
            log_level="warning", lifespan="off")
"""


def serve_in_process(path: Path, port: int, root: Path = ROOT) -> subprocess.Popen:
    """Datasette for ``path`` on 127.0.0.1:``port`` in a child process, once it answers;
    ``root``: the checkout whose code serves it (another one for --baseline)."""
    proc = subprocess.Popen([sys.executable, "-c", _SERVER, str(path), str(port), str(root)])
    deadline = time.time() + 120
    while time.time() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"the Datasette server exited with {proc.returncode}")
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.5):
                return proc
        except OSError:
            time.sleep(0.2)
    proc.kill()
    raise RuntimeError("the Datasette server did not start within 120 s")


def _stats(times: list[float], prefix: str = "") -> dict:
    """Median and p95 (nearest rank: the ceil(0.95 n)-th smallest) of request times in ms;
    ``times`` is sorted in place."""
    times.sort()
    return {f"{prefix}median_ms": round(statistics.median(times), 1),
            f"{prefix}p95_ms": round(times[max(0, math.ceil(len(times) * 0.95) - 1)], 1)}


def _failed(r, errors: list[str]) -> None:
    """A response a reader would not want (4xx/5xx) is counted and shown, not fatal: one
    interrupted query must not lose the whole run's figures."""
    if r.status_code >= 400:
        errors.append(f"{r.status_code} {r.url}: {r.text[:160]!r}")
        print(f"  !! {errors[-1]}", file=sys.stderr)


def _time(client, url: str, runs: int) -> dict:
    times: list[float] = []
    errors: list[str] = []
    t = time.perf_counter()
    r = client.get(url)  # warm-up; the first request runs every count/facet query (cold)
    first = (time.perf_counter() - t) * 1000
    _failed(r, errors)
    for _ in range(runs):
        t = time.perf_counter()
        r = client.get(url)
        times.append((time.perf_counter() - t) * 1000)
        _failed(r, errors)
    return {**_stats(times), "runs": runs, "first_ms": round(first, 1), "errors": len(errors)}


def _time_after_writes(client, url: str, path: Path, rounds: int, pause_s: float) -> dict:
    """One request after each of ``rounds`` crawler-like commits (one article each).

    What a reader gets while the crawler is writing: every request comes after a commit, so
    every cached count/facet is stale at that moment (crawler/publish/plugins/query_cache.py serves it and
    recounts in the background, unless HANOI_NEWS_COUNTS_MAX_STALE=0). ``pause_s`` between
    the commit and the request is the reader's think time.
    """
    times: list[float] = []
    errors: list[str] = []
    db = Database(path)
    try:
        for i in range(rounds):
            add_article(db, id=f"hanoimoi:benchwrite{time.time_ns()}", title=f"Tin mới {i} quận Đống Đa",
                        body_text="Hội nghị tổng kết công tác năm của quận Đống Đa.",
                        places=["Quận Đống Đa"],
                        published_at=datetime.now(TZ).isoformat(timespec="seconds"))
            time.sleep(pause_s)
            t = time.perf_counter()
            r = client.get(url)
            times.append((time.perf_counter() - t) * 1000)
            _failed(r, errors)
    finally:
        db.close()
    return {**_stats(times, "after_write_"), "after_write_max_ms": round(times[-1], 1), "after_write_rounds": rounds,
            "after_write_errors": len(errors)}


def distinct_searches(n: int, seed: int = 7) -> list[str]:
    """``n`` different two-word searches a reader might type, without diacritics half of the
    time: adjacent word pairs of the generator's vocabulary (so most of them match)."""
    rnd = random.Random(seed)
    out: list[str] = []
    seen = set()
    while len(out) < n:
        i = rnd.randrange(len(WORDS) - 1)
        q = f"{WORDS[i]} {WORDS[i + 1]}"
        q = fold(q) if rnd.random() < 0.5 else q
        if q not in seen:
            seen.add(q)
            out.append(q)
    return out


def distinct_place_phrases(path: Path, n: int, seed: int = 3) -> list[str]:
    """``n`` different ward and commune names of two words, typed without marks ("van hoa",
    "phuong tu"): vi_search makes each a phrase, which the word-pair index answers."""
    conn = sqlite3.connect(path)
    try:
        names = sorted({fold(r[0]) for r in conn.execute(
            "select name from places where type in ('phường', 'xã')") if len(r[0].split()) == 2})
    finally:
        conn.close()
    return random.Random(seed).sample(names, min(n, len(names)))


def _time_distinct(client, base: str, queries: list[str], suffix: str) -> dict:
    """Each query asked once: nothing is cached for it (what a new search costs)."""
    times: list[float] = []
    errors: list[str] = []
    without_total = 0
    by_query = []
    for q in queries:
        t = time.perf_counter()
        sep = "&" if "?" in suffix else "?"
        r = client.get(f"{base}/news{suffix}{sep}{urlencode({'_search': q})}")
        times.append((time.perf_counter() - t) * 1000)
        by_query.append((round(times[-1], 1), q))
        _failed(r, errors)
        if ".json" in suffix and r.status_code == 200:
            without_total += r.json().get("filtered_table_rows_count") is None
    out = {**_stats(times), "max_ms": round(times[-1], 1), "queries": len(times),
           "errors": len(errors), "slowest": sorted(by_query, reverse=True)[:3]}
    if ".json" in suffix:  # pages that came back before their count (query_cache's budget)
        out["without_total"] = without_total
    return out


def reader_pages(path: Path) -> dict[str, str]:
    """The reader's pages to time (paths under the database): the place page of the most
    and of the least tagged district, and the article page of the newest article with both
    figures and an official."""
    conn = sqlite3.connect(path)
    try:
        tagged = conn.execute(
            "select place_id, count(*) from article_places group by place_id "
            "order by 2 desc").fetchall()
        article = conn.execute(
            "select i.article_id from indicators i where exists (select 1 from "
            "article_officials o where o.article_id = i.article_id) "
            "order by i.id desc limit 1").fetchone()
    finally:
        conn.close()
    from datasette.utils import tilde_encode

    out = {f"place_page_most_tagged ({tagged[0][0]}, {tagged[0][1]:,} articles)":
           f"/places/{tilde_encode(tagged[0][0])}",
           f"place_page_least_tagged ({tagged[-1][0]}, {tagged[-1][1]:,} articles)":
           f"/places/{tilde_encode(tagged[-1][0])}"}
    if article:
        out[f"article_page ({article[0]})"] = f"/articles/{tilde_encode(article[0])}"
    return out


def side_by_side(client, bases: dict[str, str], paths: dict[str, str], runs: int) -> dict:
    """Each page timed on every server in turn, so that both see the same machine at the same
    moment; the first request of each (nothing cached yet) is ``first_ms``, apart."""
    out: dict = {}
    for label, path in paths.items():
        out[label] = {}
        first: dict[str, float] = {}
        for name, base in bases.items():
            t = time.perf_counter()
            client.get(base + path)
            first[name] = round((time.perf_counter() - t) * 1000, 1)
        times: dict[str, list[float]] = {name: [] for name in bases}
        statuses: dict[str, set] = {name: set() for name in bases}
        for _ in range(runs):
            for name, base in bases.items():
                t = time.perf_counter()
                r = client.get(base + path)
                times[name].append((time.perf_counter() - t) * 1000)
                statuses[name].add(r.status_code)
        for name in bases:
            out[label][name] = {**_stats(times[name]), "first_ms": first[name],
                                "statuses": sorted(statuses[name])}
        print(f"{label}: {out[label]}", file=sys.stderr)
    return out


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--articles", type=int, default=1_000_000)
    ap.add_argument("--db", default=str(Path(tempfile.gettempdir()) / "hanoi-news-bench"
                                        / "archive.db"),
                    help="where to build the archive (several GB at 1M articles)")
    ap.add_argument("--reuse", action="store_true", help="use an existing --db as is")
    ap.add_argument("--runs", type=int, default=40)
    ap.add_argument("--no-export", action="store_true")
    ap.add_argument("--no-snapshot", action="store_true",
                    help="publish without writing the download snapshot (a 10 GB file at 1M"
                         " articles pushes the archive out of the page cache before timing)")
    ap.add_argument("--distinct", type=int, default=30,
                    help="different two-word searches, each asked once (uncached)")
    ap.add_argument("--write-rounds", type=int, default=10,
                    help="requests per URL each made right after a one-article commit")
    ap.add_argument("--write-pause", type=float, default=2.5,
                    help="seconds between that commit and the request (reader think time)")
    ap.add_argument("--baseline", metavar="CHECKOUT",
                    help="another checkout of hanoi-news (e.g. main): also serve the archive"
                         " with its code and time the news view, the place pages and the"
                         " article page on both, side by side")
    ap.add_argument("--baseline-first", action="store_true",
                    help="with --baseline: ask the baseline first (the first request of a page"
                         " also warms the OS page cache for the server asked after it)")
    ap.add_argument("--only-reader", action="store_true",
                    help="time only the news view and the reader's pages (with --baseline:"
                         " only the side-by-side table)")
    args = ap.parse_args(argv)
    import httpx

    from crawler.publish.snapshot import publish_archive
    from crawler.publish.export import export_archive

    path = Path(args.db)
    out: dict = {"articles": args.articles}
    if not args.reuse:
        for suffix in ("", "-wal", "-shm"):
            Path(str(path) + suffix).unlink(missing_ok=True)
        path.parent.mkdir(parents=True, exist_ok=True)
        t = time.time()
        db = build_archive(path, args.articles, publish=False, progress=True)
        out["generate_s"] = round(time.time() - t, 1)
        print(f"generate_s: {out['generate_s']}", file=sys.stderr)
        db.close()
    t = time.time()
    report = publish_archive(path, write_snapshot=not args.no_snapshot)
    out["publish_s"] = round(time.time() - t, 1)
    out["publish"] = {k: v for k, v in report.items() if k != "snapshot"}
    print(f"publish_s: {out['publish_s']} {out['publish']}", file=sys.stderr)
    conn = sqlite3.connect(path)
    n = conn.execute("select count(*) from articles").fetchone()[0]
    conn.execute("pragma wal_checkpoint(truncate)")
    conn.close()
    size = path.stat().st_size
    out.update(articles=n, db_mb=round(size / 1e6, 1),
               mb_per_1000_articles=round(size / 1e6 / (n / 1000), 2))
    port = _free_port()
    server = serve_in_process(path, port)
    base = f"http://127.0.0.1:{port}/{path.stem}"
    urls = {
        "search_two_words (news?_search=dong da → phrase)": f"{base}/news?_search=dong+da",
        "search_two_words_json (news.json?_search=tu liem)": f"{base}/news.json?_search=tu+liem",
        "search_two_words_common (news?_search=hoi nghi)": f"{base}/news?_search=hoi+nghi",
        "search_two_words_api (news.json?_search=dong da&_nofacet=1)":
            f"{base}/news.json?_search=dong+da&_nofacet=1",
        "search_two_words_api_common (news.json?_search=hoi nghi&_nofacet=1)":
            f"{base}/news.json?_search=hoi+nghi&_nofacet=1",
        "faceted_table (news, 4 default facets)": f"{base}/news",
        "faceted_table_filtered (news?source=hanoimoi&_facet=place)":
            f"{base}/news?source=hanoimoi&_facet=place",
        "canned_search_bm25 (search?q=bac tu liem)": f"{base}/search?q=bac+tu+liem",
        "canned_latest_for_place (latest_for_place?place=Đống Đa)":
            f"{base}/latest_for_place?place=%C4%90%E1%BB%91ng+%C4%90a",
        "canned_budget_revenue (budget_revenue?place=)": f"{base}/budget_revenue?place=",
    }
    pages = reader_pages(path)
    urls.update({label: base + p for label, p in pages.items()})
    news = {"news (4 facets)": "/news", "news?_search=dong da": "/news?_search=dong+da"}
    if args.only_reader:
        urls = {k: v for k, v in urls.items() if k.startswith(("faceted_table (", "search_two_words (",
                                                                "place_page", "article_page"))}
    timings = {}
    with httpx.Client(timeout=60) as client:
        if args.baseline:
            other_port = _free_port()
            other = serve_in_process(path, other_port, Path(args.baseline).resolve())
            try:
                bases = {"this": base,
                         "baseline": f"http://127.0.0.1:{other_port}/{path.stem}"}
                if args.baseline_first:
                    bases = dict(reversed(list(bases.items())))
                out["asked_first"] = next(iter(bases))
                out["baseline"] = _describe_checkout(Path(args.baseline))
                out["side_by_side"] = side_by_side(client, bases, {**news, **pages}, args.runs)
            finally:
                other.terminate()
                other.wait(30)
            if args.only_reader:
                server.terminate()
                server.wait(30)
                print(json.dumps(out, ensure_ascii=False, indent=2))
                return 0
        for label, url in urls.items():
            timings[label] = _time(client, url, args.runs)
            if args.write_rounds:
                timings[label].update(_time_after_writes(client, url, path, args.write_rounds,
                                                         args.write_pause))
            print(f"{label}: {timings[label]}", file=sys.stderr)
        if args.distinct and not args.only_reader:
            qs = distinct_searches(args.distinct * 2)
            for label, suffix, chunk in (("distinct_searches_json_nofacet", ".json?_nofacet=1",
                                          qs[:args.distinct]),
                                         ("distinct_searches_html_4_facets", "",
                                          qs[args.distinct:])):
                timings[label] = _time_distinct(client, base, chunk, suffix)
                print(f"{label}: {timings[label]}", file=sys.stderr)
            places = distinct_place_phrases(path, args.distinct * 2)
            half = len(places) // 2
            for label, suffix, chunk in (("distinct_place_phrases_json_nofacet",
                                          ".json?_nofacet=1", places[:half]),
                                         ("distinct_place_phrases_html_4_facets", "",
                                          places[half:])):
                timings[label] = _time_distinct(client, base, chunk, suffix)
                print(f"{label}: {timings[label]}", file=sys.stderr)
    server.terminate()
    server.wait(30)
    out["timings"] = timings
    if not args.no_export:
        t = time.time()
        exp = export_archive(path, path.parent / "exports")
        out["export_s"] = round(time.time() - t, 1)
        out["export_dir"] = str(exp["directory"])
        out["export_mb"] = round(exp["bytes"] / 1e6, 1)
    print(json.dumps(out, ensure_ascii=False, indent=2))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
