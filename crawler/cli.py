"""The ``hanoi-news`` command line (also ``python -m crawler``). Commands stay thin: they
read options, call one library function and print a summary; ``CrawlerError`` becomes one
plain line and exit code 1."""
from __future__ import annotations

import functools
import json
import logging
import logging.handlers
import sys
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any, Callable

import click

from .clock import VN
from .config import PROJECT_ROOT, Settings
from .errors import CrawlerError

log = logging.getLogger("crawler")
PUBLISH_EVERY_HOURS = 6


def _friendly(fn: Callable[..., Any]) -> Callable[..., Any]:
    @functools.wraps(fn)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        try:
            return fn(*args, **kwargs)
        except CrawlerError as exc:
            raise click.ClickException(str(exc)) from None
    return wrapper


def _logging(verbose: bool, logfile: Path | None = None) -> None:
    fmt = logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s")
    root = logging.getLogger()
    root.setLevel(logging.DEBUG if verbose else logging.INFO)
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(fmt)
    handler.setLevel(logging.DEBUG if verbose else logging.WARNING)
    root.addHandler(handler)
    if logfile is not None:
        try:
            logfile.parent.mkdir(parents=True, exist_ok=True)
            fh = logging.handlers.RotatingFileHandler(logfile, maxBytes=10_000_000, backupCount=5, encoding="utf-8")
            fh.setFormatter(fmt)
            fh.setLevel(logging.INFO)
            root.addHandler(fh)
        except OSError:
            pass
    logging.getLogger("httpx").setLevel(logging.WARNING)


def _settings(db: str | None, data_dir: str | None, sources: str | None, port: int | None = None) -> Settings:
    s = Settings()
    return Settings(db_path=Path(db) if db else s.db_path, data_dir=Path(data_dir) if data_dir else s.data_dir,
                    sources_path=Path(sources) if sources else s.sources_path,
                    port=port if port is not None else s.port)


def _load_sources(settings: Settings):
    from .sources import load_sources

    path = settings.sources_path
    if not path.exists() and (PROJECT_ROOT / path).exists():
        path = PROJECT_ROOT / path
    return load_sources(path)


db_option = click.option("--db", "db", type=click.Path(dir_okay=False), help="Archive database (default archive.db).")
data_option = click.option("--data-dir", type=click.Path(file_okay=False), help="Crawler state and raw captures (default data/).")
sources_option = click.option("--sources", type=click.Path(dir_okay=False), help="Source definitions (default sources.yml).")
port_option = click.option("--port", type=click.IntRange(1, 65535), default=8001, show_default=True, help="Port for Datasette on 127.0.0.1.")


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.option("-v", "--verbose", is_flag=True, help="Log debug messages to stderr.")
@click.version_option(package_name="hanoi-news")
def cli(verbose: bool) -> None:
    """hanoi-news: a polite, complete archive of Hanoi local-government news."""
    _logging(verbose)


def _progress_bar(desc: str):
    if not sys.stderr.isatty():
        return None, lambda: None
    from tqdm import tqdm

    bar = tqdm(desc=desc, unit=" articles", leave=False)
    return bar.update, bar.close


def _serve_datasette(db_path: Path, port: int, *, demo: bool, scheduler_setup=None,
                     warc_dir: Path | None = None) -> None:
    from .publish.app import make_datasette, warm_up
    from .publish.serve import serve

    ds = make_datasette(db_path, demo=demo, warc_dir=warc_dir)

    def setup(loop):
        # first readers should not pay for the front pages' counts and facets
        ds._hn_warm_up = loop.create_task(warm_up(ds, log_fn=log.warning))
        return scheduler_setup(loop) if scheduler_setup else None

    serve(ds.app(), host="127.0.0.1", port=port, scheduler_setup=setup,
          on_started=lambda url: click.echo(f"Datasette is serving {'the DEMO archive' if demo else db_path} at {url}"
                                            "  (Ctrl+C stops)"))


def _demo(port: int, serve_it: bool, out: Path) -> None:
    from .demo import build_demo, demo_site
    from .publish.serve import check_port

    site = None
    if serve_it:
        check_port("127.0.0.1", port)
        # the fixture site stays up while the demo is served, so the articles' "original"
        # links lead to their pages (on the port after Datasette's when it is free)
        site = _start_site(demo_site, port + 1 if port < 65535 else 0)
    click.echo("Demo: crawling the bundled fixture site (a reconstruction of laodongthudo.vn) on localhost…")
    try:
        update, close = _progress_bar("demo")
        try:
            db_path, reports = build_demo(out, progress=update, site=site)
        finally:
            close()
        for i, report in enumerate(reports, 1):
            click.echo(f"  pass {i}: {report.summary()}")
        click.echo(f"Demo archive written to {db_path} (demo data, separate from archive.db)")
        if site is not None:
            click.echo(f"The fixture site (the demo's 'original' pages) is at {site.base_url}/")
            _serve_datasette(db_path, port, demo=True)
    finally:
        if site is not None:
            site.stop()


def _start_site(make, port: int):
    """The demo's fixture site on ``port``, or on any free port when that one is taken."""
    try:
        return make(port).start()
    except OSError:
        return make(0).start()


def _site_only(port: int, out: Path) -> None:
    """Serve the fixture site alone and say how to crawl it with the real commands."""
    import signal
    import threading

    from .demo import demo_site, write_demo_sources

    site = _start_site(demo_site, port)
    sources = write_demo_sources(out, site.base_url)
    mine = f"--sources {sources} --db {out}/mine.db --data-dir {out}/mine-data"
    click.echo(f"The demo's fixture site is served at {site.base_url}/ (Ctrl+C stops it).\n"
               f"Its source is in {sources}. In another terminal, crawl it as you would a paper:\n"
               f"  hanoi-news crawl {mine}\n"
               f"  hanoi-news status {mine}\n"
               f"  hanoi-news probe laodongthudo --sources {sources}\n"
               f"  hanoi-news run {mine} --port 8002    (scheduler + Datasette on that archive)")
    done = threading.Event()
    previous = {sig: signal.signal(sig, lambda *_: done.set()) for sig in (signal.SIGINT, signal.SIGTERM)}
    try:
        done.wait()
    finally:
        for sig, handler in previous.items():
            signal.signal(sig, handler)
        site.stop()


@cli.command()
@port_option
@click.option("--no-serve", is_flag=True, help="Build the demo archive and exit.")
@click.option("--out", type=click.Path(file_okay=False), default="demo", show_default=True,
              help="Folder of the demo archive.")
@click.option("--site-only", is_flag=True,
              help="Only serve the fixture site (on --port) and write a sources file for it, to crawl it "
                   "yourself with 'hanoi-news crawl'.")
@_friendly
def demo(port: int, no_serve: bool, out: str, site_only: bool) -> None:
    """Offline demo: crawl the bundled fixture site and serve it with Datasette.

    \b
    Examples:
        hanoi-news demo --port 8001
        hanoi-news demo --site-only --port 8765    # then crawl it yourself
    """
    if site_only:
        _site_only(port, Path(out))
    else:
        _demo(port, not no_serve, Path(out))


def _reachable(sources) -> list[str]:
    import httpx

    up = []
    for s in sources:
        try:
            httpx.get(s.absolute("/robots.txt"), timeout=5, headers={"User-Agent": s.user_agent})
            up.append(s.id)
        except (httpx.HTTPError, OSError):
            continue
    return up


@cli.command()
@port_option
@db_option
@data_option
@sources_option
@_friendly
def run(port: int, db: str | None, data_dir: str | None, sources: str | None) -> None:
    """The main job: crawl every enabled source on its schedule and serve the archive.

    With no source reachable at start-up (no internet) it says so and runs the offline demo.

    \b
    Example:
        hanoi-news run --port 8001
    """
    from .crawl import crawl
    from .schedule import build_scheduler
    from .publish.serve import JobRunner, check_port
    from .store import open_db, sync_sources

    settings = _settings(db, data_dir, sources, port)
    all_sources = [s for s in _load_sources(settings) if s.enabled]
    check_port("127.0.0.1", port)
    if not _reachable(all_sources):
        click.echo("No source could be reached (no internet?): running the offline demo instead.")
        _demo(port, True, Path("demo"))
        return
    _logging(False, settings.data_dir / "logs" / "hanoi-news.log")
    dbh = open_db(settings.db_path)
    sync_sources(dbh, all_sources)
    from .publish.search_index import ensure_search

    ensure_search(dbh)
    dbh.close()
    runner = JobRunner()

    def job(source) -> None:
        runner.run(source.id, lambda stop: log.info(crawl(source, settings, stop=stop).summary()))

    def publish_job() -> None:
        from .publish.snapshot import publish_archive

        runner.run("publish", lambda stop: log.info("published %s", publish_archive(settings.db_path)))

    def setup(_loop):
        sched = build_scheduler(all_sources, job)
        # the downloadable snapshot (/-/snapshot/…) and the optimised search index, refreshed
        sched.add_job(publish_job, "interval", hours=PUBLISH_EVERY_HOURS, id="publish", name="publish",
                      coalesce=True, max_instances=1, misfire_grace_time=3600,
                      next_run_time=datetime.now(VN) + timedelta(minutes=10))
        sched.start()

        def stop() -> None:
            sched.pause()
            runner.shutdown(grace_s=3.0)
            sched.shutdown(wait=False)
        return stop

    click.echo(f"Crawling {', '.join(s.id for s in all_sources)} on schedule; logs in {settings.data_dir / 'logs'}")
    _serve_datasette(settings.db_path, port, demo=False, scheduler_setup=setup,
                     warc_dir=settings.warc_dir)


@cli.command("crawl")
@click.option("--source", "source_ids", multiple=True, help="Source id (repeatable; default all enabled).")
@click.option("--backfill-until", type=click.DateTime(formats=["%Y-%m-%d"]),
              help="Walk listings and sitemaps back to this date (resumable).")
@db_option
@data_option
@sources_option
@_friendly
def crawl_cmd(source_ids: tuple[str, ...], backfill_until, db, data_dir, sources) -> None:
    """Run one crawl now, with a progress bar.

    \b
    Example:
        hanoi-news crawl --source laodongthudo --backfill-until 2024-01-01
    """
    from .crawl import crawl

    settings = _settings(db, data_dir, sources)
    chosen = _pick(_load_sources(settings), source_ids)
    until: date | None = backfill_until.date() if backfill_until else None
    failed = False
    for source in chosen:
        update, close = _progress_bar(source.id)
        try:
            report = crawl(source, settings, mode="backfill" if until else "incremental",
                           backfill_until=until, progress=update)
        finally:
            close()
        click.echo(report.summary())
        failed |= report.status == "failed"
    if failed:
        sys.exit(1)


def _pick(all_sources, ids):
    if not ids:
        return [s for s in all_sources if s.enabled]
    by_id = {s.id: s for s in all_sources}
    unknown = [i for i in ids if i not in by_id]
    if unknown:
        raise CrawlerError(f"unknown source(s): {', '.join(unknown)}; see 'hanoi-news sources'")
    return [by_id[i] for i in ids]


@cli.command()
@db_option
@data_option
@sources_option
@_friendly
def reparse(db, data_dir, sources) -> None:
    """Rebuild every parsed table from the raw captures, with no network.

    One source at a time, under its lock (a crawl of it waits). An article whose capture
    cannot be read again keeps its rows; such articles and unreadable regions of the raw
    store are listed, and the exit code is then 1.
    """
    from .facts_store import ensure_gazetteer
    from .rawstore import RawStore
    from .reparse import reparse as do_reparse
    from .store import open_db, open_state

    settings = _settings(db, data_dir, sources)
    dbh = open_db(settings.db_path, create=False)
    state = open_state(settings.state_path)
    try:
        ensure_gazetteer(dbh)
        report = do_reparse(dbh, state, RawStore(settings.warc_dir), _load_sources(settings),
                            lock_dir=settings.lock_dir, work_dir=settings.data_dir)
    finally:
        dbh.close()
        state.close()
    click.echo(report.summary())
    if not report.complete:
        for line in report.problems():
            click.echo(line, err=True)
        raise click.ClickException("the raw store could not be read completely: the articles listed "
                                   "above keep their rows as they were")


@cli.command()
@click.argument("file", type=click.Path(exists=True, dir_okay=False))
@click.option("--url", required=True, help="The page's URL (chooses the site profile).")
@click.option("--source", "source_id", help="Parse as this source of sources.yml does (its parser and selectors:).")
@sources_option
@_friendly
def parse(file: str, url: str, source_id: str | None, sources: str | None) -> None:
    """Print the parsed article of a saved page as JSON.

    With --source, the page is parsed with that source's parser and selectors, and what
    each selector matched on the page is printed to stderr (to try selectors: on pages
    saved by `probe --save`).

    \b
    Examples:
        hanoi-news parse page.html --url https://laodongthudo.vn/x-157025.html
        hanoi-news parse probe/article-1.html --url https://example.vn/tin-tuc/1-a.html --source mypaper
    """
    import parsers

    data = Path(file).read_bytes()
    profile = None
    if source_id:
        chosen = _pick(_load_sources(_settings(None, None, sources)), (source_id,))[0]
        profile = chosen.parse_profile
        if isinstance(profile, parsers.Profile):
            from parsers.profiles.configured import selector_hits

            for field_name, hits in selector_hits(data, profile).items():
                shown = ", ".join(f"{sel!r}: {n}" for sel, n in hits)
                click.echo(f"selectors.{field_name}: {shown}" + ("  <- nothing matched" if not any(n for _, n in hits) else ""),
                           err=True)
    try:
        article = parsers.parse(data, url, profile=profile)
    except parsers.ParseError as exc:
        raise click.ClickException(f"{file}: {exc}") from None
    click.echo(json.dumps(article.to_dict(), ensure_ascii=False, indent=2))


@cli.command()
@click.argument("file", type=click.File("r", encoding="utf-8"))
@click.option("--published", type=click.DateTime(formats=["%Y-%m-%d"]), help="Publication date (YYYY-MM-DD).")
def extract(file, published) -> None:
    """Print the places, officials and indicators found in plain text as JSON.

    \b
    Example:
        hanoi-news extract article.txt --published 2023-07-20
    """
    import parsers

    facts = parsers.extract_facts(file.read(), published.date() if published else None)
    click.echo(json.dumps(facts.to_dict(), ensure_ascii=False, indent=2))


@cli.command("sources")
@sources_option
@_friendly
def sources_cmd(sources) -> None:
    """List the sources and their entry points."""
    for s in _load_sources(_settings(None, None, sources)):
        state = "enabled" if s.enabled else "disabled"
        click.echo(f"{s.id:<14} {state:<8} every {s.interval_minutes:g} min  {s.base_url}  parser={s.parser}  "
                   f"listings={len(s.listings)} feeds={len(s.feeds)} sitemaps={len(s.sitemaps)}"
                   + (f"  selectors={','.join(name for name, _ in s.selectors)}" if s.selectors else ""))


@cli.command()
@click.option("--source", "source_ids", multiple=True, help="Source id (repeatable; default all enabled).")
@db_option
@data_option
@sources_option
@click.option("--json", "as_json", is_flag=True, help="Print the health as JSON.")
@click.option("--no-notify", is_flag=True, help="Do not send alarm notifications from this check.")
@click.option("--accept", "accept_ids", type=int, multiple=True, metavar="ALARM_ID",
              help="Close an open alarm as accepted: what it measured is the new normal (repeatable).")
@_friendly
def status(source_ids, db, data_dir, sources, as_json, no_notify, accept_ids) -> None:
    """Health of each source: open alarms, last run, last success, completeness.

    Exit code 0 when every source checked is healthy, 3 when one is not (an open alarm,
    a failed or dead last run, never crawled), 1 when the archive or sources.yml cannot
    be read. Meant for cron and monitors.

    \b
    Example:
        hanoi-news status --json
    """
    from .notify import notifier_for
    from .status import exit_code, format_table, health, to_json
    from .store import open_db

    settings = _settings(db, data_dir, sources)
    chosen = _pick(_load_sources(settings), source_ids)
    dbh = open_db(settings.db_path, create=False)
    from .alarms import accept

    for alarm_id in accept_ids:
        alarm = accept(dbh, alarm_id)
        if alarm is None:
            raise CrawlerError(f"no open alarm has id {alarm_id}; see 'hanoi-news status' or the alarms table")
        click.echo(f"accepted alarm {alarm_id}: {alarm['source']} {alarm['kind']} {alarm['subject']}".rstrip(),
                   err=True)
    notify = None if no_notify else notifier_for(_sources_file(settings))
    rows = health(dbh, [s.id for s in chosen], state_path=settings.state_path, on_alarms=notify)
    click.echo(to_json(rows) if as_json else format_table(rows))
    sys.exit(exit_code(rows))


@cli.command("probe")
@click.argument("source_id")
@click.option("--save", "save_dir", type=click.Path(file_okay=False),
              help="Write every response fetched (body and headers) to this folder, as fixture makings.")
@click.option("--base-url", help="Probe a mirror or a local copy at this address instead of the site.")
@click.option("--articles", default=3, show_default=True, help="Articles to fetch and parse.")
@click.option("--pages", default=1, show_default=True, help="Pages of each listing to read.")
@click.option("--json", "as_json", is_flag=True, help="Print the findings as JSON.")
@sources_option
@_friendly
def probe_cmd(source_id, save_dir, base_url, articles, pages, as_json, sources) -> None:
    """First contact with a site: what each entry point and field gives, and what to fix.

    Run it first on a machine with internet, for each source. It fetches robots.txt, the
    home page, each feed and sitemap, the first page of each listing and a few articles,
    politely (the source's own rate and robots.txt), and writes nothing to the archive.
    Exit code 0 when everything worked, 3 when something needs fixing.

    \b
    Example:
        hanoi-news probe hanoimoi --save probe-hanoimoi
    """
    from .probe import format_report, probe

    source = _pick(_load_sources(_settings(None, None, sources)), (source_id,))[0]
    if base_url:
        source = source.with_base_url(base_url.rstrip("/"))
    report = probe(source, articles=articles, pages=pages, save_dir=Path(save_dir) if save_dir else None)
    click.echo(json.dumps(report.to_dict(), ensure_ascii=False, indent=2) if as_json else format_report(report))
    if save_dir:
        click.echo(f"saved to {save_dir}", err=True)
    sys.exit(3 if report.fixes or not report.articles else 0)


def _sources_file(settings: Settings) -> Path:
    path = settings.sources_path
    return path if path.exists() or not (PROJECT_ROOT / path).exists() else PROJECT_ROOT / path


from .cli_evaluate import evaluate  # noqa: E402
from .publish.snapshot import publish  # noqa: E402
from .publish.export import export  # noqa: E402

cli.add_command(evaluate)
cli.add_command(export)
cli.add_command(publish)
