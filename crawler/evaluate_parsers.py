"""Field-level evaluation of the parsers against hand-written fixture expectations.

A fixture is a page plus a JSON file: ``{"url" or "path", "expected": {...},
"body_contains": [...], "body_excludes": [...]}``. Two layouts are read:
``<dir>/<site>/<name>.html`` + ``<name>.json`` and ``<dir>/expected/<stem>.json`` with the
page under ``<dir>/www/``. ``evaluate`` scores every field; ``main`` prints a table.
This module only reads files; it is for the test suite and the CLI, not the crawler.
"""
from __future__ import annotations

import json
import sys
import unicodedata
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any, Callable, Iterable, Sequence

from parsers.article import Article, ParseError
from parsers.profiles import get_profile

FIELDS = ("title", "sapo", "authors", "credits", "published_at", "canonical_url",
          "site_article_id", "category", "tags", "images", "body_contains", "body_excludes")
ParseFn = Callable[..., Article]


@dataclass(frozen=True)
class Fixture:
    """One page and what a person says the parser must get from it."""

    name: str
    site: str
    page: Path
    url: str
    expected: dict[str, Any]
    body_contains: tuple[str, ...] = ()
    body_excludes: tuple[str, ...] = ()
    fetched_at: datetime | None = None


@dataclass(frozen=True)
class Check:
    """The outcome of one field of one fixture."""

    fixture: str
    site: str
    field: str
    ok: bool
    expected: Any
    got: Any


@dataclass
class Report:
    """All checks, with pass rates per site and per field."""

    checks: list[Check] = field(default_factory=list)

    def rate(self, *, site: str | None = None, field_name: str | None = None) -> float:
        """Share of passing checks for one site and/or field (1.0 when there are none)."""
        chosen = [c for c in self.checks if (site is None or c.site == site)
                  and (field_name is None or c.field == field_name)]
        return sum(c.ok for c in chosen) / len(chosen) if chosen else 1.0

    def sites(self) -> list[str]:
        return sorted({c.site for c in self.checks})

    def failures(self) -> list[Check]:
        return [c for c in self.checks if not c.ok]


def find_fixtures(fixture_dirs: Iterable[str | Path]) -> list[Fixture]:
    """Every fixture (page + expectation JSON) under the given directories."""
    found: list[Fixture] = []
    for directory in map(Path, fixture_dirs):
        for spec in sorted(directory.rglob("*.json")):
            fixture = _load(spec, directory)
            if fixture is not None:
                found.append(fixture)
    return found


def _load(spec: Path, root: Path) -> Fixture | None:
    try:
        data = json.loads(spec.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    if not isinstance(data, dict) or not isinstance(data.get("expected"), dict):
        return None
    page = _page_for(spec, data, root)
    if page is None:
        return None
    url = data.get("url") or _url_for_path(data.get("path") or page.name)
    site = spec.parent.name if spec.parent.name not in ("expected", root.name) else ""
    if not site or site == "pages":
        profile = get_profile(url)
        site = profile.name if profile else "unknown"
    fetched = data.get("fetched_at")
    return Fixture(
        name=str(spec.relative_to(root)), site=site, page=page, url=url,
        expected=data["expected"], body_contains=tuple(data.get("body_contains") or ()),
        body_excludes=tuple(data.get("body_excludes") or ()),
        fetched_at=datetime.fromisoformat(fetched) if fetched else None,
    )


def _page_for(spec: Path, data: dict[str, Any], root: Path) -> Path | None:
    candidates = [spec.with_suffix(".html"), spec.with_suffix(".media")]
    path = str(data.get("path") or "").lstrip("/")
    if path:
        candidates += [root / "www" / path, spec.parent.parent / "www" / path, root / path]
    candidates += [spec.parent.parent / "www" / (spec.stem + ext) for ext in (".html", ".media")]
    return next((c for c in candidates if c.is_file()), None)


def _url_for_path(path: str) -> str:
    if path.startswith(("http://", "https://")):
        return path
    return "https://laodongthudo.vn/" + path.lstrip("/").removeprefix("www/")


def _norm(value: Any) -> Any:
    if isinstance(value, str):
        return " ".join(unicodedata.normalize("NFC", value).split())
    if isinstance(value, list):
        return [_norm(v) for v in value]
    return value


def _same_instant(expected: str | None, got: str | None) -> bool:
    if expected is None or got is None:
        return expected == got
    try:
        return datetime.fromisoformat(expected) == datetime.fromisoformat(got)
    except (TypeError, ValueError):
        return False


def configured_profiles(sources_path: str | Path | None = None) -> dict[str, Any]:
    """``{source id: its profile}`` for the sources.yml entries with ``selectors:``: the
    fixtures of such a source (``<dir>/<source id>/``) are parsed as the crawler parses its
    pages, with those selectors. Empty when the file is missing or invalid."""
    from .config import PROJECT_ROOT
    from .errors import ConfigError
    from .sources import load_sources

    try:
        sources = load_sources(sources_path or PROJECT_ROOT / "sources.yml")
    except ConfigError:
        return {}
    return {s.id: s.parse_profile for s in sources if s.selectors}


def check_fixture(fixture: Fixture, parse_fn: ParseFn | None = None,
                  profiles: dict[str, Any] | None = None) -> list[Check]:
    """Parse the fixture's page and compare every expected field (a configured source's
    fixture with its profile, from ``profiles``)."""
    if parse_fn is None:
        from parsers import parse

        profile = (profiles or {}).get(fixture.site)
        parse_fn = (lambda html, url, **kw: parse(html, url, profile=profile, **kw)) if profile else parse
    html = fixture.page.read_bytes()
    try:
        article = parse_fn(html, fixture.url, fetched_at=fixture.fetched_at)
    except ParseError as exc:
        article = Article(url=fixture.url, extraction=f"ParseError: {exc}")
    checks = []
    got_all = article.to_dict()
    for name, expected in fixture.expected.items():
        if name not in FIELDS:
            continue
        if name == "images":
            got = [{"caption": i.caption, "credit": i.credit} for i in article.images]
            expected = [{"caption": i.get("caption"), "credit": i.get("credit")} for i in expected]
            ok = _norm(got) == _norm(expected)
        elif name == "published_at":
            got = article.published_at
            ok = _same_instant(expected, got)
        else:
            got = got_all.get(name)
            ok = _norm(got) == _norm(expected)
        checks.append(Check(fixture.name, fixture.site, name, ok, expected, got))
    body = _norm(article.body_text or "")
    if fixture.body_contains:
        missing = [s for s in fixture.body_contains if _norm(s) not in body]
        checks.append(Check(fixture.name, fixture.site, "body_contains", not missing,
                            list(fixture.body_contains), missing))
    if fixture.body_excludes:
        present = [s for s in fixture.body_excludes if _norm(s) in body]
        checks.append(Check(fixture.name, fixture.site, "body_excludes", not present,
                            list(fixture.body_excludes), present))
    return checks


def evaluate(fixture_dirs: Iterable[str | Path], parse_fn: ParseFn | None = None,
             sources_path: str | Path | None = None) -> Report:
    """Score every fixture under ``fixture_dirs``; see ``Report`` for the rates. Without
    ``parse_fn``, fixtures of sources configured with ``selectors:`` in ``sources_path``
    (default: the project's sources.yml) are parsed with them."""
    report = Report()
    profiles = configured_profiles(sources_path) if parse_fn is None else {}
    for fixture in find_fixtures(fixture_dirs):
        report.checks.extend(check_fixture(fixture, parse_fn, profiles))
    return report


def format_table(report: Report) -> str:
    """Per-site x per-field pass rates as a plain-text table."""
    fields = [f for f in FIELDS if any(c.field == f for c in report.checks)]
    short = {f: f.replace("body_", "b_").replace("_url", "").replace("site_article_id", "id")
             .replace("published_at", "date") for f in fields}
    width = max([len(s) for s in report.sites()] + [6])
    lines = ["site".ljust(width) + "  " + " ".join(short[f].rjust(9) for f in fields) + "      all"]
    for site in report.sites() + [None]:
        cells = []
        for f in fields:
            chosen = [c for c in report.checks if c.field == f and (site is None or c.site == site)]
            cells.append(f"{sum(c.ok for c in chosen)}/{len(chosen)}".rjust(9) if chosen else "-".rjust(9))
        total = report.rate(site=site)
        lines.append((site or "ALL").ljust(width) + "  " + " ".join(cells) + f"  {total:7.1%}")
    return "\n".join(lines)


def main(argv: Sequence[str] | None = None) -> int:
    """``python -m crawler.evaluate_parsers [DIR ...] [--generic] [-v]``: print the pass-rate table."""
    args = list(sys.argv[1:] if argv is None else argv)
    verbose = "-v" in args
    generic = "--generic" in args
    root = Path(__file__).resolve().parents[1] / "tests" / "fixtures"
    dirs = [a for a in args if not a.startswith("-")] or [root / "pages", root / "site"]
    parse_fn: ParseFn | None = None
    if generic:
        from parsers.extract import parse_article

        def parse_fn(html: str | bytes, url: str, **kw: Any) -> Article:
            return parse_article(html, url, use_profile=False, **kw)
    report = evaluate(dirs, parse_fn)
    print(format_table(report))
    if verbose:
        for check in report.failures():
            print(f"FAIL {check.fixture} {check.field}: expected {check.expected!r} got {check.got!r}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
