"""``hanoi-news reparse``: rebuild the parsed tables from the raw WARC store, offline.

One source at a time, under that source's lock (``crawl.reparse_lock``: a crawl of the
source started meanwhile waits for it, crawls of other sources go on):

1. replay: every readable capture of the source, in the order it was fetched, goes through
   the crawl's own ``ingest`` into a scratch database (a temporary file in the data folder),
   so the live archive is not touched while pages are parsed;
2. swap: the live rows of each article are replaced by the replayed ones, a few hundred
   articles per write transaction (a reader sees an article either before or after, never
   half; the crawls of other sources get their turn between two transactions).

Nothing the raw store cannot give back is dropped (issue 15). An article is replaced only
when every capture its live rows name (``articles.capture``, ``article_versions.capture``)
was read again (at its reference, or -- when bytes written into the middle of a file moved
the records after them -- as the record of that file, fetch time and article); an article with a capture in a damaged region of a WARC file, in a missing
file, or with no capture at all keeps its rows as they were, and is listed in the report.
Unreadable regions of the raw store (``rawstore.Damage``) are listed too, and the command
exits non-zero when there is any of either. An article whose captures were all read again
but that the replay no longer produces (its page no longer parses: see ``parse_failures``)
is removed, as a full rebuild would.
"""
from __future__ import annotations

import tempfile
from contextlib import nullcontext
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit

from sqlite_utils import Database

from . import frontier, store
from .dbconn import connect, write_transaction
from .migrations import migrate_archive
from .pipeline import ingest
from .publish.search_pairs import sync_pairs
from .rawstore import Damage, RawStore
from .sources import Source
from .urls import article_key

SWAP_BATCH = 300  # articles per write transaction of the swap


@dataclass
class ReparseReport:
    captures: int = 0
    articles: int = 0
    versions: int = 0
    removed: int = 0
    failures: int = 0
    dropped: int = 0  # read again, no longer produced by the replay
    damage: list[Damage] = field(default_factory=list)
    kept: list[tuple[str, str]] = field(default_factory=list)  # (article id, capture not read again)

    @property
    def complete(self) -> bool:
        return not self.damage and not self.kept

    def summary(self) -> str:
        text = (f"reparsed {self.captures} captures: {self.articles} articles, {self.versions} versions, "
                f"{self.removed} removed, {self.failures} parse failures")
        if self.dropped:
            text += f"; {self.dropped} articles no longer produced by the parser were removed"
        if self.damage:
            text += f"; {len(self.damage)} unreadable regions in the raw store"
        if self.kept:
            text += f"; {len(self.kept)} articles could not be read again and were kept as they were"
        return text

    def problems(self) -> list[str]:
        lines = [f"unreadable: {d}" for d in self.damage]
        lines += [f"kept as it was: {aid} (capture {ref} could not be read again)" for aid, ref in self.kept]
        return lines


def reparse(db: Database, state: Database, rawstore: RawStore, sources: list[Source], *,
            lock_dir: Path | None = None, work_dir: Path | None = None) -> ReparseReport:
    """Rebuild every source of ``sources`` (see the module's docstring). ``lock_dir``: take
    each source's lock (the CLI does; a test holding no crawl may leave it out)."""
    from .crawl import reparse_lock

    report = ReparseReport()
    work = Path(work_dir) if work_dir else rawstore.root.parent
    work.mkdir(parents=True, exist_ok=True)
    for source in sources:
        with reparse_lock(lock_dir, source.id) if lock_dir else nullcontext():
            with tempfile.TemporaryDirectory(dir=work, prefix=f".reparse-{source.id}-") as tmp:
                replay = Path(tmp) / "replay.db"
                _replay(replay, state, rawstore, source, report)
                _swap(db, replay, source, report)
    if sources and "article_clusters" in db.table_names():
        _recluster(db)
    return report


# -- 1. replay into a scratch database -------------------------------------------------------
def _replay(path: Path, state: Database, rawstore: RawStore, source: Source, report: ReparseReport) -> None:
    scratch = connect(path, wal=False)
    try:
        scratch.execute("pragma journal_mode=off")  # a scratch file: thrown away on any failure
        scratch.execute("pragma synchronous=off")
        migrate_archive(scratch)
        # every capture read again: by reference, and by (file, time, article) for a reference
        # that moved (bytes written into the middle of a file shift the records after them)
        scratch.execute("create table replayed (ref text primary key, file text, fetched_at text, "
                        "key text, article_id text)")
        scratch.execute("create index replayed_when on replayed (file, fetched_at)")
        store.sync_sources(scratch, [source])
        seen: dict[str, str] = {}
        with write_transaction(scratch):  # one transaction: nobody else reads this file
            for cap in rawstore.iter_captures(source.id, damage=report.damage):
                asked = cap.requested_url or cap.url
                key = article_key(source, asked)
                if key is None:
                    continue
                report.captures += 1
                scratch.execute("insert or ignore into replayed (ref, file, fetched_at, key) values (?, ?, ?, ?)",
                                [cap.ref, cap.ref.partition("#")[0], cap.fetched_at, key])
                home = urlsplit(cap.url).path in ("", "/") and urlsplit(asked).path not in ("", "/")
                if cap.status in (404, 410) or home:
                    why = f"HTTP {cap.status}" if not home else f"redirected to {cap.url}"
                    if store.mark_removed(scratch, seen.get(key, key), cap.fetched_at, why, cap.ref):
                        report.removed += 1
                    continue
                if cap.status != 200:
                    continue
                # the same frontier row the crawl took the article from: the first one found
                row = state.execute("select found_via, first_seen_at from frontier where article_key = ? "
                                    "order by rowid limit 1", [key]).fetchone()
                result = ingest(scratch, source, key=key, url=cap.url, body=cap.body,
                                content_type=cap.headers.get("content-type"), fetched_at=cap.fetched_at,
                                capture=cap.ref, found_via=row[0] if row else None,
                                first_seen_at=row[1] if row else None,
                                aliases=[asked, *frontier.urls_of(state, key)])
                if result.article_id:
                    scratch.execute("update replayed set article_id = ? where ref = ?", [result.article_id, cap.ref])
                if result.error:
                    report.failures += 1
                elif result.change in ("new", "updated"):
                    report.versions += 1
                    report.articles += result.change == "new"
                    seen[key] = result.article_id or key
    finally:
        scratch.close()


# -- 2. swap the replayed rows in, article by article -----------------------------------------
def _per_article_tables(db: Database) -> list[tuple[str, str]]:
    """(table, column) of every table whose rows belong to an article: a foreign key to
    ``articles(id)``. Children first when deleting, after ``articles`` when inserting."""
    out = []
    for (table,) in db.execute("select name from main.sqlite_master where type = 'table'").fetchall():
        for fk in db.execute(f"pragma main.foreign_key_list([{table}])").fetchall():
            if fk[2] == "articles" and fk[4] in (None, "id"):
                out.append((table, fk[3]))
    return out


def _columns(db: Database, schema: str, table: str) -> list[str]:
    return [r[1] for r in db.execute(f"pragma {schema}.table_info([{table}])").fetchall()]


def _shared_columns(db: Database, table: str, *, without: tuple[str, ...] = ()) -> str:
    replay = set(_columns(db, "replay", table))
    return ", ".join(f"[{c}]" for c in _columns(db, "main", table) if c in replay and c not in without)


def _copy_indicators(db: Database, cols: str, chunk: list[str]) -> None:
    """The replayed figures of ``chunk``, their ids moved past the archive's (the links between
    the figures of one article, ``qualifies_id`` and ``same_as_id``, move with them)."""
    marks = ",".join("?" * len(chunk))
    low = db.execute(f"select min(id) from replay.indicators where article_id in ({marks})", chunk).fetchone()[0]
    if low is None:
        return
    top = db.execute("select coalesce(max(id), 0) from main.indicators").fetchone()[0]
    shift = int(top) + 1 - int(low)
    select = ", ".join(f"{c} + {shift}" if c in ("[id]", "[qualifies_id]", "[same_as_id]") else c
                       for c in cols.split(", "))
    db.execute(f"insert into main.indicators ({cols}) select {select} from replay.indicators "
               f"where article_id in ({marks})", chunk)


def _claims_of(db: Database, chunk: list[str]) -> dict[str, set[str]]:
    """The claims each article of ``chunk`` mentions in the archive now."""
    out: dict[str, set[str]] = {a: set() for a in chunk}
    if "claim_articles" in db.table_names():
        marks = ",".join("?" * len(chunk))
        for aid, cid in db.execute(f"select article_id, claim_id from main.claim_articles "
                                   f"where article_id in ({marks})", chunk).fetchall():
            out[aid].add(cid)
    return out


def _facts_across_articles(db: Database, chunk: list[str], old_claims: dict[str, set[str]]) -> None:
    """What ties an article to figures of other articles lives in the archive, not in the
    replay (which holds one source): its mentions of claims (the same figure in several
    papers) are recomputed here for each swapped article, as a crawl does."""
    from . import claims

    for aid in chunk:
        rows = [{"id": r[0], "claim_id": r[1], "same_as_id": r[2]} for r in db.execute(
            "select id, claim_id, same_as_id from main.indicators where article_id = ?", [aid]).fetchall()]
        claims.update_claims(db, aid, rows, old_claims.get(aid, set()))


def _recluster(db: Database) -> None:
    """Clusters of near-duplicates again over the whole archive, an article clustered at each
    of its versions in the order they were fetched (as the crawls made them: a cluster depends
    on which articles were there first), a few hundred per write transaction so that crawls
    get their turn. They span sources, so they are made after every swap."""
    from . import clusters

    with write_transaction(db):
        for table in ("article_sketch_anchors", "article_sketches", "article_clusters"):
            db.execute(f"delete from [{table}]")
    ids = [r[0] for r in db.execute(
        "select a.id from article_versions v join articles a on a.id = v.article_id "
        "where v.change not like 'removed%' order by v.fetched_at, "  # ties: the order in the raw store
        "substr(v.capture, 1, instr(v.capture, '#') - 1), cast(substr(v.capture, instr(v.capture, '#') + 1) as integer)"
        ).fetchall()]
    for i in range(0, len(ids), SWAP_BATCH):
        with write_transaction(db):
            for aid in ids[i:i + SWAP_BATCH]:
                row = db.execute("select sapo, body_text from articles where id = ?", [aid]).fetchone()
                if row is not None:
                    clusters.cluster_article(db, aid, "\n".join(x for x in row if x))


def _kept(db: Database, source_id: str) -> dict[str, str]:
    """Live articles of the source with a capture that was not read again (or none at all):
    id -> the first such capture. A capture was read again when its reference was, or when
    a record of the same file, fetch time and article was (its reference moved)."""
    rows = db.execute("""
        with caps(id, capture, fetched_at) as (
            select id, capture, fetched_at from main.articles where source = :s
            union all
            select v.article_id, v.capture, v.fetched_at from main.article_versions v
              join main.articles a on a.id = v.article_id where a.source = :s),
        judged(id, capture, ok) as (
            select id, capture, capture is not null and (
                capture in (select ref from replay.replayed)
                or exists (select 1 from replay.replayed r
                           where r.file = substr(caps.capture, 1, instr(caps.capture, '#') - 1)
                             and r.fetched_at = caps.fetched_at
                             and caps.id in (r.article_id, r.key)))
            from caps)
        select id, min(case when not ok then coalesce(capture, '(none)') end)
        from judged group by id having sum(not ok) > 0
        """, {"s": source_id}).fetchall()
    return {r[0]: r[1] for r in rows}


def _swap(db: Database, replay: Path, source: Source, report: ReparseReport) -> None:
    db.execute("attach database ? as replay", [str(replay)])
    try:
        children = [(t, c) for t, c in _per_article_tables(db)
                    if db.execute("select 1 from replay.sqlite_master where name = ?", [t]).fetchone()]
        kept = _kept(db, source.id)
        report.kept += sorted(kept.items())
        live = {r[0] for r in db.execute("select id from main.articles where source = ?", [source.id]).fetchall()}
        fresh = {r[0] for r in db.execute("select id from replay.articles").fetchall()}
        report.dropped += len(live - fresh - kept.keys())
        ids = sorted((live | fresh) - kept.keys())
        article_cols = _shared_columns(db, "articles")
        child_cols = {t: _shared_columns(db, t) for t, _ in children}
        official_cols = _shared_columns(db, "officials")
        for i in range(0, len(ids), SWAP_BATCH):
            chunk = ids[i:i + SWAP_BATCH]
            marks = ",".join("?" * len(chunk))
            with write_transaction(db):
                old_claims = _claims_of(db, chunk)
                for table, col in children:
                    db.execute(f"delete from main.[{table}] where [{col}] in ({marks})", chunk)
                db.execute(f"delete from main.articles where id in ({marks})", chunk)
                db.execute(f"insert into main.articles ({article_cols}) select {article_cols} "
                           f"from replay.articles where id in ({marks})", chunk)
                db.execute(f"insert or ignore into main.officials ({official_cols}) select {official_cols} "
                           f"from replay.officials where id in (select official_id from "
                           f"replay.article_officials where article_id in ({marks}))", chunk)
                for table, col in children:
                    if table == "indicators":
                        _copy_indicators(db, child_cols[table], chunk)
                        continue
                    verb = "insert or replace" if table == "article_urls" else "insert"
                    db.execute(f"{verb} into main.[{table}] ({child_cols[table]}) select {child_cols[table]} "
                               f"from replay.[{table}] where [{col}] in ({marks})", chunk)
                _facts_across_articles(db, chunk, old_claims)
                sync_pairs(db)  # the word pairs of these articles, as a crawl does
        failure_cols = _shared_columns(db, "parse_failures", without=("id",))
        with write_transaction(db):
            # failures of captures read again are replaced; the others stay
            db.execute("delete from main.parse_failures where source = ? and capture in "
                       "(select ref from replay.replayed)", [source.id])
            db.execute(f"insert into main.parse_failures ({failure_cols}) select {failure_cols} "
                       "from replay.parse_failures")
            db.execute("delete from main.officials where id not in "
                       "(select official_id from main.article_officials)")
    finally:
        db.execute("detach database replay")
