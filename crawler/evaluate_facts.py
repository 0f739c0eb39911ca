"""Evaluate ``extract`` against the hand-annotated gold facts: precision, recall, F1 per table.

Inputs (read-only, relative to the repository root):
- ``tests/gold/facts/<stem>.json`` with the fixture page ``tests/fixtures/site/www/<stem>.html``
  (text = title + "\\n\\n" + sapo + "\\n\\n" + body_text from ``parsers.parse``);
- ``tests/gold/text/<stem>.txt`` + ``<stem>.json``: our own sentences.
Matching keys: places (name, type); officials name (title agreement reported apart);
indicators (metric_key, value, place), "core" = metric_key other than ``other``; "figures" is
the same after expanding each relation's percentage into a figure of its own, so that gold
written with relations attached (one row per absolute figure, the project convention that all
our gold sets follow) and gold written with one row per figure score alike.

    .venv/bin/python -m crawler.evaluate_facts [--set site|text|all] [-v]
"""
from __future__ import annotations

import argparse
import json
import re
from collections import Counter
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

from parsers.facts import extract
from parsers.facts.numbers import parse_number
from parsers.facts.text import fold_key

ROOT = Path(__file__).resolve().parents[1]
GOLD_SITE = ROOT / "tests" / "gold" / "facts"
SITE = ROOT / "tests" / "fixtures" / "site" / "www"
GOLD_TEXT = ROOT / "tests" / "gold" / "text"
TABLES = ("places", "primary", "officials", "indicators", "core_indicators", "figures", "core_figures")


@dataclass
class Case:
    stem: str
    text: str
    published: date | None
    gold: dict[str, Any]
    source: str  # site | text
    text_from: str = "parse"


@dataclass
class Score:
    tp: int = 0
    fp: int = 0
    fn: int = 0
    misses: list[str] = field(default_factory=list)

    def add(self, gold: Counter, pred: Counter, stem: str) -> None:
        tp = sum((gold & pred).values())
        self.tp += tp
        self.fp += sum(pred.values()) - tp
        self.fn += sum(gold.values()) - tp
        self.misses += [f"{stem}: missed {k}" for k in (gold - pred).elements()]
        self.misses += [f"{stem}: extra  {k}" for k in (pred - gold).elements()]

    @property
    def p(self) -> float:
        return self.tp / (self.tp + self.fp) if self.tp + self.fp else 1.0

    @property
    def r(self) -> float:
        return self.tp / (self.tp + self.fn) if self.tp + self.fn else 1.0

    @property
    def f1(self) -> float:
        return 2 * self.p * self.r / (self.p + self.r) if self.p + self.r else 0.0


def _article_text(html: str, url: str) -> tuple[str, str]:
    """title + sapo + body from the article parser; a crude tag strip only if it fails."""
    try:
        from parsers import parse

        a = parse(html, url)
        parts = [a.title or "", a.sapo or "", a.body_text or ""]
        text = "\n\n".join(p for p in parts if p)
        if text.strip():
            return text, "parse"
    except Exception:  # noqa: BLE001 - the parser is developed in parallel; fall back
        pass
    body = re.sub(r"(?is)<(script|style|nav|header|footer)\b.*?</\1>", " ", html)
    body = re.sub(r"(?i)<br\s*/?>|</p>|</h\d>|</li>|</figcaption>", "\n\n", body)
    body = re.sub(r"<[^>]+>", " ", body)
    import html as _html

    return _html.unescape(body), "crude"


def _date(s: str | None) -> date | None:
    try:
        return date.fromisoformat(s[:10]) if s else None
    except ValueError:
        return None


def load_cases(which: str = "all") -> list[Case]:
    """Gold cases from the fixture site and/or our own text cases."""
    cases: list[Case] = []
    if which in ("all", "site") and GOLD_SITE.is_dir():
        for gp in sorted(GOLD_SITE.glob("*.json")):
            gold = json.loads(gp.read_text(encoding="utf-8"))
            page = SITE / (gold.get("path", "").lstrip("/") or gp.stem + ".html")
            if not page.exists():
                cand = list(SITE.glob(gp.stem + ".*"))
                if not cand:
                    continue
                page = cand[0]
            url = "https://laodongthudo.vn/" + page.name
            text, how = _article_text(page.read_text(encoding="utf-8", errors="replace"), url)
            cases.append(Case(gp.stem, text, _date(gold.get("published")), gold, "site", how))
    if which in ("all", "text"):
        cases += load_text_cases(GOLD_TEXT)
    return cases


def load_text_cases(folder: Path, source: str = "text") -> list[Case]:
    """Cases from ``<stem>.txt`` + ``<stem>.json`` pairs in ``folder``."""
    cases: list[Case] = []
    if folder.is_dir():
        for gp in sorted(folder.glob("*.json")):
            tp = gp.with_suffix(".txt")
            if not tp.exists():
                continue
            gold = json.loads(gp.read_text(encoding="utf-8"))
            cases.append(Case(gp.stem, tp.read_text(encoding="utf-8"), _date(gold.get("published")), gold, source))
    return cases


def _value(v: Any) -> float | None:
    return None if v is None else round(float(v), 3)


def _title_ok(gold_title: str, roles: list[str]) -> bool:
    """The gold title starts one of the roles (compared folded: "Chu tich" is "Chủ tịch")."""
    g = fold_key(gold_title)
    for r in roles:
        r = fold_key(r)
        r = r[len("nguyen "):] if r.startswith("nguyen ") else r
        if r.startswith(g):
            return True
    return False


def score_case(case: Case, scores: dict[str, Score], titles: Counter) -> None:
    facts = extract(case.text, case.published)
    g = case.gold
    gp = Counter((fold_key(p["name"]), p["type"]) for p in g.get("places", []))
    pp = Counter((fold_key(p.name), p.type) for p in facts.places)
    scores["places"].add(gp, pp, case.stem)
    gprim = Counter((fold_key(p["name"]), p["type"]) for p in g.get("places", []) if p.get("is_primary"))
    pprim = Counter((fold_key(p.name), p.type) for p in facts.places if p.is_primary)
    scores["primary"].add(gprim, pprim, case.stem)
    go = Counter({fold_key(o["name"]): 1 for o in g.get("officials", [])})
    po = Counter({fold_key(o.name): 1 for o in facts.officials})
    scores["officials"].add(go, po, case.stem)
    by_name = {fold_key(o.name): o for o in facts.officials}
    for o in g.get("officials", []):
        pred = by_name.get(fold_key(o["name"]))
        if pred is not None:
            ok = _title_ok(o["title"], pred.roles or [pred.title or ""])
            titles["ok" if ok else "wrong"] += 1
            if not ok:
                scores["officials"].misses.append(f"{case.stem}: title {o['name']} {o['title']!r} vs {pred.roles}")
    gi = Counter((i["metric_key"], _value(i["value"]), fold_key(i.get("place") or "")) for i in g.get("indicators", []))
    pi = Counter((i.metric_key, _value(i.value), fold_key(i.place or "")) for i in facts.indicators)
    scores["indicators"].add(gi, pi, case.stem)
    core = lambda c: Counter({k: v for k, v in c.items() if k[0] != "other"})  # noqa: E731
    scores["core_indicators"].add(core(gi), core(pi), case.stem)
    gf = _figures([(i["metric_key"], i["value"], i.get("place"), i.get("relation")) for i in g.get("indicators", [])])
    pf = _figures([(i.metric_key, i.value, i.place, i.relation) for i in facts.indicators])
    scores["figures"].add(gf, pf, case.stem)
    scores["core_figures"].add(core(gf), core(pf), case.stem)


_REL_PCT = re.compile(
    r"(?i)(tăng|giảm|tang|giam)?[^\d,;]{0,12}?(\d+(?:[.,]\d+)*)(?:\s*(?:-|–|đến)\s*\d+(?:[.,]\d+)*)?\s*%")
_GROWTH_KEY = {"production_value": "production_value_growth",
               "trade_service_revenue": "trade_service_growth"}


def _figures(rows: list[tuple[Any, Any, Any, Any]]) -> Counter:
    """Convention-neutral keys: every figure once, whether a percentage of plan or a growth
    rate is written as its own indicator or as the ``relation`` of the absolute figure
    ("3.012,6 tỷ đồng" + relation "đạt 58,3% dự toán" counts as two figures)."""
    keys: set[tuple[Any, ...]] = set()
    for key, value, place, relation in rows:
        where = fold_key(place or "")
        keys.add((key, _value(value), where))
        for m in _REL_PCT.finditer(relation or ""):
            v = parse_number(m.group(2))
            k = _GROWTH_KEY.get(key, key) if m.group(1) else key
            if v is not None:
                keys.add((k, _value(v), where))
    return Counter(keys)


def evaluate(cases: list[Case]) -> tuple[dict[str, Score], Counter]:
    """Scores per table over ``cases`` and the officials' title agreement counts."""
    scores = {t: Score() for t in TABLES}
    titles: Counter = Counter()
    for c in cases:
        score_case(c, scores, titles)
    return scores, titles


def report(scores: dict[str, Score], titles: Counter, label: str) -> str:
    lines = [f"{label}", f"{'table':<17}{'P':>7}{'R':>7}{'F1':>7}{'tp':>6}{'fp':>5}{'fn':>5}"]
    for t, s in scores.items():
        lines.append(f"{t:<17}{s.p:>7.3f}{s.r:>7.3f}{s.f1:>7.3f}{s.tp:>6}{s.fp:>5}{s.fn:>5}")
    n = titles["ok"] + titles["wrong"]
    if n:
        lines.append(f"official titles agreeing for matched names: {titles['ok']}/{n} = {titles['ok'] / n:.3f}")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--set", default="all", choices=("all", "site", "text"))
    ap.add_argument("-v", "--verbose", action="store_true", help="list misses and extras")
    ap.add_argument("--dir", type=Path, help="evaluate <stem>.txt + <stem>.json pairs in this folder")
    args = ap.parse_args(argv)
    sets = ("site", "text") if args.set == "all" else (args.set,)
    if args.dir:
        sets = (str(args.dir),)
    for which in sets:
        cases = load_text_cases(args.dir, "dir") if args.dir else load_cases(which)
        crude = [c.stem for c in cases if c.text_from == "crude"]
        scores, titles = evaluate(cases)
        print(report(scores, titles, f"== {which}: {len(cases)} cases" + (f" ({len(crude)} via crude text fallback)" if crude else "")))
        if args.verbose:
            for t in TABLES:
                for m in scores[t].misses:
                    print(f"  [{t}] {m}")
        print()


if __name__ == "__main__":
    main()
