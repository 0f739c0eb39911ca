"""The frontier in state.db: how and when each URL was found, what is due, cursors, validators."""
from __future__ import annotations

from datetime import datetime, timedelta

from crawler import frontier
from crawler.clock import VN
from crawler.store import open_state


def test_add_records_how_and_when_once(tmp_path):
    st = open_state(tmp_path / "state.db")
    assert frontier.add(st, source_id="s", url="https://a/x-1.html", key="s:1", found_via="feed", found_on="https://a/rss")
    assert not frontier.add(st, source_id="s", url="https://a/x-1.html", key="s:1", found_via="listing",
                            found_on="https://a/l", lastmod="2025-01-01T00:00:00+07:00")
    row = st.execute("select found_via, found_on, first_seen_at, lastmod, status from frontier").fetchone()
    assert row[0] == "feed" and row[1] == "https://a/rss" and row[2] and row[3].startswith("2025") and row[4] == "new"


def test_pending_yields_one_row_per_article_in_discovery_order(tmp_path):
    st = open_state(tmp_path / "state.db")
    for i, (url, key) in enumerate([("u1", "s:1"), ("u1b", "s:1"), ("u2", "s:2"), ("u3", "s:3")]):
        frontier.add(st, source_id="s", url=url, key=key, found_via="sitemap", found_on=None)
    assert [r["url"] for r in frontier.pending(st, "s", batch=1)] == ["u1", "u2", "u3"]
    assert [r["url"] for r in frontier.pending(st, "s", keys={"s:3"})] == ["u3"]
    assert [r["url"] for r in frontier.pending(st, "s", limit=2)] == ["u1", "u2"]
    assert frontier.urls_of(st, "s:1") == ["u1", "u1b"]


def test_attempts_run_out_into_failed(tmp_path):
    st = open_state(tmp_path / "state.db")
    frontier.add(st, source_id="s", url="u", key="s:1", found_via="feed", found_on=None)
    for _ in range(frontier.MAX_ATTEMPTS - 1):
        frontier.mark_key(st, "s:1", "retry", error="HTTP 500", count_attempt=True)
    assert st.execute("select status from frontier").fetchone()[0] == "retry"
    frontier.mark_key(st, "s:1", "retry", error="HTTP 500", count_attempt=True)
    assert st.execute("select status, last_error from frontier").fetchone() == ("failed", "HTTP 500")
    assert list(frontier.pending(st, "s")) == []


def test_revisit_schedule_1h_1d_7d_then_stop(tmp_path):
    st = open_state(tmp_path / "state.db")
    frontier.add(st, source_id="s", url="u", key="s:1", found_via="feed", found_on=None)
    frontier.mark_key(st, "s:1", "done")
    t0 = datetime(2025, 1, 1, 8, 0, tzinfo=VN)
    seen = []
    for _ in range(4):
        frontier.schedule_revisit(st, "s:1", (1, 24, 168), t0)
        nxt = st.execute("select next_check_at from frontier").fetchone()[0]
        seen.append(nxt)
        if nxt:
            assert [r["url"] for r in frontier.due_revisits(st, "s", datetime.fromisoformat(nxt))] == ["u"]
            assert frontier.due_revisits(st, "s", datetime.fromisoformat(nxt) - timedelta(seconds=1)) == []
            frontier.count_check(st, "s:1")
    assert seen == [(t0 + timedelta(hours=h)).isoformat(timespec="seconds") for h in (1, 24, 168)] + [None]


def test_validators_and_cursors(tmp_path):
    st = open_state(tmp_path / "state.db")
    assert frontier.validators(st, "f") == (None, None)
    frontier.save_validators(st, "f", {"etag": '"x"', "last-modified": "Tue, 14 Nov 2023 22:13:20 GMT"})
    assert frontier.validators(st, "f") == ('"x"', "Tue, 14 Nov 2023 22:13:20 GMT")
    frontier.save_validators(st, "g", {})
    assert frontier.validators(st, "g") == (None, None)
    frontier.set_cursor(st, "s", "backfill:/thoi-su", "https://a/thoi-su?page=7")
    assert frontier.get_cursor(st, "s", "backfill:/thoi-su") == "https://a/thoi-su?page=7"
    st.close()
    assert frontier.get_cursor(open_state(tmp_path / "state.db"), "s", "backfill:/thoi-su").endswith("page=7")
