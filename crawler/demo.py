"""The offline demo: the bundled fixture site served on localhost, crawled through the real
code path (httpx → listings/feeds/sitemaps → article pages → parser → sqlite-utils) into a
demo archive that is never the real archive.db."""
from __future__ import annotations

import shutil
from dataclasses import replace
from pathlib import Path

from .config import FIXTURE_SITE, PROJECT_ROOT, Settings
from .crawl import crawl
from .errors import CrawlerError
from .fixture_server import FixtureServer
from .pipeline import RunReport
from .publish.snapshot import publish_archive
from .sources import Source, load_sources

DEMO_SOURCE = "laodongthudo"


def demo_source(base_url: str, sources_path: Path = PROJECT_ROOT / "sources.yml") -> Source:
    source = next((s for s in load_sources(sources_path) if s.id == DEMO_SOURCE), None)
    if source is None:
        raise CrawlerError(f"{sources_path} has no '{DEMO_SOURCE}' source for the demo")
    fast = replace(source.politeness, rate_per_second=50.0, max_retries=1, backoff_base_s=0.1)
    return source.with_base_url(base_url, politeness=fast, name=f"{source.name} (DEMO: fixture site)")


# Written into every demo folder; only a folder holding it is ever emptied, and then only of
# what the demo writes (issue 15: ``demo --out ~/Documents`` must not delete anything).
MARKER = ".hanoi-news-demo"
DEMO_ENTRIES = ("demo.db", "demo.db-wal", "demo.db-shm", "data", "published")


def prepare_out_dir(out_dir: Path) -> None:
    """Make ``out_dir`` ready for a fresh demo: created (with the marker) when missing or
    empty; emptied of the demo's own files when a demo made it; refused otherwise."""
    if out_dir.exists() and not out_dir.is_dir():
        raise CrawlerError(f"{out_dir} is a file, not a folder; choose another --out")
    if out_dir.is_dir() and any(out_dir.iterdir()):
        if not (out_dir / MARKER).is_file():
            raise CrawlerError(
                f"{out_dir} already exists and was not made by 'hanoi-news demo'; it is left as it is. "
                "Choose another --out (a new or empty folder), or remove it yourself.")
        for name in DEMO_ENTRIES:
            entry = out_dir / name
            if entry.is_dir() and not entry.is_symlink():
                shutil.rmtree(entry)
            elif entry.exists() or entry.is_symlink():
                entry.unlink()
    out_dir.mkdir(parents=True, exist_ok=True)
    (out_dir / MARKER).write_text("Made by 'hanoi-news demo'. The demo replaces demo.db and data/ "
                                  "in this folder; nothing else here is touched.\n", encoding="utf-8")


def build_demo(out_dir: Path, *, passes: int = 2, progress=None) -> tuple[Path, list[RunReport]]:
    """Crawl the fixture site into ``out_dir/demo.db`` and publish it (search index and the
    downloadable snapshot the home page links to). The second pass shows that an unchanged
    site costs only conditional requests and adds nothing."""
    if not FIXTURE_SITE.is_dir():
        raise CrawlerError(f"the fixture site is missing at {FIXTURE_SITE}; run from a clone of the repository")
    prepare_out_dir(out_dir)
    settings = Settings(db_path=out_dir / "demo.db", data_dir=out_dir / "data")
    reports = []
    with FixtureServer(FIXTURE_SITE) as server:
        source = demo_source(server.base_url)
        for _ in range(passes):
            reports.append(crawl(source, settings, progress=progress))
    publish_archive(settings.db_path)
    return settings.db_path, reports
