"""CSV that a spreadsheet opens as data, never as formulas.

A cell whose text starts with ``=``, ``+``, ``-``, ``@``, a tab or a carriage return is run as
a formula by Excel, LibreOffice and Google Sheets (``=HYPERLINK(...)``, ``=cmd|...``): an
article title is whatever a web page said. As the spreadsheet-safe exports do (OWASP's
advice), such a cell gets a leading apostrophe, which spreadsheets show as text and do not
display. Numbers written as numbers ("-12,5", "+3.2", "-1e3") are left alone, so negative
figures stay numbers. JSON is never changed. ``hanoi-news export`` writes its ``.csv.gz``
through :func:`safe_row`; Datasette's CSV goes through :class:`CsvRewriter`
(plugins/csv_guard.py).
"""
from __future__ import annotations

import codecs
import csv
import io
import re
from typing import Any, Iterable

TRIGGERS = ("=", "+", "-", "@", "\t", "\r")
_NUMBER = re.compile(r"[+-]?(?:\d+(?:[.,]\d+)*|[.,]\d+)(?:[eE][+-]?\d+)?")


def safe_cell(value: Any) -> Any:
    if isinstance(value, str) and value.startswith(TRIGGERS) and not _NUMBER.fullmatch(value):
        return "'" + value
    return value


def safe_row(row: Iterable[Any]) -> list[Any]:
    return [safe_cell(v) for v in row]


class CsvRewriter:
    """Rewrites a CSV byte stream chunk by chunk, neutralising each cell with
    :func:`safe_cell`. A record ends at a newline outside quotes (an even number of ``"``
    since the record started: a quote inside a quoted field is doubled)."""

    def __init__(self, encoding: str = "utf-8") -> None:
        self._decoder = codecs.getincrementaldecoder(encoding)(errors="surrogateescape")
        self._encoding = encoding
        self._pending = ""  # text of the record not yet complete
        self._scanned = 0  # how much of _pending has been looked at
        self._quotes = 0  # quotes seen in _pending[:_scanned]

    def feed(self, chunk: bytes, final: bool = False) -> bytes:
        self._pending += self._decoder.decode(chunk, final)
        out = []
        start = 0
        pos = self._scanned
        while (nl := self._pending.find("\n", pos)) != -1:
            self._quotes += self._pending.count('"', pos, nl)
            pos = nl + 1
            if self._quotes % 2 == 0:
                out.append(_rewrite(self._pending[start:pos]))
                start, self._quotes = pos, 0
        self._quotes += self._pending.count('"', pos)
        self._pending = self._pending[start:]
        self._scanned = len(self._pending)
        if final and self._pending:
            out.append(_rewrite(self._pending))
            self._pending, self._scanned, self._quotes = "", 0, 0
        return "".join(out).encode(self._encoding, errors="surrogateescape")


def _rewrite(record: str) -> str:
    body = record.rstrip("\r\n")
    ending = record[len(body):]
    rows = list(csv.reader(io.StringIO(body)))
    if len(rows) != 1:  # not one CSV record (an error message in the stream): as it is
        return record
    fixed = safe_row(rows[0])
    if fixed == rows[0]:
        return record  # byte for byte as Datasette wrote it
    buf = io.StringIO()  # the terminator decides which fields need quotes: keep Datasette's
    csv.writer(buf, lineterminator="\r\n").writerow(fixed)
    return buf.getvalue()[:-2] + ending
