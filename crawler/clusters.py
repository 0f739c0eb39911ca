"""Near-duplicate articles: one press release printed by several papers is one cluster.

Method (cheap, robust, explained in docs/DESIGN.md): the lead and body are folded (no
diacritics, lower case) and cut into word 4-shingles; each shingle is hashed with CRC-32 and
the 64 smallest hashes are the article's *bottom-k sketch*. Two sketches estimate the
Jaccard similarity of the two shingle sets (the share of the 64 smallest hashes of the union
that both hold), and with the two set sizes, the *containment* of the shorter article in the
longer one (a paper that prints half of a release is still the same release). An article
joins the cluster of its most similar earlier article when that containment is at least
``THRESHOLD``; else it starts a cluster of its own (``cluster_id`` = its own id). Candidates
come from an index of each article's 8 smallest hashes: near-duplicates share some of their
smallest hashes with high probability, unrelated articles rarely do. Nothing is deleted: a
cluster is a label on ``article_clusters``.
"""
from __future__ import annotations

import heapq
import re
import zlib
from array import array

from sqlite_utils import Database

from parsers.facts.text import fold

SHINGLE = 4
K = 64
ANCHORS = 8
THRESHOLD = 0.6
MIN_SHINGLES = 20  # shorter texts (a caption, a one-line brief) are never clustered
MAX_CANDIDATES = 200
METHOD = f"bottom-{K} sketch of word {SHINGLE}-shingles, containment >= {THRESHOLD}"
_WORD = re.compile(r"\w+")


def sketch(text: str) -> tuple[int, list[int]]:
    """(number of distinct shingles, the ``K`` smallest shingle hashes in ascending order)."""
    words = _WORD.findall(fold(text or ""))
    hashes = {zlib.crc32(" ".join(words[i:i + SHINGLE]).encode()) for i in range(len(words) - SHINGLE + 1)}
    return len(hashes), heapq.nsmallest(K, hashes)


def containment(a: tuple[int, list[int]], b: tuple[int, list[int]]) -> float:
    """Estimated share of the smaller shingle set that the other one holds."""
    (na, sa), (nb, sb) = a, b
    if not na or not nb:
        return 0.0
    union = heapq.nsmallest(K, set(sa) | set(sb))
    both = set(sa) & set(sb)
    j = sum(1 for h in union if h in both) / len(union)
    inter = j / (1 + j) * (na + nb)
    return min(1.0, inter / min(na, nb))


def create_tables(db: Database) -> None:
    names = set(db.table_names())
    if "article_clusters" not in names:
        db.table("article_clusters").create(
            {"article_id": str, "cluster_id": str, "matched_article_id": str, "similarity": float,
             "method": str},
            pk="article_id",
        )
        db.table("article_clusters").create_index(["cluster_id"])
    if "article_sketches" not in names:
        db.table("article_sketches").create({"article_id": str, "shingles": int, "sketch": bytes},
                                            pk="article_id")
    if "article_sketch_anchors" not in names:
        db.table("article_sketch_anchors").create({"anchor": int, "article_id": str})
        db.table("article_sketch_anchors").create_index(["anchor"])
        db.table("article_sketch_anchors").create_index(["article_id"])


def cluster_article(db: Database, article_id: str, text: str) -> str:
    """(Re)assign one article to a cluster; returns its cluster id. Caller owns the
    transaction."""
    db.execute("delete from article_sketch_anchors where article_id = ?", [article_id])
    db.execute("delete from article_sketches where article_id = ?", [article_id])
    n, sk = sketch(text)
    best: tuple[float, str] | None = None
    if n >= MIN_SHINGLES:
        anchors = sk[:ANCHORS]
        marks = ",".join("?" * len(anchors))
        cands = [r[0] for r in db.execute(
            f"select distinct article_id from article_sketch_anchors where anchor in ({marks}) "
            f"and article_id <> ? limit {MAX_CANDIDATES}", [*anchors, article_id]).fetchall()]
        for cid in cands:
            row = db.execute("select shingles, sketch from article_sketches where article_id = ?", [cid]).fetchone()
            if row is None:
                continue
            other = (row[0], array("I", row[1]).tolist())
            c = containment((n, sk), other)
            if c >= THRESHOLD and (best is None or c > best[0] or (c == best[0] and cid < best[1])):
                best = (c, cid)
        db.execute("insert into article_sketches (article_id, shingles, sketch) values (?, ?, ?)",
                   [article_id, n, array("I", sk).tobytes()])
        db.conn.executemany("insert into article_sketch_anchors (anchor, article_id) values (?, ?)",
                       [(h, article_id) for h in anchors])
    cluster = article_id
    if best is not None:
        row = db.execute("select cluster_id from article_clusters where article_id = ?", [best[1]]).fetchone()
        cluster = row[0] if row and row[0] else best[1]
    db.execute("insert or replace into article_clusters (article_id, cluster_id, matched_article_id, "
               "similarity, method) values (?, ?, ?, ?, ?)",
               [article_id, cluster, best[1] if best else None, round(best[0], 3) if best else None, METHOD])
    return cluster


def rebuild_clusters(db: Database) -> int:
    """Cluster every stored article again, in the order they were first seen. Returns the
    number of articles clustered."""
    for table in ("article_sketch_anchors", "article_sketches", "article_clusters"):
        db.execute(f"delete from [{table}]")
    rows = db.execute("select id, sapo, body_text from articles order by first_seen_at, rowid").fetchall()
    for article_id, sapo, body in rows:
        cluster_article(db, article_id, "\n".join(x for x in (sapo, body) if x))
    return len(rows)
