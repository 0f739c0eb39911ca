"""``hanoi-news export``: dated dumps of the published archive.

``exports/YYYY-MM-DD/`` gets, all taken from one consistent snapshot (SQLite backup API, safe
while the crawler writes):

* ``<db>.db``               the SQLite snapshot
* ``<table>.csv.gz``        every published table, with a header row (UTF-8)
* ``<table>.jsonl.gz``      the same as JSON Lines (one object per row)
* ``DATA_DICTIONARY.md`` and ``data_dictionary.json``: tables, columns, types, descriptions,
  licence and source, generated from metadata.yml
* ``SHA256SUMS``            ``sha256sum -c SHA256SUMS`` checks the files

The dump is written into a hidden folder next to it and renamed into place when complete, so
a dump folder never holds files from two exports or a ``SHA256SUMS`` that does not match
(an export killed midway leaves the previous dump of the day as it was).
"""
from __future__ import annotations

import csv
import gzip
import hashlib
import io
import json
import os
import secrets
import shutil
import sqlite3
from datetime import date as date_cls
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

import click

from .app import load_metadata
from .csv_safe import safe_row

# Never exported: search internals (rebuildable from articles) and bookkeeping.
INTERNAL_COLUMNS = {"articles": {"search_fold"}}


def snapshot(src_path: str | Path, dest_path: str | Path) -> Path:
    """Consistent copy of a live SQLite file with the backup API (one step = one read
    transaction, so a writer committing meanwhile is either fully in or fully out)."""
    dest = Path(dest_path)
    dest.parent.mkdir(parents=True, exist_ok=True)
    tmp = dest.with_name(dest.name + ".tmp")
    tmp.unlink(missing_ok=True)
    src = sqlite3.connect(f"file:{Path(src_path).resolve()}?mode=ro", uri=True, timeout=30)
    dst = sqlite3.connect(tmp)
    try:
        src.backup(dst)  # pages=-1: everything in one step
        dst.execute("pragma journal_mode=delete")  # a single self-contained file
        dst.commit()
    finally:
        dst.close()
        src.close()
    os.replace(tmp, dest)
    return dest


def sha256_file(path: Path) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as f:
        for chunk in iter(lambda: f.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()


def published_tables(conn: sqlite3.Connection, meta_db: dict[str, Any]) -> list[str]:
    """Tables a reader sees: not hidden in metadata, not FTS/SQLite internals."""
    tables_meta = meta_db.get("tables") or {}
    names = [r[0] for r in conn.execute(
        "select name from sqlite_master where type='table' order by name")]
    fts = {n for n in names if conn.execute(
        "select sql from sqlite_master where name=?", [n]).fetchone()[0].lower()
        .startswith("create virtual table")}
    shadow = {n for n in names for f in fts if n.startswith(f + "_")}
    return [n for n in names
            if not n.startswith("sqlite_") and n not in fts and n not in shadow
            and not (tables_meta.get(n) or {}).get("hidden")]


def _columns(conn, table) -> list[tuple[str, str]]:
    return [(r[1], r[2] or "") for r in conn.execute(f"pragma table_info([{table}])")
            if r[1] not in INTERNAL_COLUMNS.get(table, set())]


def dump_table(conn: sqlite3.Connection, table: str, out_dir: Path) -> dict[str, Any]:
    cols = [c for c, _ in _columns(conn, table)]
    select = ", ".join(f"[{c}]" for c in cols)
    csv_path = out_dir / f"{table}.csv.gz"
    jsonl_path = out_dir / f"{table}.jsonl.gz"
    n = 0
    with gzip.open(csv_path, "wt", encoding="utf-8", newline="", compresslevel=6) as fc, \
            gzip.open(jsonl_path, "wt", encoding="utf-8", compresslevel=6) as fj:
        w = csv.writer(fc)
        w.writerow(cols)
        cur = conn.execute(f"select {select} from [{table}] order by rowid"
                           if _has_rowid(conn, table) else f"select {select} from [{table}]")
        while True:
            rows = cur.fetchmany(2000)
            if not rows:
                break
            for row in rows:
                w.writerow(safe_row("" if v is None else
                                    (v.hex() if isinstance(v, bytes) else v) for v in row))
                fj.write(json.dumps(
                    {c: (v.hex() if isinstance(v, bytes) else v) for c, v in zip(cols, row)},
                    ensure_ascii=False) + "\n")
            n += len(rows)
    return {"table": table, "rows": n, "files": [csv_path.name, jsonl_path.name]}


def _has_rowid(conn, table) -> bool:
    sql = conn.execute("select sql from sqlite_master where name=?", [table]).fetchone()[0]
    return "without rowid" not in sql.lower()


def data_dictionary(conn: sqlite3.Connection, meta: dict[str, Any], db_name: str,
                    tables: list[str], counts: dict[str, int]) -> dict[str, Any]:
    dbm = (meta.get("databases") or {}).get(db_name) or {}
    tm_all = dbm.get("tables") or {}
    out: dict[str, Any] = {
        "title": meta.get("title"), "database": db_name,
        "generated_at": datetime.now(timezone.utc).isoformat(timespec="seconds"),
        "license": meta.get("license"), "license_url": meta.get("license_url"),
        "source": meta.get("source"), "source_url": meta.get("source_url"),
        "tables": [],
    }
    for t in tables:
        tm = tm_all.get(t) or {}
        coldesc = tm.get("columns") or {}
        out["tables"].append({
            "name": t, "description": tm.get("description", ""), "rows": counts.get(t),
            "license": tm.get("license", dbm.get("license", meta.get("license"))),
            "license_url": tm.get("license_url", dbm.get("license_url")),
            "source": tm.get("source", dbm.get("source", meta.get("source"))),
            "source_url": tm.get("source_url", dbm.get("source_url")),
            "files": [f"{t}.csv.gz", f"{t}.jsonl.gz"],
            "columns": [{"name": c, "type": typ, "description": coldesc.get(c, "")}
                        for c, typ in _columns(conn, t)],
        })
    return out


def dictionary_markdown(d: dict[str, Any]) -> str:
    def cell(s: Any) -> str:
        return str(s if s is not None else "").replace("|", "\\|").replace("\n", " ")

    lines = [f"# Data dictionary — {d['title']}", "",
             f"Database `{d['database']}`, exported {d['generated_at']}.", "",
             f"Licence: {d['license']} ({d['license_url']}). Source: {d['source']}.", "",
             "Files per table: `<table>.csv.gz` (UTF-8, header row) and `<table>.jsonl.gz` "
             "(one JSON object per line). The whole database: the `.db` file. Check with "
             "`sha256sum -c SHA256SUMS`.", "",
             "In the CSV files a text cell that starts with `=`, `+`, `-`, `@`, a tab or a "
             "carriage return (and is not a number) is written with a leading `'`, so that a "
             "spreadsheet shows it as text instead of running it as a formula; the JSON Lines "
             "files and the database keep every value as it is.", ""]
    for t in d["tables"]:
        lines += [f"## {t['name']}", "", cell(t["description"]), "",
                  f"- rows: {t['rows']}", f"- licence: {cell(t['license'])}",
                  f"- source: {cell(t['source'])}", "",
                  "| column | type | description |", "|---|---|---|"]
        lines += [f"| `{c['name']}` | {c['type']} | {cell(c['description'])} |"
                  for c in t["columns"]]
        lines.append("")
    return "\n".join(lines)


def export_archive(db_path: str | Path, out_root: str | Path = "exports", *,
                   day: date_cls | None = None,
                   metadata_path: str | Path | None = None) -> dict[str, Any]:
    """Write ``out_root/YYYY-MM-DD/``; returns {"directory", "tables", "files", "bytes"}."""
    db_path = Path(db_path)
    final_dir = Path(out_root) / (day or datetime.now(timezone.utc).date()).isoformat()
    final_dir.parent.mkdir(parents=True, exist_ok=True)
    out_dir = final_dir.with_name(f".{final_dir.name}.tmp-{os.getpid()}-{secrets.token_hex(4)}")
    out_dir.mkdir()
    try:
        result = _export_into(db_path, out_dir, metadata_path)
    except BaseException:
        shutil.rmtree(out_dir, ignore_errors=True)
        raise
    old = None
    if final_dir.exists():  # an earlier dump of the same day: moved aside, then removed
        old = final_dir.with_name(f".{final_dir.name}.old-{secrets.token_hex(4)}")
        os.rename(final_dir, old)
    os.rename(out_dir, final_dir)
    if old is not None:
        shutil.rmtree(old, ignore_errors=True)
    return {**result, "directory": final_dir}


def _export_into(db_path: Path, out_dir: Path, metadata_path: str | Path | None) -> dict[str, Any]:
    name = db_path.stem
    snap = snapshot(db_path, out_dir / f"{name}.db")
    meta = load_metadata(name, metadata_path=metadata_path)
    conn = sqlite3.connect(f"file:{snap}?mode=ro", uri=True)
    try:
        tables = published_tables(conn, (meta.get("databases") or {}).get(name) or {})
        results = [dump_table(conn, t, out_dir) for t in tables]
        counts = {r["table"]: r["rows"] for r in results}
        dd = data_dictionary(conn, meta, name, tables, counts)
    finally:
        conn.close()
    (out_dir / "data_dictionary.json").write_text(
        json.dumps(dd, ensure_ascii=False, indent=2), encoding="utf-8")
    (out_dir / "DATA_DICTIONARY.md").write_text(dictionary_markdown(dd), encoding="utf-8")
    files = sorted(p for p in out_dir.iterdir()
                   if p.is_file() and p.name != "SHA256SUMS" and not p.name.endswith(".tmp"))
    buf = io.StringIO()
    for p in files:
        buf.write(f"{sha256_file(p)}  {p.name}\n")
    (out_dir / "SHA256SUMS").write_text(buf.getvalue(), encoding="utf-8")
    return {"directory": out_dir, "tables": counts, "files": [p.name for p in files],
            "bytes": sum(p.stat().st_size for p in files)}


@click.command("export")
@click.option("--db", "db_path", default="archive.db", show_default=True,
              type=click.Path(exists=True, dir_okay=False), help="Archive to export.")
@click.option("--out", "out_root", default="exports", show_default=True,
              type=click.Path(file_okay=False), help="Folder for the dated dump folders.")
def export(db_path: str, out_root: str) -> None:
    """Write a dated dump: CSV.gz + JSON Lines per table, SQLite snapshot, SHA256SUMS and a
    data dictionary, into OUT/YYYY-MM-DD/."""
    res = export_archive(db_path, out_root)
    for t, n in res["tables"].items():
        click.echo(f"{t}: {n} rows")
    click.echo(f"wrote {len(res['files'])} files ({res['bytes'] / 1e6:.1f} MB) "
               f"to {res['directory']}")
