"""Evaluate ``extract`` against hand-annotated facts: precision, recall, F1 per table.

Inputs (read-only):
- ``tests/gold/facts/<stem>.json`` with the fixture page ``tests/fixtures/site/www/<stem>.html``
  (text = title + "\\n\\n" + sapo + "\\n\\n" + body_text from ``parsers.parse``);
- ``tests/gold/text/<stem>.txt`` + ``<stem>.json``: our own cases;
- ``tests/gold/forms/``: our own cases covering every form of docs/FACTS.md (each lists them);
- ``tests/blind/``: the blind set (``--set blind``), written from docs/FACTS.md alone by a
  teammate who never read the extractor; scored before any tuning on it (tests/blind/README.md);
- any folder of ``<stem>.txt`` + ``<stem>.json`` pairs (``--dir``): the blind sets, the
  real-text dev set.

Annotations follow convention v2 (one row per printed figure: a percentage or multiple that
qualifies an amount is a row of its own with ``relation_type`` and ``qualifies``; see
docs/FACTS.md). Files of the older convention (a comparison kept as the ``relation`` text of
the amount's row, growth as ``*_growth`` keys) are converted when read (``to_v2``).

Tables scored (multisets of keys; tp/fp/fn):
- ``places`` (name, type); ``primary`` the same over primary places;
- ``officials`` by name; title accuracy over matched names (the ``title`` field, folded);
- ``indicators`` (metric_key, value, unit, place, relation_type): every row, strict;
- ``figures`` (metric family, value, unit, place): every row; ``core_figures`` the same for
  the core families (budget, production, trade, investment): the held-out target;
- over the core figures matched: period kind right, relation type right, approx right.
Amounts of money are compared in tỷ đồng whatever unit either side wrote ("41.230 triệu đồng"
and "41,23 tỷ đồng" are one figure: the convention leaves the unit as printed or folded).

    .venv/bin/python -m crawler.evaluate_facts [--set site|text|forms|holdout|blind|all] [--dir DIR] [-v]
"""
from __future__ import annotations

import argparse
import json
import re
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

from parsers.facts import extract
from parsers.facts.metrics import CORE_FAMILIES, family
from parsers.facts.numbers import parse_number, relation_type
from parsers.facts.metric_words import KEY_OF_GROUP, METRIC_RE, refine, sector
from parsers.facts.text import fold, fold_key

ROOT = Path(__file__).resolve().parents[1]
GOLD_SITE = ROOT / "tests" / "gold" / "facts"
SITE = ROOT / "tests" / "fixtures" / "site" / "www"
GOLD_TEXT = ROOT / "tests" / "gold" / "text"
HOLDOUT = ROOT / "tests" / "holdout"
GOLD_FORMS = ROOT / "tests" / "gold" / "forms"
BLIND = ROOT / "tests" / "blind"  # written from docs/FACTS.md alone by a teammate (issue 14); never edited
TABLES = ("places", "primary", "officials", "indicators", "figures", "core_figures")
AGREEMENT = ("titles", "period_kind", "relation_type", "approx")


@dataclass
class Case:
    stem: str
    text: str
    published: date | None
    gold: dict[str, Any]
    source: str  # site | text | the folder
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


@dataclass
class Agreement:
    ok: int = 0
    wrong: int = 0
    misses: list[str] = field(default_factory=list)

    def add(self, ok: bool, note: str) -> None:
        if ok:
            self.ok += 1
        else:
            self.wrong += 1
            self.misses.append(note)

    @property
    def rate(self) -> float:
        n = self.ok + self.wrong
        return self.ok / n if n else 1.0


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
    """An ISO date; a month alone ("2023-07": the annotator knew only the month) is its 15th."""
    try:
        if s and len(s) == 7:
            return date.fromisoformat(s + "-15")
        return date.fromisoformat(s[:10]) if s else None
    except ValueError:
        return None


def load_cases(which: str = "all") -> list[Case]:
    """Gold cases from the fixture site, our own text cases and/or the old holdout."""
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
            cases.append(Case(gp.stem, text, _date(gold.get("published")), to_v2(gold), "site", how))
    if which in ("all", "text"):
        cases += load_text_cases(GOLD_TEXT)
    if which in ("all", "forms"):
        cases += load_text_cases(GOLD_FORMS, "forms")
    if which in ("all", "holdout"):
        cases += load_text_cases(HOLDOUT, "holdout")
    if which in ("all", "blind") and BLIND.is_dir():
        cases += load_text_cases(BLIND, "blind")
    return cases


def load_text_cases(folder: Path, source: str = "text") -> list[Case]:
    """Cases from ``<stem>.txt`` + ``<stem>.json`` pairs in ``folder`` (any convention)."""
    cases: list[Case] = []
    if folder.is_dir():
        for gp in sorted(folder.glob("*.json")):
            tp = gp.with_suffix(".txt")
            if not tp.exists():
                continue
            try:
                gold = json.loads(gp.read_text(encoding="utf-8"))
            except ValueError as exc:
                raise SystemExit(f"{gp}: not valid JSON ({exc})") from None
            if not isinstance(gold, dict):
                continue
            cases.append(Case(gp.stem, tp.read_text(encoding="utf-8"), _date(gold.get("published")),
                              to_v2(gold), source))
    return cases


# ---- the older convention, converted --------------------------------------------------------

_OLD_GROWTH = {"production_value_growth": "production_value", "trade_service_growth": "trade_service_revenue",
               "industry_value_growth": "production_value_industry"}
_COMPARISON = re.compile(
    r"(?i)(?P<verb>đạt|bằng|vượt|tăng trưởng|tăng|giảm|hoàn thành|thực hiện|dat|bang|vuot|tang|giam)?"
    r"[^\d,;]{0,25}?(?P<num>\d+(?:[.,]\d+)*)(?:\s*(?:-|–|đến)\s*(?P<max>\d+(?:[.,]\d+)*))?\s*(?P<unit>%|lần)"
    r"(?P<ref>[^,;\d]*)")
_APPROX_WORDS = (("hơn", "over"), ("trên", "over"), ("vượt mức", "over"), ("gần", "nearly"),
                 ("khoảng", "about"), ("xấp xỉ", "about"), ("dưới", "under"), ("ít nhất", "at_least"))


def _approx(before: str) -> str | None:
    low = before.lower().rstrip()
    for word, kind in _APPROX_WORDS:
        if low.endswith(word):
            return kind
    return None


def _v2_key(key: str | None, metric: str | None) -> str | None:
    """The v2 key of an older row from the metric as it was written down ("giá trị sản xuất
    ngành thương mại – dịch vụ" was trade_service_revenue, is production_value_trade_services;
    "chi đầu tư xây dựng" was public_investment_disbursement, is budget_expenditure_investment)."""
    if not metric or key in (None, "targets_met"):
        return key
    f = fold(metric)
    if key == "other":  # a structure share ("tỷ trọng ngành dịch vụ") is now its sector's
        return (sector(f, 0, len(f)) or key) if ("ty trong" in f or "co cau" in f) else key
    last = None
    for m in METRIC_RE.finditer(f):
        last = m
    if last is None:
        return key
    return refine(KEY_OF_GROUP[last.lastgroup or ""], f, 0, last.start(), len(f))


def is_v2(gold: dict[str, Any]) -> bool:
    inds = gold.get("indicators") or []
    return gold.get("convention") == 2 or any("relation_type" in i or "qualifies" in i for i in inds)


_MEMBERSHIP = re.compile(r"(?i)^(?:ủy viên|uỷ viên|thành ủy viên|thành uỷ viên|đại biểu)")


def is_membership(title: str | None) -> bool:
    """A membership rather than a post ("Ủy viên Bộ Chính trị", "Đại biểu Quốc hội")."""
    return bool(title) and _MEMBERSHIP.match(title.strip()) is not None


def merge_officials(officials: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """One entry per person (older files list one per role): the title is the first current
    post that is not a membership, else the first former one, else the first role."""
    by_name: dict[str, list[dict[str, Any]]] = {}
    for o in officials:
        by_name.setdefault(fold_key(o["name"]), []).append(o)
    out = []
    for entries in by_name.values():
        posts = [o for o in entries if not is_membership(o.get("title"))]
        current = [o for o in posts if not o.get("is_former")]
        main = (current or posts or entries)[0]
        out.append({**main, "roles": [f"{o.get('title') or ''} {o.get('organisation') or ''}".strip()
                                      for o in entries]})
    return out


# structure shares written with the keys proposed before the coordinator's decision (CONVENTION.md:
# one key per sector, the production sub-key), converted when read
_STRUCTURE_KEYS = {"economic_structure_services": "production_value_trade_services",
                   "economic_structure_trade_services": "production_value_trade_services",
                   "economic_structure_agriculture": "production_value_agriculture",
                   "economic_structure_industry_construction": "production_value_industry_construction",
                   "economic_structure_industry": "production_value_industry"}


def _structure_keys(gold: dict[str, Any]) -> dict[str, Any]:
    rows = gold.get("indicators") or []
    if not any(r.get("metric_key") in _STRUCTURE_KEYS for r in rows):
        return gold
    return {**gold, "indicators": [{**r, "metric_key": _STRUCTURE_KEYS.get(r.get("metric_key"), r.get("metric_key"))}
                                   for r in rows]}


def to_v2(gold: dict[str, Any]) -> dict[str, Any]:
    """A gold annotation in convention v2 (unchanged if it already is): one official entry
    per person; every comparison of an amount's ``relation`` becomes a row of its own that
    qualifies it; ``*_growth`` keys become their metric with relation_type growth_yoy.
    ``economic_structure_*`` keys become the sector's production key."""
    gold = _structure_keys(gold)
    if is_v2(gold):
        return gold
    gold = {**gold, "officials": merge_officials(gold.get("officials") or [])}
    out: list[dict[str, Any]] = []
    for row in gold.get("indicators") or []:
        row = dict(row)
        key = row.get("metric_key")
        rel = row.pop("relation", None)
        comparisons = list(_COMPARISON.finditer(rel or ""))
        if key in _OLD_GROWTH:
            row["metric_key"] = _OLD_GROWTH[key]
        row["metric_key"] = _v2_key(row["metric_key"], row.get("metric"))
        row["id"] = len(out) + 1
        if row.get("unit") in ("%", "lần"):
            own = [m for m in comparisons if parse_number(m.group("num")) == row.get("value")]
            m = own[0] if own else None
            row["relation_type"] = (relation_type(m.group("verb"), m.group("ref"), m.group("unit")) if m else None) \
                or ("growth_yoy" if key in _OLD_GROWTH else None)
            row["relation"] = rel
            row["approx"] = _approx(rel[:m.start("num")]) if m and rel else None
            row["qualifies"] = None
            out.append(row)
            # "tăng 12,37% so với cùng kỳ, vượt 0,36% kế hoạch": the other comparison qualifies it
            comparisons = [c for c in comparisons if c is not m]
            if not comparisons:
                continue
        else:
            row.update(relation_type=None, qualifies=None, relation=None)
            out.append(row)
        for m in comparisons:
            v = parse_number(m.group("num"))
            out.append({**row, "id": len(out) + 1, "value": v,
                        "value_max": parse_number(m.group("max")) if m.group("max") else None,
                        "value_denominator": None, "unit": m.group("unit"),
                        "relation_type": relation_type(m.group("verb"), m.group("ref"), m.group("unit")),
                        "relation": m.group(0).strip(), "qualifies": row["id"],
                        "approx": _approx(m.group(0)[:m.start("num") - m.start()])})
    return {**gold, "indicators": out, "convention": 2, "converted": True}


# ---- scoring ---------------------------------------------------------------------------------

def _place(name: str | None) -> str:
    """A place name compared folded and without dashes ("Văn Miếu - Quốc Tử Giám")."""
    return " ".join(fold_key(name or "").replace("-", " ").replace("–", " ").split())


def _value(v: Any) -> float | None:
    return None if v is None else round(float(v), 3)


def _unit(u: str | None) -> str:
    return fold_key(u or "").replace("ti dong", "ty dong")


# an amount of money is the same figure in any of these units: compared in tỷ đồng
_TO_TY = {"trieu dong": 1e-3, "dong": 1e-9, "nghin ty dong": 1e3, "ngan ty dong": 1e3}


def _amount(value: Any, unit: str | None) -> tuple[float | None, str]:
    """(value, unit) compared: "41.230 triệu đồng" = "41,23 tỷ đồng" (value rounded)."""
    u = _unit(unit)
    if u in _TO_TY and value is not None:
        return _value(float(value) * _TO_TY[u]), "ty dong"
    return _value(value), u


def _fig_key(metric_key: str | None, value: Any, unit: str | None, place: str | None) -> tuple:
    return (family(metric_key) or "other", *_amount(value, unit), _place(place))


def _title_ok(gold_title: str | None, title: str | None) -> bool:
    return fold_key(gold_title or "") == fold_key(title or "")


def score_case(case: Case, scores: dict[str, Score], agree: dict[str, Agreement]) -> None:
    # (a file of the convention before v2 wrote a title's or lead's restatement of a body
    # figure as no row: the extraction is read the same way for it)
    facts = extract(case.text, case.published, keep_repeats=not case.gold.get("converted"))
    g = case.gold
    gp = Counter((_place(p["name"]), p["type"]) for p in g.get("places", []))
    pp = Counter((_place(p.name), p.type) for p in facts.places)
    scores["places"].add(gp, pp, case.stem)
    gprim = Counter((_place(p["name"]), p["type"]) for p in g.get("places", []) if p.get("is_primary"))
    pprim = Counter((_place(p.name), p.type) for p in facts.places if p.is_primary)
    scores["primary"].add(gprim, pprim, case.stem)
    go = Counter({fold_key(o["name"]): 1 for o in g.get("officials", [])})
    po = Counter({fold_key(o.name): 1 for o in facts.officials})
    scores["officials"].add(go, po, case.stem)
    by_name = {fold_key(o.name): o for o in facts.officials}
    for o in g.get("officials", []):
        pred = by_name.get(fold_key(o["name"]))
        if pred is not None:
            agree["titles"].add(_title_ok(o.get("title"), pred.title),
                                f"{case.stem}: title {o['name']} {o.get('title')!r} vs {pred.title!r} ({pred.roles})")
    gi = g.get("indicators", [])
    gs = Counter((i.get("metric_key"), *_amount(i.get("value"), i.get("unit")), _place(i.get("place")),
                  i.get("relation_type")) for i in gi)
    ps = Counter((i.metric_key, *_amount(i.value, i.unit), _place(i.place), i.relation_type)
                 for i in facts.indicators)
    scores["indicators"].add(gs, ps, case.stem)
    gf = Counter(_fig_key(i.get("metric_key"), i.get("value"), i.get("unit"), i.get("place")) for i in gi)
    pf = Counter(_fig_key(i.metric_key, i.value, i.unit, i.place) for i in facts.indicators)
    scores["figures"].add(gf, pf, case.stem)
    core = lambda c: Counter({k: v for k, v in c.items() if k[0] in CORE_FAMILIES})  # noqa: E731
    scores["core_figures"].add(core(gf), core(pf), case.stem)
    # attributes of the core figures matched: pair gold and predicted rows of one key,
    # agreeing pairs first
    by_key: dict[tuple, tuple[list, list]] = defaultdict(lambda: ([], []))
    for i in gi:
        k = _fig_key(i.get("metric_key"), i.get("value"), i.get("unit"), i.get("place"))
        if k[0] in CORE_FAMILIES:
            by_key[k][0].append((i.get("period_kind"), i.get("relation_type"), i.get("approx")))
    for i in facts.indicators:
        k = _fig_key(i.metric_key, i.value, i.unit, i.place)
        if k in by_key:
            by_key[k][1].append((i.period_kind, i.relation_type, i.approx))
    for k, (golds, preds) in by_key.items():
        for pos, name in enumerate(("period_kind", "relation_type", "approx")):
            gv = [x[pos] for x in golds]
            pv = [x[pos] for x in preds]
            n = min(len(gv), len(pv))
            if case.gold.get("converted") and name != "period_kind" or all(v is None for v in gv) and name == "period_kind":
                continue  # not annotated (a converted older file)
            ok = sum((Counter(gv) & Counter(pv)).values())
            ok = min(ok, n)
            for _ in range(ok):
                agree[name].add(True, "")
            left_g = list((Counter(gv) - Counter(pv)).elements())
            left_p = list((Counter(pv) - Counter(gv)).elements())
            for a, b in list(zip(left_g, left_p))[: n - ok]:
                agree[name].add(False, f"{case.stem}: {name} {k} gold {a!r} vs {b!r}")


def evaluate(cases: list[Case]) -> tuple[dict[str, Score], dict[str, Agreement]]:
    """Scores per table over ``cases`` and the agreement of matched attributes."""
    scores = {t: Score() for t in TABLES}
    agree = {a: Agreement() for a in AGREEMENT}
    for c in cases:
        score_case(c, scores, agree)
    return scores, agree


def report(scores: dict[str, Score], agree: dict[str, Agreement], label: str) -> str:
    lines = [f"{label}", f"{'table':<17}{'P':>7}{'R':>7}{'F1':>7}{'tp':>6}{'fp':>5}{'fn':>5}"]
    for t, s in scores.items():
        lines.append(f"{t:<17}{s.p:>7.3f}{s.r:>7.3f}{s.f1:>7.3f}{s.tp:>6}{s.fp:>5}{s.fn:>5}")
    notes = {"titles": "official titles right (matched names)",
             "period_kind": "period kind right (matched core figures)",
             "relation_type": "relation type right (matched core figures)",
             "approx": "approx right (matched core figures)"}
    for a, ag in agree.items():
        n = ag.ok + ag.wrong
        if n:
            lines.append(f"{notes[a]}: {ag.ok}/{n} = {ag.rate:.3f}")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--set", default="all", choices=("all", "site", "text", "forms", "holdout", "blind"))
    ap.add_argument("-v", "--verbose", action="store_true", help="list misses and extras")
    ap.add_argument("--dir", type=Path, help="evaluate <stem>.txt + <stem>.json pairs in this folder")
    args = ap.parse_args(argv)
    sets = ("site", "text", "forms", "holdout", "blind") if args.set == "all" else (args.set,)
    if args.dir:
        if not args.dir.is_dir():
            raise SystemExit(f"{args.dir}: not a folder")
        sets = (str(args.dir),)
    for which in sets:
        cases = load_text_cases(args.dir, "dir") if args.dir else load_cases(which)
        crude = [c.stem for c in cases if c.text_from == "crude"]
        scores, agree = evaluate(cases)
        print(report(scores, agree, f"== {which}: {len(cases)} cases"
                     + (f" ({len(crude)} via crude text fallback)" if crude else "")))
        if args.verbose:
            for t in TABLES:
                for m in scores[t].misses:
                    print(f"  [{t}] {m}")
            for a, ag in agree.items():
                for m in ag.misses:
                    print(f"  [{a}] {m}")
        print()


if __name__ == "__main__":
    main()
