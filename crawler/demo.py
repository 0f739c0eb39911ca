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


def demo_site(port: int = 0) -> FixtureServer:
    """The fixture site as a self-contained local site (not started): its pages' links to the
    real paper lead back to it, so the demo's articles link to pages that exist (on this
    machine, while the demo runs) and never to a real paper's address."""
    if not FIXTURE_SITE.is_dir():
        raise CrawlerError(f"the fixture site is missing at {FIXTURE_SITE}; run from a clone of the repository")
    origin = load_sources(PROJECT_ROOT / "sources.yml")
    real = next((s.base_url for s in origin if s.id == DEMO_SOURCE), None)
    return FixtureServer(FIXTURE_SITE, port=port, mirror_of=real.rstrip("/") if real else None)


def build_demo(out_dir: Path, *, passes: int = 2, progress=None,
               site: FixtureServer | None = None) -> tuple[Path, list[RunReport]]:
    """Crawl the fixture site (``site`` when it is already running, else one started for the
    crawl) into ``out_dir/demo.db`` and publish it (search index and the downloadable
    snapshot the home page links to). The second pass shows that an unchanged site costs
    only conditional requests and adds nothing."""
    prepare_out_dir(out_dir)
    settings = Settings(db_path=out_dir / "demo.db", data_dir=out_dir / "data")
    reports = []
    server = site or demo_site().start()
    try:
        source = demo_source(server.base_url)
        for _ in range(passes):
            reports.append(crawl(source, settings, progress=progress))
    finally:
        if site is None:
            server.stop()
    publish_archive(settings.db_path)
    return settings.db_path, reports


def write_demo_sources(out_dir: Path, base_url: str) -> Path:
    """A sources.yml with the demo's one source pointed at ``base_url`` (the fixture site
    served by ``demo --site-only``), for trying ``crawl`` by hand."""
    import yaml

    config = yaml.safe_load((PROJECT_ROOT / "sources.yml").read_text(encoding="utf-8"))
    entry = next(e for e in config["sources"] if e["id"] == DEMO_SOURCE)
    entry = {**entry, "base_url": base_url, "name": f"{entry['name']} (DEMO: fixture site)",
             "enabled": True}
    out_dir.mkdir(parents=True, exist_ok=True)
    path = out_dir / "sources-demo.yml"
    path.write_text("# The demo's fixture site as a source, written by 'hanoi-news demo --site-only'.\n"
                    + yaml.safe_dump({"defaults": config.get("defaults") or {}, "sources": [entry]},
                                     allow_unicode=True, sort_keys=False),
                    encoding="utf-8")
    return path
