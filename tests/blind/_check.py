#!/usr/bin/env python3
"""Consistency check of the blind set (issue 14): every case file against its own text,
the gazetteer and the metric vocabulary.

Usage:  python _check.py [--repo REPO_ROOT] [--metrics METRICS_CSV] [--dir CASE_DIR] [-v]

Defaults assume the set lives in REPO/tests/blind/: the gazetteer is
REPO/parsers/facts/hanoi_units.json and the metrics are REPO/parsers/facts/metrics.csv.
When metrics.csv is missing the vocabulary of the annotation convention (below) is used.

What is checked, per case (NN_slug.txt + NN_slug.json):
  * the JSON parses and has published/places/officials/indicators;
  * the text is NFC, starts with a title line and a blank line, and has 200-600 words;
  * every place name occurs in the text; (name, type) exists in the gazetteer for the
    case's date (units valid to 2025-06-30 before 1 July 2025; from then on the new units,
    or the old ones when is_former_unit is true); no (name, type) twice; >= 1 primary;
  * every official's name occurs in the text, title/organisation are filled and one role
    is the title (or "nguyên" + title);
  * every indicator: ids 1..n; place is one of the case's places; metric_key, relation_type,
    period_kind, kind, approx and flags are in the vocabulary; value, value_max and
    value_denominator occur in the text as printed (Vietnamese separators, "nghìn tỷ",
    "X tỷ Y triệu"); a null value only with the flag "misprint"; period_text and relation
    occur in the text; dates are ISO and ordered; qualifies/same_as point to another row of
    the same case; a row that qualifies another has its metric_key (targets_exceeded /
    targets_met_exact may qualify targets_met); predecessor_period only after the reform.
Exit status 1 when any case has an error.
"""
from __future__ import annotations

import argparse
import csv
import json
import re
import sys
import unicodedata
from datetime import date
from pathlib import Path

REFORM = '2025-07-01'
UNIT_TYPES = {'quận', 'huyện', 'thị xã', 'phường', 'xã', 'thị trấn'}
PERIOD_KINDS = {'month', 'quarter', 'half_year', 'nine_months', 'year', 'multi_year',
                'average_annual', 'year_to_date', 'as_of', 'range'}
KINDS = {'actual', 'estimate', 'target'}
APPROX = {None, 'over', 'nearly', 'about', 'under', 'at_least'}
FLAGS = {'uncertain_place', 'uncertain_period', 'uncertain_metric', 'misprint',
         'predecessor_period'}
RELATIONS = {'share_of_plan', 'above_plan', 'growth_yoy', 'decline_yoy', 'growth_vs_period',
             'decline_vs_period', 'avg_annual_growth', 'multiple', 'share_of_total',
             'ratio_yoy', 'growth_abs', 'growth_rate_diff', 'growth_rate_ratio'}
# CONVENTION.md vocabulary, used only when metrics.csv cannot be read.
CONVENTION_METRICS = {
    'budget_revenue', 'budget_revenue_domestic', 'budget_revenue_non_state',
    'budget_revenue_land_use', 'budget_revenue_excl_land', 'budget_revenue_tax',
    'budget_revenue_recurrent', 'budget_revenue_local', 'budget_revenue_after_regulation',
    'budget_revenue_import_export', 'budget_revenue_district_collected',
    'budget_expenditure', 'budget_expenditure_recurrent', 'budget_expenditure_investment',
    'production_value', 'production_value_industry_construction', 'production_value_industry',
    'production_value_construction', 'production_value_trade_services',
    'production_value_agriculture', 'production_value_industry_non_state', 'economic_growth',
    'industrial_production_index', 'grdp', 'grdp_per_capita', 'retail_sales',
    'trade_service_revenue', 'tourism_revenue', 'export_value',
    'public_investment_disbursement', 'public_investment_plan', 'investment', 'project_capital',
    'social_investment', 'targets_met', 'targets_exceeded', 'targets_met_exact',
    'per_capita_income', 'poverty_rate', 'new_businesses', 'businesses_active',
    'businesses_closed', 'business_households', 'agri_value_per_ha', 'sown_area', 'crop_yield',
    'aquaculture_area', 'tourist_arrivals', 'other'}
SUBCOUNT_KEYS = {'targets_exceeded', 'targets_met_exact'}
DASHES = dict.fromkeys(map(ord, '–—‑'), '-')


def norm(s: str) -> str:
    s = unicodedata.normalize('NFC', s).translate(DASHES).lower()
    return re.sub(r'\s+', ' ', s)


def group(int_part: str, sep: str = '.') -> str:
    out = []
    while len(int_part) > 3:
        out.insert(0, int_part[-3:])
        int_part = int_part[:-3]
    out.insert(0, int_part)
    return sep.join(out)


def plain(v: float) -> tuple[str, str]:
    s = f'{v:.6f}'.rstrip('0').rstrip('.')
    i, _, f = s.partition('.')
    return i, f


def renderings(v: float) -> list[str]:
    """Ways a number is printed in Vietnamese reports (the checker's own list)."""
    i, f = plain(v)
    forms = set()
    for ip in {group(i), i}:
        forms.add(ip + (',' + f if f else ''))
        if not f:
            forms.add(ip + ',0')  # trailing zero: "tăng 8,0%"

    return sorted(forms, key=len, reverse=True)


def occurs_number(v: float, text: str) -> bool:
    for r in renderings(v):
        if re.search(r'(?<![\d.,])' + re.escape(r) + r'(?![\d])(?![.,]\d)', text):
            return True
    # "12,4 nghìn tỷ" / "21.4 nghìn tỷ" stored as 12400 / 21400 tỷ đồng
    i, f = plain(v / 1000)
    for dec in (',', '.'):
        r = i + (dec + f if f else '')
        if re.search(r'(?<![\d.,])' + re.escape(r) + r'\s*nghìn tỷ', text):
            return True
    # compound "81 tỷ 245 triệu đồng" stored as 81.245
    whole = int(v)
    mill = round((v - whole) * 1000)
    if mill and re.search(rf'(?<![\d.,]){group(str(whole))}\s*tỷ\s*{mill}\s*triệu', text):
        return True
    return False


def printed_range(lo: float, hi: float, text: str) -> bool:
    """'8 - 10%', '10,5-11%/năm', 'từ 8 đến 10'."""
    for a in renderings(lo):
        for b in renderings(hi):
            if re.search(r'(?<![\d.,])' + re.escape(a) + r'\s*(?:%\s*)?(?:-|–|đến)\s*' + re.escape(b)
                         + r'(?![\d])(?![.,]\d)', text):
                return True
    return False


def load_gazetteer(path: Path):
    units = json.loads(path.read_text(encoding='utf-8'))['units']
    old, new = set(), set()
    for u in units:
        key = (unicodedata.normalize('NFC', u['name']), u['type'])
        if u.get('valid_from'):
            new.add(key)
        else:
            old.add(key)
    return old, new


def load_metrics(path: Path | None) -> tuple[set[str], str]:
    if path and path.exists():
        with path.open(encoding='utf-8') as fh:
            return {row['key'] for row in csv.DictReader(fh)}, str(path)
    return set(CONVENTION_METRICS), 'CONVENTION.md vocabulary (metrics.csv not found)'


def iso(d) -> bool:
    try:
        date.fromisoformat(d)
        return True
    except (TypeError, ValueError):
        return False


def check_case(txt: Path, js: Path, old, new, metrics) -> tuple[list[str], dict]:
    errs: list[str] = []
    raw = txt.read_text(encoding='utf-8')
    if unicodedata.normalize('NFC', raw) != raw:
        errs.append('text is not NFC')
    lines = raw.split('\n')
    if len(lines) < 3 or not lines[0].strip() or lines[1].strip():
        errs.append('text must start with a title line and a blank line')
    words = len(raw.split())
    if not 200 <= words <= 600:
        errs.append(f'{words} words (200-600 expected)')
    text = norm(raw)
    try:
        doc = json.loads(js.read_text(encoding='utf-8'))
    except json.JSONDecodeError as e:
        return [f'JSON does not parse: {e}'], {}
    for k in ('published', 'places', 'officials', 'indicators'):
        if k not in doc:
            errs.append(f'missing key {k}')
    if errs and not doc:
        return errs, {}
    pub = doc['published']
    post = pub >= REFORM
    if not iso(pub) or not '2015-01-01' <= pub <= '2026-12-31':
        errs.append(f'published {pub!r} not a date in 2015-2026')

    seen = set()
    names = set()
    for p in doc['places']:
        n, t = unicodedata.normalize('NFC', p['name']), p['type']
        names.add(n)
        if (n, t) in seen:
            errs.append(f'place ({n}, {t}) twice')
        seen.add((n, t))
        if t not in UNIT_TYPES:
            errs.append(f'place {n}: type {t!r}')
        if norm(n) not in text:
            errs.append(f'place {n} not in text')
        former = bool(p.get('is_former_unit'))
        if 'is_primary' not in p or 'is_former_unit' not in p:
            errs.append(f'place {n}: is_primary/is_former_unit missing')
        if not post and former:
            errs.append(f'place {n}: is_former_unit before the reform')
        pool = old if (not post or former) else new
        if (n, t) not in pool:
            errs.append(f'place ({n}, {t}) not in the gazetteer for {pub}'
                        f' ({"old" if pool is old else "new"} units)')
        if former and p.get('is_primary'):
            errs.append(f'place {n}: former unit marked primary')
    if not any(p.get('is_primary') for p in doc['places']):
        errs.append('no primary place')

    for o in doc['officials']:
        n = o.get('name') or ''
        if norm(n) not in text:
            errs.append(f'official {n!r} not in text')
        if not o.get('title') or not o.get('organisation'):
            errs.append(f'official {n}: title/organisation empty')
        roles = [norm(r) for r in o.get('roles') or []]
        t = norm(o.get('title') or '')
        if not any(r.startswith(t) or r.startswith('nguyên ' + t) for r in roles):
            errs.append(f'official {n}: no role starts with the title {o.get("title")!r}')
        if not isinstance(o.get('is_former'), bool):
            errs.append(f'official {n}: is_former not a bool')

    rows = doc['indicators']
    ids = [r.get('id') for r in rows]
    if ids != list(range(1, len(rows) + 1)):
        errs.append(f'indicator ids are not 1..{len(rows)}')
    byid = {r['id']: r for r in rows}
    for r in rows:
        rid = r['id']
        tag = f'row {rid}'
        if r.get('place') not in names:
            errs.append(f'{tag}: place {r.get("place")!r} is not a place of the case')
        if r.get('metric_key') not in metrics:
            errs.append(f'{tag}: metric_key {r.get("metric_key")!r} unknown')
        flags = r.get('flags') or []
        for f in flags:
            if f not in FLAGS:
                errs.append(f'{tag}: flag {f!r} unknown')
        if 'predecessor_period' in flags and not post:
            errs.append(f'{tag}: predecessor_period before the reform')
        v = r.get('value')
        if v is None:
            if 'misprint' not in flags:
                errs.append(f'{tag}: value null without the flag misprint')
        elif not occurs_number(v, raw):
            errs.append(f'{tag}: value {v} not printed in the text')
        elif r.get('unit') in (None, ''):
            errs.append(f'{tag}: unit missing')
        for fld in ('value_max', 'value_denominator'):
            x = r.get(fld)
            if x is not None:
                if not occurs_number(x, raw):
                    errs.append(f'{tag}: {fld} {x} not printed in the text')
                if fld == 'value_max' and v is not None:
                    if x <= v:
                        errs.append(f'{tag}: value_max {x} <= value {v}')
                    elif not printed_range(v, x, raw):
                        errs.append(f'{tag}: range {v}-{x} not printed as a range')
        rel = r.get('relation')
        if v is not None and rel and r.get('relation_type') and re.search(r'\d', rel):
            if not any(re.search(r'(?<![\d.,])' + re.escape(x) + r'(?![\d])(?![.,]\d)', rel)
                       for x in renderings(v)):
                errs.append(f'{tag}: value {v} is not the number of its relation {rel!r}')
        if r.get('value_denominator') is not None and v is not None and r.get('metric_key') == 'targets_met':
            pat = rf'{plain(v)[0]}/{plain(r["value_denominator"])[0]}'
            if pat not in raw:
                errs.append(f'{tag}: "{pat}" not printed')
        if r.get('approx') not in APPROX:
            errs.append(f'{tag}: approx {r.get("approx")!r}')
        pk = r.get('period_kind')
        if pk is None:
            if r.get('metric_key') != 'project_capital':
                errs.append(f'{tag}: period_kind null')
        elif pk not in PERIOD_KINDS:
            errs.append(f'{tag}: period_kind {pk!r}')
        for fld in ('period_start', 'period_end'):
            d = r.get(fld)
            if d is not None and not iso(d):
                errs.append(f'{tag}: {fld} {d!r} not ISO')
        if iso(r.get('period_start')) and iso(r.get('period_end')) and r['period_start'] > r['period_end']:
            errs.append(f'{tag}: period_start after period_end')
        pt = r.get('period_text')
        if pt is not None and norm(pt) not in text:
            errs.append(f'{tag}: period_text {pt!r} not in text')
        if r.get('kind') not in KINDS:
            errs.append(f'{tag}: kind {r.get("kind")!r}')
        rt = r.get('relation_type')
        if rt is not None:
            if rt not in RELATIONS:
                errs.append(f'{tag}: relation_type {rt!r}')
            if not r.get('relation'):
                errs.append(f'{tag}: relation_type without relation text')
        if rel is not None and norm(rel) not in text:
            errs.append(f'{tag}: relation {rel!r} not in text')
        q = r.get('qualifies')
        if q is not None:
            if q not in byid or q == rid:
                errs.append(f'{tag}: qualifies {q} is not another row of this case')
            else:
                tk, mk = byid[q].get('metric_key'), r.get('metric_key')
                if tk != mk and not (mk in SUBCOUNT_KEYS and tk == 'targets_met'):
                    errs.append(f'{tag}: qualifies row {q} of another metric ({tk} vs {mk})')
                if byid[q].get('place') != r.get('place'):
                    errs.append(f'{tag}: qualifies row {q} of another place')
        sa = r.get('same_as')
        if sa is not None and (sa not in byid or sa == rid):
            errs.append(f'{tag}: same_as {sa} is not another row of this case')
    stats = {'published': pub, 'words': words, 'places': len(doc['places']),
             'primary': sum(bool(p.get('is_primary')) for p in doc['places']),
             'officials': len(doc['officials']), 'indicators': len(rows),
             'relation_rows': sum(r.get('relation_type') is not None for r in rows)}
    return errs, stats


def main(argv=None) -> int:
    here = Path(__file__).resolve().parent
    ap = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    ap.add_argument('--repo', type=Path, default=here.parent.parent)
    ap.add_argument('--metrics', type=Path)
    ap.add_argument('--dir', type=Path, default=here)
    ap.add_argument('-v', '--verbose', action='store_true')
    a = ap.parse_args(argv)
    gaz = a.repo / 'parsers' / 'facts' / 'hanoi_units.json'
    if not gaz.exists():
        print(f'gazetteer not found: {gaz} (give --repo)', file=sys.stderr)
        return 2
    old, new = load_gazetteer(gaz)
    metrics, msrc = load_metrics(a.metrics or a.repo / 'parsers' / 'facts' / 'metrics.csv')
    print(f'gazetteer: {gaz} ({len(old)} old, {len(new)} new units); metrics: {msrc} ({len(metrics)} keys)')
    bad = 0
    total = {'cases': 0, 'post_reform': 0, 'indicators': 0, 'relation_rows': 0, 'officials': 0, 'places': 0}
    for txt in sorted(a.dir.glob('[0-9][0-9]_*.txt')):
        js = txt.with_suffix('.json')
        if not js.exists():
            print(f'{txt.name}: no JSON'); bad += 1
            continue
        errs, st = check_case(txt, js, old, new, metrics)
        total['cases'] += 1
        if st:
            total['post_reform'] += st['published'] >= REFORM
            for k in ('indicators', 'relation_rows', 'officials', 'places'):
                total[k] += st[k]
        if errs:
            bad += 1
            print(f'FAIL {txt.stem}')
            for e in errs:
                print(f'   - {e}')
        elif a.verbose:
            print(f'ok   {txt.stem}: {st}')
    print(f'{total["cases"]} cases ({total["post_reform"]} from {REFORM}), {total["places"]} places, '
          f'{total["officials"]} officials, {total["indicators"]} indicator rows '
          f'({total["relation_rows"]} relation rows); {bad} with errors')
    return 1 if bad else 0


if __name__ == '__main__':
    sys.exit(main())
