"""Raw capture of every HTTP response as WARC records (warcio), outside archive.db.

Files: ``<root>/<source>/<YYYY-MM-DD>.warc.gz``, one gzip member per record, appended. A
capture reference is ``<source>/<file>#<offset>``. A crash can leave a torn last record;
readers skip it (it is also a ``fetches`` row with its error, so nothing is lost silently).
"""
from __future__ import annotations

import io
import os
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path
from typing import Iterator

from warcio.archiveiterator import ArchiveIterator
from warcio.exceptions import ArchiveLoadFailed
from warcio.statusandheaders import StatusAndHeaders
from warcio.warcwriter import WARCWriter

from .clock import VN


@dataclass
class Capture:
    ref: str
    url: str
    status: int
    headers: dict[str, str]
    body: bytes
    fetched_at: str  # WARC-Date, ISO
    source: str
    requested_url: str | None = None  # the URL asked for, when redirects led elsewhere


class RawStore:
    def __init__(self, root: str | Path):
        self.root = Path(root)
        self._checked: set[Path] = set()

    def _repair(self, path: Path) -> None:
        """Once per file and process: cut a torn tail left by a crash (kill -9 mid-write), so
        that records appended from now on stay readable. ``<file>.end`` holds the end of the
        last record that was completely written."""
        if path in self._checked:
            return
        self._checked.add(path)
        marker = path.with_name(path.name + ".end")
        if not path.exists():
            return
        try:
            good = int(marker.read_text().strip() or 0)
        except (OSError, ValueError):  # no marker (older file, or killed before the first one)
            good = _complete_members_end(path)
        if path.stat().st_size > good:
            with open(path, "r+b") as fh:
                fh.truncate(good)

    def write(self, source: str, url: str, status: int, reason: str, headers: list[tuple[str, str]],
              body: bytes, fetched_at: str, request_headers: list[tuple[str, str]] | None = None,
              requested_url: str | None = None) -> str:
        """Append a response record (and its request) and return its capture reference."""
        day = fetched_at[:10]
        folder = self.root / source
        folder.mkdir(parents=True, exist_ok=True)
        path = folder / f"{day}.warc.gz"
        # Content-Encoding was undone by httpx; the stored payload is the decoded body.
        kept = [(k, v) for k, v in headers
                if k.lower() not in ("content-encoding", "transfer-encoding", "content-length")]
        kept.append(("Content-Length", str(len(body))))
        http_headers = StatusAndHeaders(f"{status} {reason or 'OK'}", kept, protocol="HTTP/1.1")
        warc_date = _warc_date(fetched_at)
        extra = {"WARC-Date": warc_date}
        if requested_url and requested_url != url:
            extra["X-Requested-URI"] = requested_url
        self._repair(path)
        buf = io.BytesIO()
        with open(path, "ab") as out:
            offset = out.seek(0, os.SEEK_END)
            fh = buf
            writer = WARCWriter(fh, gzip=True)
            record = writer.create_warc_record(
                url, "response", payload=io.BytesIO(body), length=len(body),
                http_headers=http_headers, warc_headers_dict=extra,
            )
            writer.write_record(record)
            if request_headers is not None:
                req = writer.create_warc_record(
                    url, "request", payload=io.BytesIO(b""), length=0,
                    http_headers=StatusAndHeaders(f"GET {url} HTTP/1.1", request_headers,
                                                  is_http_request=True),
                    warc_headers_dict={"WARC-Date": warc_date,
                                       "WARC-Concurrent-To": record.rec_headers.get_header("WARC-Record-ID")},
                )
                writer.write_record(req)
            out.write(buf.getvalue())
            out.flush()
            os.fsync(out.fileno())
            end = out.tell()
        _write_marker(path.with_name(path.name + ".end"), end)
        return f"{source}/{path.name}#{offset}"

    def read(self, ref: str) -> Capture:
        """Load one capture by reference."""
        name, _, offset = ref.partition("#")
        path = self.root / name
        with open(path, "rb") as fh:
            fh.seek(int(offset))
            for record in ArchiveIterator(fh):
                if record.rec_type == "response":
                    return _capture(record, ref, name.split("/")[0])
                break
        raise KeyError(f"no response record at {ref}")

    def iter_captures(self, source: str | None = None) -> Iterator[Capture]:
        """Every response record in file order (oldest first); torn tails are skipped."""
        folders = [self.root / source] if source else sorted(p for p in self.root.glob("*") if p.is_dir())
        for folder in folders:
            for path in sorted(folder.glob("*.warc.gz")):
                with open(path, "rb") as fh:
                    it = ArchiveIterator(fh)
                    try:
                        for record in it:
                            if record.rec_type != "response":
                                continue
                            cap = _capture(record, "", folder.name)  # read the body before asking the offset
                            cap.ref = f"{folder.name}/{path.name}#{it.get_record_offset()}"
                            yield cap
                    except (ArchiveLoadFailed, EOFError, OSError, ValueError):
                        continue


def _complete_members_end(path: Path) -> int:
    """End offset of the last complete gzip member (one WARC record each): read in chunks."""
    import zlib

    good = 0
    with open(path, "rb") as fh:
        while True:
            fh.seek(good)
            d = zlib.decompressobj(31)
            fed = good
            while not d.eof:
                chunk = fh.read(1 << 16)
                if not chunk:
                    return good  # the member never ended: torn
                fed += len(chunk)
                try:
                    d.decompress(chunk)
                except zlib.error:
                    return good
            good = fed - len(d.unused_data)
            fh.seek(good)
            if not fh.read(1):
                return good


def _write_marker(marker: Path, end: int) -> None:
    """Overwrite the fixed-width end offset in place (one small write, no rename)."""
    fd = os.open(marker, os.O_WRONLY | os.O_CREAT, 0o644)
    try:
        os.pwrite(fd, f"{end:020d}\n".encode(), 0)
    finally:
        os.close(fd)


def _capture(record, ref: str, source: str) -> Capture:
    http = record.http_headers
    status = int(http.get_statuscode()) if http else 0
    headers = {k.lower(): v for k, v in (http.headers if http else [])}
    body = record.content_stream().read()
    date = record.rec_headers.get_header("WARC-Date") or ""
    return Capture(ref=ref, url=record.rec_headers.get_header("WARC-Target-URI"), status=status,
                   headers=headers, body=body, fetched_at=_from_warc_date(date), source=source,
                   requested_url=record.rec_headers.get_header("X-Requested-URI"))


def _warc_date(iso: str) -> str:
    dt = datetime.fromisoformat(iso).astimezone(timezone.utc)
    return dt.strftime("%Y-%m-%dT%H:%M:%SZ")


def _from_warc_date(value: str) -> str:
    try:
        dt = datetime.strptime(value[:19], "%Y-%m-%dT%H:%M:%S")
    except ValueError:
        return value
    return dt.replace(tzinfo=timezone.utc).astimezone(VN).isoformat(timespec="seconds")
