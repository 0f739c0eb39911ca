"""The generated site (fault_server.GeneratedSite) with hooks that change its markup between
runs, for the health and drift-alarm tests: a redesigned listing, a feed whose links took a
new form, article pages that lost a field, the profile's container renamed."""
from __future__ import annotations

from datetime import timedelta
from pathlib import Path
from typing import Callable

from crawler.config import Settings
from crawler.crawl import crawl
from crawler.pipeline import RunReport
from crawler.store import open_db

from .fault_server import GeneratedSite, site_source

Edit = Callable[[int, str], str]  # (article number, text) -> text


class HealthSite(GeneratedSite):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.article_edit: Edit | None = None
        self.listing_edit: Callable[[str], str] | None = None
        self.feed_edit: Callable[[str], str] | None = None
        self.sitemap_edit: Callable[[str], str] | None = None

    def article_html(self, i: int) -> str:
        html = super().article_html(i)
        return self.article_edit(self.number(i), html) if self.article_edit else html

    def listing_html(self, page: int) -> str:
        html = super().listing_html(page)
        return self.listing_edit(html) if self.listing_edit else html

    def feed_xml(self) -> str:
        xml = super().feed_xml()
        return self.feed_edit(xml) if self.feed_edit else xml

    def sitemap_month(self, month: str) -> str | None:
        xml = super().sitemap_month(month)
        return self.sitemap_edit(xml) if self.sitemap_edit and xml else xml

    def grow(self, k: int) -> None:
        """``k`` new articles on top (older ones keep their URLs and dates)."""
        self.n += k
        self.newest += timedelta(hours=self.hours_apart * k)

    def newer_than(self, number: int, edit: Edit) -> Edit:
        """``edit`` for the articles added after article ``number`` only."""
        return lambda k, html: edit(k, html) if k > number else html


class Crawls:
    """Crawls of one source of a site into one archive under ``tmp``."""

    def __init__(self, site: GeneratedSite, tmp: Path, **source_kw):
        self.site = site
        self.settings = Settings(db_path=tmp / "archive.db", data_dir=tmp / "data")
        self.source_kw = source_kw
        self.source = site_source(site.base_url, **source_kw)

    def run(self) -> RunReport:
        return crawl(self.source, self.settings)

    def db(self):
        return open_db(self.settings.db_path, create=False)

    def status(self, *args: str):
        """``hanoi-news status`` on this archive (a click result: exit_code, output)."""
        from click.testing import CliRunner

        from crawler.cli import cli

        from .fault_server import site_sources_yaml

        sources = self.settings.data_dir.parent / "sources.yml"
        sources.write_text(site_sources_yaml(self.site.base_url, **self.source_kw), encoding="utf-8")
        return CliRunner().invoke(cli, ["status", "--db", str(self.settings.db_path), "--data-dir",
                                        str(self.settings.data_dir), "--sources", str(sources), *args])

    def open_alarms(self) -> dict[tuple[str, str], dict]:
        db = self.db()
        try:
            cur = db.execute("select * from alarms where state = 'open'")
            names = [d[0] for d in cur.description]
            return {(r["kind"], r["subject"]): r for r in (dict(zip(names, row)) for row in cur.fetchall())}
        finally:
            db.close()
