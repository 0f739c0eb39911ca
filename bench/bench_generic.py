"""The generic extractor against trafilatura on public benchmarks of real article pages.

    .venv/bin/python bench/bench_generic.py [--aeb DIR] [--wcxb DIR] [--rounds 3]
                                            [--dump DIR] [--show-held]

Two public data sets (never committed: clone them anywhere and point the script at them,
by argument or by the environment variables HANOI_BENCH_AEB / HANOI_BENCH_WCXB):

* **AEB**, the Scrapinghub article extraction benchmark (MIT licence; 181 English news and
  blog pages of 2019 with a hand-made article body each):
  ``git clone https://github.com/scrapinghub/article-extraction-benchmark`` (the folder
  holds ``html/<id>.html.gz`` and ``ground-truth.json``). Scored with AEB's own metric:
  4-word shingles of ``\\w+`` tokens (case kept); per page true/false positives and false
  negatives as counts of shingles, normalised to sum to one; precision is the mean over
  pages with some output, recall the mean over all pages, F1 their harmonic mean.
  Split by the first hex digit of the page id: 0-7 "tune", 8-f "held".
* **WCXB**, the Web Content eXtraction Benchmark v1.0 (CC-BY-4.0; 2,008 human-reviewed pages
  of 2025; the 965 of type "article" with a main content are used: 709 of its dev split,
  256 of its test split) with a publication date (or null) per page:
  ``git clone https://github.com/Murrough-Foley/web-content-extraction-benchmark`` (the
  folder holds ``dev/``, ``test/`` and ``metadata.json``). Scored with WCXB's own metric:
  bag of lower-cased ``\\w+`` words, precision/recall/F1 per page, each the mean over pages
  (an empty output scores 0).

The held halves (AEB 8-f, WCXB test) are for reporting only: ``--dump`` writes per-page
outputs and scores of the tune halves alone unless ``--show-held`` is given.

Extractors, given the same page and its URL, each in the form it reads fastest:

* generic: ``parsers.extract.parse_article(page, url, use_profile=False)``, the full parse
  (every field), given the page as UTF-8 bytes (how the crawler hands pages to the parser);
  its article text is the on-page lead (``sapo``) followed by ``body_text`` (the lead only
  when printed on the page: a meta description is not article text); the row "generic,
  body_text only" leaves the lead out;
* trafilatura ``extract(html, url=url)`` with its defaults (comments and tables included,
  fallback extractors on, txt output), given the decoded text (``str``: with bytes it would
  first guess the encoding); also ``include_comments=False``, the setting the AEB
  repository ran it with (quality only, not timed).

Speed: CPU time of this process per page, the two extractors interleaved page by page,
median of ``--rounds`` rounds. An empty output is a page where the extractor returned no
text, for the generic parser an empty ``body_text`` (every page of both sets has an
article).

Dates (WCXB, which states a publication date or null per page): the generic parser's
``published_at`` (Hanoi time; a day either side of the truth counts as right, for time
zones) by ``date_source``, and trafilatura's ``extract_metadata(html).date`` for reference.
"""
from __future__ import annotations

import argparse
import gzip
import json
import os
import re
import statistics
import sys
import time
from collections import Counter
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path
from typing import Callable

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from parsers.article import Article, ParseError  # noqa: E402
from parsers.extract import parse_article  # noqa: E402
from parsers.text import match_key  # noqa: E402

_WORD = re.compile(r"\w+")
_HOW_TO_GET = {
    "aeb": "git clone https://github.com/scrapinghub/article-extraction-benchmark DIR",
    "wcxb": "git clone https://github.com/Murrough-Foley/web-content-extraction-benchmark DIR",
}


@dataclass
class Page:
    """One benchmark page: its text, URL, true article body and publication date."""

    key: str
    group: str
    url: str
    html: str
    truth: str
    truth_date: str | None = None

    @property
    def data(self) -> bytes:
        """The page as the crawler hands it to the parser: UTF-8 bytes."""
        data = self.__dict__.get("_data")
        if data is None:
            data = self.__dict__["_data"] = self.html.encode("utf-8")
        return data


# -- data sets ------------------------------------------------------------------------------

def load_aeb(folder: Path) -> list[Page]:
    truth = json.loads((folder / "ground-truth.json").read_text(encoding="utf-8"))
    pages = []
    for key in sorted(truth):
        html = gzip.decompress((folder / "html" / f"{key}.html.gz").read_bytes()).decode("utf-8")
        group = "AEB tune (ids 0-7)" if key[0] in "01234567" else "AEB held (ids 8-f)"
        pages.append(Page(key, group, truth[key].get("url") or "", html,
                          truth[key].get("articleBody") or ""))
    return pages


def load_wcxb(folder: Path) -> list[Page]:
    files = json.loads((folder / "metadata.json").read_text(encoding="utf-8"))["files"]
    pages = []
    for key in sorted(files):
        info = files[key]
        if info.get("page_type") != "article":
            continue
        split = info["split"]
        spec = json.loads((folder / split / "ground-truth" / f"{key}.json").read_text(encoding="utf-8"))
        truth = spec.get("ground_truth") or {}
        if not (truth.get("main_content") or "").strip():
            continue
        html = gzip.decompress((folder / split / "html" / f"{key}.html.gz").read_bytes())
        group = "WCXB dev articles" if split == "dev" else "WCXB test articles (held)"
        pages.append(Page(f"{split}-{key}", group, spec.get("url") or "",
                          html.decode("utf-8", "replace"), truth["main_content"],
                          truth.get("publish_date") or None))
    return pages


def held(group: str) -> bool:
    return "held" in group


# -- metrics --------------------------------------------------------------------------------

def shingles(text: str, size: int = 4) -> Counter[tuple[str, ...]]:
    tokens = _WORD.findall(text or "")
    if len(tokens) <= size:
        return Counter([tuple(tokens)] if tokens else [])
    return Counter(tuple(tokens[i:i + size]) for i in range(len(tokens) - size + 1))


def shingle_counts(truth: str, output: str) -> tuple[float, float, float]:
    """AEB's per-page (tp, fp, fn), normalised to sum to one."""
    want, got = shingles(truth), shingles(output)
    tp = sum((want & got).values())
    fp = sum((got - want).values())
    fn = sum((want - got).values())
    total = tp + fp + fn
    return (tp / total, fp / total, fn / total) if total else (0.0, 0.0, 0.0)


def aeb_scores(pairs: list[tuple[str, str]]) -> tuple[float, float, float]:
    precisions, recalls = [], []
    for truth, output in pairs:
        tp, fp, fn = shingle_counts(truth, output)
        exact = fp == 0 and fn == 0
        if tp + fp > 0:
            precisions.append(1.0 if exact else tp / (tp + fp))
        if tp + fn > 0:
            recalls.append(1.0 if exact else tp / (tp + fn))
    p = statistics.mean(precisions) if precisions else 0.0
    r = statistics.mean(recalls) if recalls else 0.0
    return p, r, (2 * p * r / (p + r) if p + r else 0.0)


def word_prf(truth: str, output: str) -> tuple[float, float, float]:
    """WCXB's per-page word precision, recall, F1."""
    want = Counter(_WORD.findall(truth.lower()))
    got = Counter(_WORD.findall((output or "").lower()))
    if not want:
        return (1.0, 1.0, 1.0) if not got else (0.0, 0.0, 0.0)
    if not got:
        return 0.0, 0.0, 0.0
    common = sum((want & got).values())
    p, r = common / sum(got.values()), common / sum(want.values())
    return p, r, (2 * p * r / (p + r) if p + r else 0.0)


def wcxb_scores(pairs: list[tuple[str, str]]) -> tuple[float, float, float]:
    rows = [word_prf(truth, output) for truth, output in pairs]
    return tuple(statistics.mean(col) for col in zip(*rows))  # type: ignore[return-value]


def scores(group: str, pairs: list[tuple[str, str]]) -> tuple[float, float, float]:
    return aeb_scores(pairs) if group.startswith("AEB") else wcxb_scores(pairs)


def page_f1(group: str, truth: str, output: str) -> float:
    if group.startswith("AEB"):
        return aeb_scores([(truth, output)])[2]
    return word_prf(truth, output)[2]


# -- extractors -----------------------------------------------------------------------------

def generic_parse(page: str | bytes, url: str) -> Article | None:
    try:
        return parse_article(page, url, use_profile=False)
    except ParseError:
        return None


def article_text(article: Article | None, html: str) -> str:
    """The lead (when the page prints it) and the body, as a reader sees the article."""
    if article is None:
        return ""
    body = article.body_text or ""
    lead = article.sapo or ""
    if lead:
        key = match_key(lead)
        if key and key not in match_key(body) and key in _page_key(html):
            body = f"{lead}\n\n{body}" if body else lead
    return body


def _page_key(html: str) -> str:
    """``match_key`` of the page's visible text (scripts, styles and the head left out)."""
    from selectolax.lexbor import LexborHTMLParser

    tree = LexborHTMLParser(html)
    for node in reversed(tree.css("script, style, noscript, template, head")):
        node.decompose()
    root = tree.body or tree.root
    return match_key(root.text(separator=" ")) if root is not None else ""


def trafilatura_fns() -> tuple[str, Callable[[str, str], str | None], Callable[[str, str], str | None]]:
    import trafilatura

    def defaults(html: str, url: str) -> str | None:
        try:
            return trafilatura.extract(html, url=url)
        except Exception:  # noqa: BLE001 - a crash is an empty output here
            return None

    def no_comments(html: str, url: str) -> str | None:
        try:
            return trafilatura.extract(html, url=url, include_comments=False)
        except Exception:  # noqa: BLE001
            return None

    return trafilatura.__version__, defaults, no_comments


# -- the run --------------------------------------------------------------------------------

def timed_outputs(pages: list[Page], rounds: int) -> tuple[dict[str, Article | None], dict[str, str],
                                                           list[float], list[float]]:
    """Generic parses and trafilatura texts of every page (first round), and the CPU
    seconds of each extractor per round (interleaved page by page)."""
    _, traf, _ = trafilatura_fns()
    ours: dict[str, Article | None] = {}
    theirs: dict[str, str] = {}
    for page in pages[:3]:  # warm up imports and caches
        generic_parse(page.data, page.url)
        traf(page.html, page.url)
    ours_s, theirs_s = [], []
    for round_no in range(rounds):
        a = b = 0.0
        for page in pages:
            start = time.process_time()
            parsed = generic_parse(page.data, page.url)
            middle = time.process_time()
            text = traf(page.html, page.url)
            end = time.process_time()
            a += middle - start
            b += end - middle
            if round_no == 0:
                ours[page.key], theirs[page.key] = parsed, text or ""
        ours_s.append(a)
        theirs_s.append(b)
    return ours, theirs, ours_s, theirs_s


def date_verdict(truth: str | None, got: str | None) -> str:
    if truth is None:
        return "none (right)" if got is None else "a date (wrong)"
    if got is None:
        return "none"
    try:
        want = date.fromisoformat(truth[:10])
        have = date.fromisoformat(got[:10])
    except ValueError:
        return "wrong"
    return "right" if abs(have - want) <= timedelta(days=1) else "wrong"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--aeb", default=os.environ.get("HANOI_BENCH_AEB"),
                        help="folder of the Scrapinghub benchmark (env HANOI_BENCH_AEB)")
    parser.add_argument("--wcxb", default=os.environ.get("HANOI_BENCH_WCXB"),
                        help="folder of WCXB (env HANOI_BENCH_WCXB)")
    parser.add_argument("--rounds", type=int, default=3, help="timed rounds (median taken)")
    parser.add_argument("--dump", type=Path, help="write per-page outputs and F1 here")
    parser.add_argument("--show-held", action="store_true", help="dump the held halves too")
    parser.add_argument("--no-dates", action="store_true", help="skip the date comparison")
    args = parser.parse_args()

    pages: list[Page] = []
    for name, folder, loader, marker in (("aeb", args.aeb, load_aeb, "ground-truth.json"),
                                         ("wcxb", args.wcxb, load_wcxb, "metadata.json")):
        if not folder:
            print(f"{name}: no folder given (--{name} or HANOI_BENCH_{name.upper()}); "
                  f"get it with:\n    {_HOW_TO_GET[name]}")
            continue
        if not (Path(folder) / marker).is_file():
            print(f"{name}: {folder} has no {marker}; get the data set with:\n    {_HOW_TO_GET[name]}")
            return 2
        pages += loader(Path(folder))
    if not pages:
        return 2

    version, _, no_comments = trafilatura_fns()
    print(f"Python {sys.version.split()[0]}, trafilatura {version}; {len(pages)} pages; "
          f"CPU time, median of {args.rounds} rounds, interleaved page by page\n")
    ours, theirs, ours_s, theirs_s = timed_outputs(pages, args.rounds)
    quiet = {p.key: no_comments(p.html, p.url) or "" for p in pages}
    texts = {p.key: article_text(ours[p.key], p.html) for p in pages}
    bodies = {p.key: (ours[p.key].body_text or "") if ours[p.key] else "" for p in pages}

    groups = list(dict.fromkeys(p.group for p in pages))
    header = f"{'set':28s} {'pages':>5s}  {'extractor':34s} {'F1':>6s} {'prec':>6s} {'recall':>6s} {'empty':>6s}"
    print(header)
    print("-" * len(header))
    sets = [(group, [p for p in pages if p.group == group]) for group in groups]
    for name in ("AEB", "WCXB"):  # each benchmark whole, both halves
        whole = [p for p in pages if p.group.startswith(name)]
        if whole and len({p.group for p in whole}) > 1:
            sets.append((f"{name} all (both halves)", whole))
    for group, chosen in sets:
        for label, outputs in (("generic (lead + body)", texts),
                               ("generic, body_text only", bodies),
                               ("trafilatura defaults", theirs),
                               ("trafilatura include_comments=False", quiet)):
            p, r, f1 = scores(group, [(page.truth, outputs[page.key]) for page in chosen])
            # generic: an empty body_text, whatever the lead
            empty = sum(1 for page in chosen if not (bodies if label.startswith("generic")
                                                     else outputs)[page.key].strip())
            first = group if label.startswith("generic (") else ""
            count = str(len(chosen)) if first else ""
            print(f"{first:28s} {count:>5s}  {label:34s} {f1:6.3f} {p:6.3f} {r:6.3f} {empty:6d}")
    a, b = statistics.median(ours_s), statistics.median(theirs_s)
    n = len(pages)
    print(f"\nspeed over all {n} pages: generic {1000 * a / n:.2f} ms/page, trafilatura "
          f"{1000 * b / n:.2f} ms/page: generic is {b / a:.1f}x trafilatura's speed")

    dated = [p for p in pages if p.group.startswith("WCXB")]
    if dated and not args.no_dates:
        _dates(dated, ours)
    if args.dump:
        _dump(args.dump, pages, texts, theirs, args.show_held, ours)
    return 0


def _dates(pages: list[Page], ours: dict[str, Article | None]) -> None:
    import trafilatura

    print("\ndates (WCXB article pages): the page's stated publication date vs what each returns")
    for group in dict.fromkeys(p.group for p in pages):
        chosen = [p for p in pages if p.group == group]
        mine: Counter[tuple[str, str]] = Counter()
        theirs: Counter[str] = Counter()
        for page in chosen:
            article = ours[page.key]
            got = article.published_at if article else None
            source = (article.date_source if article and got else None) or "none"
            mine[(date_verdict(page.truth_date, got), source)] += 1
            try:
                other = trafilatura.extract_metadata(page.html, default_url=page.url).date
            except Exception:  # noqa: BLE001
                other = None
            theirs[date_verdict(page.truth_date, other or None)] += 1
        with_date = sum(1 for p in chosen if p.truth_date)
        print(f"  {group}: {with_date} pages with a date, {len(chosen) - with_date} without")
        for has_date in (True, False):
            verdicts = ("right", "wrong", "none") if has_date else ("none (right)", "a date (wrong)")
            label = "with a date   " if has_date else "without a date"
            ours_line = ", ".join(
                f"{v} {sum(c for (vv, _), c in mine.items() if vv == v)}"
                + _by_source(mine, v) for v in verdicts)
            theirs_line = ", ".join(f"{v} {theirs[v]}" for v in verdicts)
            print(f"    {label}  generic: {ours_line}\n"
                  f"    {'':14s}  trafilatura: {theirs_line}")


def _by_source(counts: Counter[tuple[str, str]], verdict: str) -> str:
    parts = [f"{source} {n}" for (v, source), n in sorted(counts.items()) if v == verdict and source != "none"]
    return f" ({', '.join(parts)})" if parts else ""


def _dump(folder: Path, pages: list[Page], texts: dict[str, str], theirs: dict[str, str],
          show_held: bool, ours: dict[str, Article | None]) -> None:
    folder.mkdir(parents=True, exist_ok=True)
    rows = []
    for page in pages:
        if held(page.group) and not show_held:
            continue
        mine, other = page_f1(page.group, page.truth, texts[page.key]), page_f1(page.group, page.truth, theirs[page.key])
        article = ours[page.key]
        rows.append((mine - other, page.key, page.group, mine, other, page.url))
        (folder / f"{page.key}.generic.txt").write_text(texts[page.key], encoding="utf-8")
        (folder / f"{page.key}.trafilatura.txt").write_text(theirs[page.key], encoding="utf-8")
        (folder / f"{page.key}.truth.txt").write_text(page.truth, encoding="utf-8")
        (folder / f"{page.key}.meta.json").write_text(json.dumps({
            "url": page.url, "truth_date": page.truth_date,
            "published_at": article.published_at if article else None,
            "date_source": article.date_source if article else None,
            "extraction": article.extraction if article else None}, ensure_ascii=False), encoding="utf-8")
    rows.sort()
    with (folder / "scores.tsv").open("w", encoding="utf-8") as out:
        out.write("delta\tkey\tgroup\tgeneric_f1\ttrafilatura_f1\turl\n")
        for delta, key, group, mine, other, url in rows:
            out.write(f"{delta:+.3f}\t{key}\t{group}\t{mine:.3f}\t{other:.3f}\t{url}\n")
    print(f"\nper-page outputs and scores in {folder} (scores.tsv, worst first)")


if __name__ == "__main__":
    raise SystemExit(main())
