"""Issue 15, item 2: ``reparse`` on a damaged raw store loses nothing.

A crawl of 300 articles writes one WARC file; copies of the archive then get the damage of
the issue: the file cut at 60 %, 64 garbage bytes written into the middle of a record, and a
cut file that a later crawl appended to. ``reparse`` must keep every article it cannot read
again (with its rows as they were), list what it could not read, exit non-zero, and read
every record after the damage.
"""
from __future__ import annotations

import shutil
import sqlite3
from pathlib import Path

import pytest
from click.testing import CliRunner

from crawler.cli import cli
from crawler.config import Settings
from crawler.crawl import crawl
from crawler.rawstore import RawStore
from crawler.sources import load_sources
from tests.support.fault_server import GeneratedSite, site_sources_yaml

N = 300


def _articles(db_path: Path, *, without: tuple[str, ...] = ()) -> dict[str, tuple]:
    conn = sqlite3.connect(db_path)
    try:
        cols = [r[1] for r in conn.execute("pragma table_info(articles)") if r[1] not in without]
        return {r[0]: tuple(r) for r in conn.execute(f"select {', '.join(cols)} from articles order by id")}
    finally:
        conn.close()


def _captures(db_path: Path) -> dict[str, int]:
    """article id -> offset of its capture in the (single) WARC file."""
    conn = sqlite3.connect(db_path)
    try:
        return {aid: int(ref.split("#")[1]) for aid, ref in conn.execute("select id, capture from articles")}
    finally:
        conn.close()


@pytest.fixture(scope="module")
def crawled(tmp_path_factory):
    """One crawl of the site (kept running for the test that crawls again)."""
    root = tmp_path_factory.mktemp("pristine")
    with GeneratedSite(N, per_page=20) as site:
        sources = root / "sources.yml"
        sources.write_text(site_sources_yaml(site.base_url, rate=200), encoding="utf-8")
        settings = Settings(db_path=root / "archive.db", data_dir=root / "data")
        report = crawl(load_sources(sources)[0], settings)
        assert report.status == "ok" and report.new_articles == N, report.summary()
        yield root, site


def _copy(crawled, dest: Path) -> tuple[Settings, Path, Path]:
    root, _site = crawled
    shutil.copytree(root, dest)
    settings = Settings(db_path=dest / "archive.db", data_dir=dest / "data")
    (warc,) = (settings.warc_dir / "testsite").glob("*.warc.gz")
    return settings, dest / "sources.yml", warc


def _reparse(settings: Settings, sources: Path):
    return CliRunner().invoke(cli, ["reparse", "--db", str(settings.db_path), "--data-dir",
                                    str(settings.data_dir), "--sources", str(sources)])


def test_a_warc_cut_at_60_percent_keeps_every_article(crawled, tmp_path):
    settings, sources, warc = _copy(crawled, tmp_path / "cut")
    before = _articles(settings.db_path)
    size = warc.stat().st_size
    cut = int(size * 0.6)
    with open(warc, "r+b") as fh:
        fh.truncate(cut)
    result = _reparse(settings, sources)
    print(result.output)
    assert result.exit_code == 1, result.output
    assert _articles(settings.db_path) == before  # nothing dropped, nothing changed
    # one unreadable region, from the record the cut tore (a capture, response and request, is
    # about 1.5 KB here) to the end of the file
    (region,) = [line for line in result.output.splitlines() if line.startswith("unreadable: ")]
    start, end = map(int, region.split(" bytes ")[1].split(":")[0].split("-"))
    assert cut - 2000 < start <= cut and end == cut
    # the articles whose capture lies there are listed, each one, and only those
    lost = {aid for aid, off in _captures(settings.db_path).items() if off >= start}
    listed = {line.split(": ", 1)[1].split(" ")[0] for line in result.output.splitlines()
              if line.startswith("kept as it was: ")}
    assert len(lost) > N // 3 and listed == lost


def test_garbage_in_the_middle_costs_one_record_and_no_article(crawled, tmp_path):
    settings, sources, warc = _copy(crawled, tmp_path / "garbage")
    before = _articles(settings.db_path, without=("capture",))
    offsets = sorted(_captures(settings.db_path).items(), key=lambda kv: kv[1])
    victim, at = offsets[len(offsets) // 2]
    data = warc.read_bytes()
    garbage = bytes((i * 37 + 11) % 256 for i in range(64))
    warc.write_bytes(data[:at + 100] + garbage + data[at + 100:])
    result = _reparse(settings, sources)
    print(result.output)
    assert result.exit_code == 1, result.output
    # the bytes moved every later record by 64: those articles now name where their record is
    assert _articles(settings.db_path, without=("capture",)) == before
    kept = [line for line in result.output.splitlines() if line.startswith("kept as it was: ")]
    assert kept == [f"kept as it was: {victim} (capture testsite/{warc.name}#{at} could not be read again)"]
    store = RawStore(settings.warc_dir)
    for aid, off in _captures(settings.db_path).items():
        if aid != victim:
            assert store.read(f"testsite/{warc.name}#{off}").url.endswith(f"-{aid.split(':')[1]}.html")
    # every record after the garbage was read: the articles after it were rebuilt, not kept
    damage: list = []
    refs = {c.ref for c in RawStore(settings.warc_dir).iter_captures("testsite", damage=damage)}
    assert len(damage) == 1 and damage[0].start == at
    conn = sqlite3.connect(settings.db_path)
    wanted = {r[0] for r in conn.execute("select capture from fetches where capture is not null")}
    conn.close()
    # refs past the garbage moved by 64 bytes; each fetched record is still there, once
    shifted = {f"{r.split('#')[0]}#{int(r.split('#')[1]) + (64 if int(r.split('#')[1]) > at else 0)}"
               for r in wanted}
    assert shifted - refs == {f"testsite/{warc.name}#{at}"}


def test_records_written_after_a_torn_one_are_read(crawled, tmp_path):
    """The issue's case: a cut file, then a later crawl appends to it; reparse used to stop at
    the torn record and never see the new ones."""
    settings, sources, warc = _copy(crawled, tmp_path / "appended")
    _root, site = crawled
    with open(warc, "r+b") as fh:
        fh.truncate(int(warc.stat().st_size * 0.6))
    from datetime import timedelta

    site.n, site.newest = N + 10, site.newest + timedelta(hours=12 * 10)  # ten new articles on top
    try:
        report = crawl(load_sources(sources)[0], settings)
    finally:
        site.n, site.newest = N, site.newest - timedelta(hours=12 * 10)
    assert report.new_articles == 10, report.summary()
    new_ids = {f"testsite:{100000 + N + k}" for k in range(1, 11)}
    before = _articles(settings.db_path)
    assert new_ids <= before.keys()
    result = _reparse(settings, sources)
    print(result.output)
    assert result.exit_code == 1  # the cut region is still unreadable
    after = _articles(settings.db_path)
    assert after == before and len(after) == N + 10
    kept = {line.split(": ", 1)[1].split(" ")[0] for line in result.output.splitlines()
            if line.startswith("kept as it was: ")}
    assert kept and not kept & new_ids  # the new ones were read again from behind the torn record


def test_an_intact_store_reparses_cleanly(crawled, tmp_path):
    settings, sources, _warc = _copy(crawled, tmp_path / "intact")
    before = _articles(settings.db_path)
    result = _reparse(settings, sources)
    assert result.exit_code == 0, result.output
    assert f"reparsed {N} captures: {N} articles" in result.output
    assert _articles(settings.db_path) == before
