"""Raw capture of every HTTP response as WARC records (warcio), outside archive.db.

Files: ``<root>/<source>/<YYYY-MM-DD>.warc.gz``, one gzip member per record, appended. A
capture reference is ``<source>/<file>#<offset>``.

Damage: a crash can leave a torn last record; the next writer cuts it off (``_repair``). A
file damaged otherwise (cut short, garbage written into it, a torn record with records
appended after it) is read member by member: a member that does not inflate completely, or
fails its CRC, or is not a WARC record, is a :class:`Damage` (file, start, end), and reading
resumes at the next gzip member that holds a complete WARC record. Every record a reference
can reach is therefore also seen by :meth:`RawStore.iter_captures` (``reparse``).
"""
from __future__ import annotations

import io
import logging
import os
import zlib
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path
from typing import Iterator

from warcio.archiveiterator import ArchiveIterator
from warcio.exceptions import ArchiveLoadFailed
from warcio.statusandheaders import StatusAndHeaders
from warcio.warcwriter import WARCWriter

from .clock import VN

log = logging.getLogger(__name__)
GZIP_MAGIC = b"\x1f\x8b\x08"
MAX_RECORD = 256 << 20  # inflated bytes of one record (a page is capped far lower by the fetcher)


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


@dataclass
class Damage:
    """Bytes of a WARC file that hold no readable record: ``file`` is ``<source>/<name>``,
    the region is ``[start, end)``; reading went on at ``end`` (the end of the file when
    nothing readable follows)."""
    file: str
    start: int
    end: int
    error: str

    def __str__(self) -> str:
        return f"{self.file} bytes {self.start}-{self.end}: {self.error}"


class RawStore:
    def __init__(self, root: str | Path):
        self.root = Path(root)
        self._checked: set[Path] = set()

    def _repair(self, path: Path) -> None:
        """Once per file and process: cut a torn tail left by a crash (kill -9 mid-write), so
        that records appended from now on stay readable. ``<file>.end`` holds the end of the
        last record that was completely written (see ``_torn_tail`` for what is cut)."""
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
        size = path.stat().st_size
        if size <= good:
            return
        with open(path, "r+b") as fh:
            cut = _torn_tail(_File(fh), good)
            if cut is None:
                log.warning("%s: %d bytes past the last known record end were not written by a "
                            "crash mid-write; kept (readers skip what they cannot read)", path, size - good)
            elif cut < size:
                log.warning("%s: cut a torn tail of %d bytes (a crash mid-write)", path, size - cut)
                fh.truncate(cut)

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

    def iter_captures(self, source: str | None = None,
                      damage: list[Damage] | None = None) -> Iterator[Capture]:
        """Every readable response record in file order (oldest first). Unreadable regions
        are skipped, reading resumes at the next complete record, and each region is
        appended to ``damage`` (when given) and logged."""
        folders = [self.root / source] if source else sorted(p for p in self.root.glob("*") if p.is_dir())
        for folder in folders:
            for path in sorted(folder.glob("*.warc.gz")):
                name = f"{folder.name}/{path.name}"
                for start, end, data, error in _records(path):
                    cap = None
                    if data is not None:
                        try:
                            record = next(iter(ArchiveIterator(io.BytesIO(data))))
                            if record.rec_type != "response":
                                continue
                            cap = _capture(record, f"{name}#{start}", folder.name)
                        except (StopIteration, ArchiveLoadFailed, EOFError, ValueError) as exc:
                            error = f"not a readable WARC record ({type(exc).__name__}: {exc})"
                    if cap is not None:
                        yield cap
                        continue
                    bad = Damage(name, start, end, error or "unreadable")
                    log.warning("unreadable WARC region: %s", bad)
                    if damage is not None:
                        damage.append(bad)


class _Unreadable(Exception):
    pass


class _File:
    """A WARC file read through one cached 1 MB block: records are read in order, most of
    them a few KB, so one read from disk serves many."""

    BLOCK = 1 << 20

    def __init__(self, fh) -> None:
        self.fh = fh
        self.size = os.fstat(fh.fileno()).st_size
        self.start = 0
        self.block = b""

    def view(self, pos: int, n: int) -> memoryview:
        if not (self.start <= pos and pos + n <= self.start + len(self.block)):
            self.fh.seek(pos)
            self.block = self.fh.read(max(n, self.BLOCK))
            self.start = pos
        return memoryview(self.block)[pos - self.start: pos - self.start + n]

    def find(self, needle: bytes, pos: int) -> int:
        while pos < self.size:
            window = bytes(self.view(pos, self.BLOCK))
            i = window.find(needle)
            if i != -1:
                return pos + i
            if len(window) < len(needle):
                return -1
            pos += len(window) - (len(needle) - 1)  # a needle across two windows is seen once
        return -1


def _member(f: _File, start: int) -> tuple[bytes, int]:
    """Inflate the gzip member at ``start``: (its bytes, where it ends). Raises _Unreadable
    when it is torn (the file ends first), corrupt (zlib, CRC) or too big."""
    d = zlib.decompressobj(31)
    out: list[bytes] = []
    size = 0
    pos = start
    while not d.eof:
        chunk = f.view(pos, 16384)
        if not chunk:
            raise _Unreadable("torn record (the file ends inside it)")
        pos += len(chunk)
        try:
            part = d.decompress(chunk, MAX_RECORD + 1 - size)
        except zlib.error as exc:
            raise _Unreadable(f"corrupt gzip data ({exc})") from None
        size += len(part)
        out.append(part)
        if size > MAX_RECORD:
            raise _Unreadable("record larger than any the crawler writes")
    return b"".join(out), pos - len(d.unused_data)


def _record(f: _File, start: int) -> tuple[bytes, int]:
    data, end = _member(f, start)
    if not data.startswith(b"WARC/"):
        raise _Unreadable("a gzip member that is not a WARC record")
    return data, end


def _next_record(f: _File, start: int) -> int | None:
    """Offset of the first complete WARC record member at or after ``start``."""
    pos = f.find(GZIP_MAGIC, start)
    while pos != -1:
        try:
            _record(f, pos)
            return pos
        except _Unreadable:
            pos = f.find(GZIP_MAGIC, pos + 1)
    return None


def _records(path: Path) -> Iterator[tuple[int, int, bytes | None, str | None]]:
    """``(start, end, record, None)`` for every readable record and ``(start, end, None,
    error)`` for every unreadable region, in file order."""
    with open(path, "rb") as fh:
        f = _File(fh)
        pos = 0
        while pos < f.size:
            try:
                data, end = _record(f, pos)
            except _Unreadable as exc:
                nxt = _next_record(f, pos + 1)
                yield pos, (f.size if nxt is None else nxt), None, str(exc)
                if nxt is None:
                    return
                pos = nxt
                continue
            yield pos, end, data, None
            pos = end


def _torn_tail(f: _File, good: int) -> int | None:
    """Where to cut a file whose bytes go past ``good`` (the end of the last record a writer
    finished): after the complete records that start there (a writer killed after its write
    but before its marker leaves one), at the first torn one. None when the bytes at ``good``
    are no record start at all: the file was changed some other way (bytes written into its
    middle move the last records past the marker), and nothing is cut."""
    if bytes(f.view(good, len(GZIP_MAGIC))) != GZIP_MAGIC:
        return None
    pos = good
    while pos < f.size:
        try:
            _data, pos = _record(f, pos)
        except _Unreadable:
            return pos
    return pos


def _complete_members_end(path: Path) -> int:
    """End offset of the last complete record (a file with no ``.end`` marker)."""
    good = 0
    for _start, end, data, _error in _records(path):
        if data is not None:
            good = end
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
