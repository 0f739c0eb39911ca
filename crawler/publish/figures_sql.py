"""The one place where the published figures are defined: the ``figures`` view.

Every page, chart and canned query that shows figures reads ``figures`` instead of joining
``indicators`` itself. It is a temporary view that ``plugins/reader_pages.py`` creates on
each of Datasette's connections (``prepare_connection``), so it follows the columns the
database has: ``indicators`` is being extended (issue 14: ``period_kind``, ``approx``,
``flags``, ``qualifies_id``, ``metric_family``), and where a column is missing the view
computes it or leaves it empty. When the new columns land nothing else has to change.

Columns: the ``indicators`` row (id, article_id, position, place_id, place, metric,
metric_key, metric_family, value, value_max, value_denominator, unit, approx, period_text,
period_start, period_end, period_kind, relation, relation_type, relation_value,
qualifies_id, kind, flags, sentence) and

* ``series``: what may be drawn on one axis — unit, what a percentage is a share or change
  of, and the kind of period ("tỷ đồng · year", "% of plan · half-year"). Charts and the
  place page never put two series on one axis, so a five-year total is never plotted next
  to half-year figures, nor a growth rate next to a share of the plan;
* ``date``: the end of the period (else its start, else the article's publication day);
* the article's ``published_at``, ``source``, ``title`` and original ``url``;
* ``article_page`` and ``figure_page``: paths of the article's page at the figure, marked in
  its text (``…/articles/<id>#fig-<figure id>``), and of the figure's own row.

``figure_keys`` is the same without the article and place (its ``period_date`` has no
fallback to the publication day): what aggregates over many figures group by, without a
lookup of the article per figure (a district has tens of thousands of figures at a million
articles; the place page groups them there, then reads ``figures`` for the points it shows).
"""
from __future__ import annotations

# period_kind values (issue 14's convention) and how pages name them
PERIOD_LABELS = {
    "month": "month", "quarter": "quarter", "half_year": "half-year",
    "nine_months": "9 months", "year": "year", "multi_year": "several years",
    "average_annual": "yearly average over a term", "year_to_date": "months of a year",
    "as_of": "as of a date", "range": "other period",
}
# what a percentage (or a multiple) printed about a metric measures
RELATION_LABELS = {
    "share_of_plan": "of plan", "above_plan": "above plan", "growth_yoy": "growth y/y",
    "decline_yoy": "decline y/y", "growth_vs_period": "growth vs. an earlier period",
    "avg_annual_growth": "average annual growth", "multiple": "times",
    "share_of_total": "share of total",
}
KIND_LABELS = {"actual": "reported", "estimate": "estimate", "target": "target"}

# Columns issue 14 adds to ``indicators``; absent ones become NULL (or computed) in the view.
OPTIONAL_COLUMNS = ("metric_family", "approx", "period_kind", "qualifies_id", "flags")


def _case(expr: str, labels: dict[str, str], default: str) -> str:
    whens = " ".join(f"when '{k}' then '{v}'" for k, v in labels.items())
    return f"(case {expr} {whens} else {default} end)"


def period_kind_sql(start: str = "i.period_start", end: str = "i.period_end") -> str:
    """SQL giving a period kind from the period's bounds (ISO dates), for rows that carry no
    ``period_kind``: whole calendar months counted from the start's first day to the end's
    last day; Jan-Dec is a year, Jan-Jun or Jul-Dec a half-year, a calendar quarter a
    quarter, one month a month, more than twelve months several years, other spans from
    January the months of a year (year to date); no start but an end: as of a date."""
    months = (f"((cast(strftime('%Y', {end}) as integer) - cast(strftime('%Y', {start}) as integer)) * 12"
              f" + cast(strftime('%m', {end}) as integer) - cast(strftime('%m', {start}) as integer) + 1)")
    first = f"cast(strftime('%m', {start}) as integer)"
    whole = f"(strftime('%d', {start}) = '01' and strftime('%d', date({end}, '+1 day')) = '01')"
    return (
        f"(case when {start} is null and {end} is null then null"
        f" when {start} is null or {start} = {end} then 'as_of'"
        f" when date({start}) is null or date({end}) is null then null"
        f" when not {whole} then 'range'"
        f" when {months} = 1 then 'month'"
        f" when {months} = 3 and {first} in (1, 4, 7, 10) then 'quarter'"
        f" when {months} = 6 and {first} in (1, 7) then 'half_year'"
        f" when {months} = 9 and {first} = 1 then 'nine_months'"
        f" when {months} = 12 and {first} = 1 then 'year'"
        f" when {months} > 12 then 'multi_year'"
        f" when {first} = 1 then 'year_to_date'"
        f" else 'range' end)"
    )


def figures_view_sql(table_path: str, indicator_columns: set[str],
                     tables: set[str]) -> list[str]:
    """``create temp view`` statements of ``figure_keys`` and ``figures`` for a database with
    these ``indicators`` columns and tables; ``table_path`` is the path of its tables in
    Datasette's URLs (``/archive``)."""
    def col(name: str) -> str:
        return f"i.{name}" if name in indicator_columns else "null"

    kind_sql = period_kind_sql()
    if "period_kind" in indicator_columns:
        kind_sql = f"coalesce(i.period_kind, {kind_sql})"
    relation = _case("relation_type", RELATION_LABELS, "relation_type")
    # a percentage or multiple measures what its relation says; an amount is its unit alone
    measure = (f"(coalesce(nullif(unit, ''), 'no unit') || case when relation_type is not null"
               f" and unit in ('%', 'lần') then ' ' || {relation} else '' end)")
    series = (f"({measure} || ' · ' || "
              f"{_case('period_kind', PERIOD_LABELS, chr(39) + 'period unknown' + chr(39))})")
    # the article's date and title: article_index holds them compactly (search_index.py);
    # a database without it (not published yet) reads articles
    art = ("article_index f on f.article_id = i.article_id" if "article_index" in tables
           else "articles f on f.id = i.article_id")
    prefix = table_path.rstrip("/").replace("'", "''")
    keys = f"""
create temp view if not exists figure_keys as
select *, ({series}) as series from (
  select i.id, i.article_id, i.position, i.place_id, i.place,
         i.metric, i.metric_key, {col('metric_family')} as metric_family,
         i.value, i.value_max, i.value_denominator, i.unit, {col('approx')} as approx,
         i.period_text, i.period_start, i.period_end, {kind_sql} as period_kind,
         i.relation, i.relation_type, i.relation_value, {col('qualifies_id')} as qualifies_id,
         i.kind, {col('flags')} as flags, i.sentence,
         coalesce(i.period_end, i.period_start) as period_date
  from indicators i
)
"""
    shared = ", ".join(f"k.{c}" for c in KEY_COLUMNS if c not in ("place", "period_date"))
    figures = f"""
create temp view if not exists figures as
select {shared}, coalesce(k.place, p.name) as place,
       coalesce(k.period_date, substr(f.published_at, 1, 10)) as date,
       f.published_at, f.source, f.title, f.url,
       '{prefix}/articles/' || hn_tilde_encode(k.article_id) || '#fig-' || k.id
         as article_page,
       '{prefix}/indicators/' || k.id as figure_page
from figure_keys k
left join {art.replace('i.article_id', 'k.article_id')}
left join places p on p.id = k.place_id
"""
    return [keys, figures]


# the columns of figure_keys, in order
KEY_COLUMNS = ("id", "article_id", "position", "place_id", "place", "metric", "metric_key",
               "metric_family", "value", "value_max", "value_denominator", "unit", "approx",
               "period_text", "period_start", "period_end", "period_kind", "relation",
               "relation_type", "relation_value", "qualifies_id", "kind", "flags", "sentence",
               "period_date", "series")
