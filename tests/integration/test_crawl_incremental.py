"""Issue 3: incremental runs fetch only what is new, even from a server without validators."""
from __future__ import annotations

from datetime import timedelta

from crawler.config import Settings
from crawler.crawl import crawl
from tests.support.fault_server import GeneratedSite, site_source


def test_no_validators_still_no_article_pages_and_no_unchanged_sitemap_children(tmp_path):
    with GeneratedSite(60, per_page=10, validators=False) as site:
        source = site_source(site.base_url)
        settings = Settings(db_path=tmp_path / "archive.db", data_dir=tmp_path / "data")
        crawl(source, settings)
        site.log.clear()
        report = crawl(source, settings)
        assert report.new_articles == 0
        paths = [h.path for h in site.log]
        assert not [p for p in paths if site.index_of(p)], paths
        assert not [p for p in paths if p.startswith("/sitemaps/")], paths  # index unchanged per child
        assert paths.count("/thoi-su") == 1  # stop_after_known=5: the first page is enough
        # a new article: its month's child sitemap moves and is read again, nothing else
        site.n = 61
        site.newest += timedelta(hours=12)
        site.log.clear()
        report = crawl(source, settings)
        assert report.new_articles == 1
        children = {h.path for h in site.log if h.path.startswith("/sitemaps/")}
        assert len(children) == 1, children
        assert len([h for h in site.log if site.index_of(h.path)]) == 1


def test_a_link_that_404s_before_its_page_exists_is_tried_again(tmp_path):
    from tests.support.fault_server import Fault

    with GeneratedSite(8) as site:
        source = site_source(site.base_url)
        settings = Settings(db_path=tmp_path / "archive.db", data_dir=tmp_path / "data")
        site.faults[site.article_path(1)] = Fault("status", status=404, times=1)
        first = crawl(source, settings)
        assert first.new_articles == 7
        second = crawl(source, settings)
        assert second.new_articles == 1  # published now
        assert site.counts[site.article_path(1)] == 2
