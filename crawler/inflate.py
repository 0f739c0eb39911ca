"""Content-Encoding undone in bounded steps, with a size limit on every layer.

httpx decodes each chunk read from the socket in one call per layer, so with
``Content-Encoding: gzip, gzip`` one 3.5 KB chunk of the outer layer becomes megabytes of
inner gzip that become gigabytes of body in memory before the caller sees a byte (its
``MultiDecoder`` passes whole outputs from layer to layer; codings it does not know are
skipped silently). The fetcher reads the raw bytes instead (``Response.iter_raw``) and
undoes each layer here with ``zlib``'s ``max_length``: no layer ever holds more than one
piece of ``PIECE`` bytes, and each layer stops with ``TooLarge`` past the limit, so memory
stays at a few pieces per layer whatever the ratio.
"""
from __future__ import annotations

import zlib
from typing import Iterable, Iterator

PIECE = 64 * 1024
MAX_CODINGS = 3  # gzip of gzip of gzip is already more than any site sends


class TooLarge(Exception):
    """A layer of the body went past the size limit."""


class BadEncoding(Exception):
    """A coding this fetcher does not undo, too many of them, or a corrupt stream."""


def codings(header: str | None) -> list[str]:
    """The codings of a Content-Encoding header in the order they were applied."""
    names = [c.strip().lower() for c in (header or "").split(",")]
    return [c for c in names if c and c != "identity"]


def decoded(raw: Iterable[bytes], header: str | None, limit: int) -> Iterator[bytes]:
    """The body under ``Content-Encoding: header``, in pieces; ``TooLarge`` as soon as the
    bytes on the wire or the output of any layer exceed ``limit``; ``BadEncoding`` for a
    coding other than gzip / x-gzip / deflate, for more than ``MAX_CODINGS``, or a corrupt
    stream."""
    applied = codings(header)
    if len(applied) > MAX_CODINGS:
        raise BadEncoding(f"{len(applied)} content codings ({header}); at most {MAX_CODINGS} are undone")
    stream: Iterator[bytes] = _limited(iter(raw), limit, "on the wire")
    for coding in reversed(applied):
        if coding in ("gzip", "x-gzip"):
            stream = _limited(_inflate(stream, zlib.MAX_WBITS | 16, multi_member=True), limit,
                              f"after undoing {coding}")
        elif coding == "deflate":
            stream = _limited(_inflate(stream, None, multi_member=False), limit, "after undoing deflate")
        else:
            raise BadEncoding(f"Content-Encoding {coding!r} is not supported")
    return stream


def _limited(pieces: Iterator[bytes], limit: int, where: str) -> Iterator[bytes]:
    size = 0
    for piece in pieces:
        size += len(piece)
        if size > limit:
            raise TooLarge(f"more than {limit} bytes {where}")
        yield piece


def _inflate(pieces: Iterator[bytes], wbits: int | None, *, multi_member: bool) -> Iterator[bytes]:
    """Undo one layer; ``wbits`` None is HTTP's "deflate": a zlib stream, or (what some
    servers send) a raw deflate stream."""
    engine = None
    try:
        for data in pieces:
            while data:
                if engine is None:
                    engine = zlib.decompressobj(wbits if wbits is not None else _deflate_wbits(data))
                out = engine.decompress(data, PIECE)
                data = engine.unconsumed_tail
                if out:
                    yield out
                while len(out) == PIECE and not data:  # output still pending inside zlib
                    out = engine.decompress(b"", PIECE)
                    if out:
                        yield out
                if engine.eof:
                    rest = engine.unused_data
                    if not multi_member:
                        return  # anything after the end of the stream is ignored
                    data = rest  # a gzip file may hold several members one after the other
                    engine = None
        if engine is not None and not engine.eof:
            tail = engine.flush(PIECE)
            if tail:
                yield tail
    except zlib.error as exc:
        raise BadEncoding(f"corrupt compressed body: {exc}") from exc


def _deflate_wbits(head: bytes) -> int:
    """zlib wrapper (RFC 1950, what HTTP's "deflate" means) or raw deflate (what some send)."""
    if len(head) >= 2 and head[0] & 0x0F == 8 and (head[0] << 8 | head[1]) % 31 == 0:
        return zlib.MAX_WBITS
    return -zlib.MAX_WBITS
