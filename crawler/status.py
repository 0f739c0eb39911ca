"""Health of each source: last success, failures in a row, articles per day, completeness."""
from __future__ import annotations

from dataclasses import dataclass

from sqlite_utils import Database


@dataclass
class SourceHealth:
    source: str
    articles: int
    last_success: str | None
    consecutive_failures: int
    per_day_7d: float
    with_date: float
    with_author: float
    with_body: float
    with_place: float
    paused_hosts: str = ""


def health(db: Database, source_ids: list[str]) -> list[SourceHealth]:
    out = []
    has_places = "article_places" in db.table_names()
    for sid in source_ids:
        last_ok = db.execute("select max(finished_at) from runs where source = ? and status like 'ok%'",
                             [sid]).fetchone()[0]
        failures = 0
        for (status,) in db.execute("select status from runs where source = ? order by id desc limit 50", [sid]):
            if status in ("failed",):
                failures += 1
            else:
                break
        n = db.execute("select count(*) from articles where source = ?", [sid]).fetchone()[0]
        recent = db.execute("select count(*) from articles where source = ? and first_seen_at >= "
                            "datetime('now', '-7 days')", [sid]).fetchone()[0]

        def share(where: str) -> float:
            if not n:
                return 0.0
            k = db.execute(f"select count(*) from articles where source = ? and ({where})", [sid]).fetchone()[0]
            return k / n

        place_share = share("id in (select article_id from article_places)") if has_places else 0.0
        out.append(SourceHealth(
            source=sid, articles=n, last_success=last_ok, consecutive_failures=failures,
            per_day_7d=recent / 7, with_date=share("date_source is not null and date_source != 'first-seen'"),
            with_author=share("authors is not null and authors != '[]'"),
            with_body=share("length(body_text) > 200"), with_place=place_share))
    return out


def format_table(rows: list[SourceHealth]) -> str:
    head = (f"{'source':<14} {'articles':>8} {'last success':<26} {'fail':>4} {'/day':>6} "
            f"{'date':>5} {'author':>6} {'body':>5} {'place':>5}")
    lines = [head, "-" * len(head)]
    for r in rows:
        lines.append(f"{r.source:<14} {r.articles:>8} {(r.last_success or 'never'):<26} {r.consecutive_failures:>4} "
                     f"{r.per_day_7d:>6.1f} {r.with_date:>5.0%} {r.with_author:>6.0%} {r.with_body:>5.0%} "
                     f"{r.with_place:>5.0%}")
    return "\n".join(lines)
