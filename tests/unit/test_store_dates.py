"""An article whose page prints no publication date is stored without one (issue 18): its
``published_at`` stays empty and ``date_source`` says "none"; when the archive first saw it
is ``first_seen_at``, never passed off as its date. Older archives are corrected."""
from __future__ import annotations

from pathlib import Path

from parsers import Article

from crawler.demo import demo_source
from crawler.store import open_db, save_article, sync_sources


def _article(**kw) -> Article:
    return Article(url="https://laodongthudo.vn/a-1.html", title="Tiêu đề", body_text="Nội dung. " * 30,
                   parser="laodongthudo", parser_version="1", **kw)


def test_no_printed_date_is_stored_as_none(tmp_path: Path):
    db = open_db(tmp_path / "archive.db")
    source = demo_source("https://laodongthudo.vn")
    sync_sources(db, [source])
    save_article(db, source=source, article_id="laodongthudo:1", article=_article(date_source="none"),
                 facts=None, url="https://laodongthudo.vn/a-1.html", fetched_at="2026-12-06T10:00:00+07:00",
                 capture=None, first_seen_at="2026-12-06T09:00:00+07:00")
    save_article(db, source=source, article_id="laodongthudo:2",
                 article=_article(published_at="2024-05-01T08:00:00+07:00", date_source="byline"),
                 facts=None, url="https://laodongthudo.vn/a-2.html", fetched_at="2026-12-06T10:00:00+07:00",
                 capture=None)
    rows = dict((r[0], r[1:]) for r in db.execute(
        "select id, published_at, date_source, first_seen_at from articles").fetchall())
    assert rows["laodongthudo:1"] == (None, "none", "2026-12-06T09:00:00+07:00")
    assert rows["laodongthudo:2"][:2] == ("2024-05-01T08:00:00+07:00", "byline")


def test_an_archive_that_stored_first_seen_as_the_date_is_corrected(tmp_path: Path):
    db = open_db(tmp_path / "archive.db")
    sync_sources(db, [demo_source("https://laodongthudo.vn")])
    save_article(db, source=demo_source("https://laodongthudo.vn"), article_id="laodongthudo:1",
                 article=_article(date_source="none"), facts=None, url="https://laodongthudo.vn/a-1.html",
                 fetched_at="2026-12-06T10:00:00+07:00", capture=None)
    with db.conn:  # as the crawler wrote it before
        db.execute("update articles set published_at = first_seen_at, date_source = 'first-seen'")
        db.execute("delete from _sqlite_migrations where name = 'generic_0001_no_invented_dates'")
    db.conn.close()
    db = open_db(tmp_path / "archive.db")
    assert db.execute("select published_at, date_source from articles").fetchall() == [(None, "none")]
