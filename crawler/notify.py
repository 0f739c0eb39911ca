"""Alarm notifications through Apprise (e-mail, Telegram, Slack, ntfy, a JSON webhook …).

Off unless configured: the environment variable ``HANOI_NEWS_NOTIFY`` (Apprise URLs
separated by spaces or commas) and/or a top-level ``notify:`` list in ``sources.yml``. One
message per run (or per ``status`` check) that opened or closed alarms. A notification that
cannot be sent is logged; it never fails a crawl.
"""
from __future__ import annotations

import logging
import os
import re
from pathlib import Path
from typing import Callable

import yaml

from .alarms import Change

log = logging.getLogger(__name__)
ENV = "HANOI_NEWS_NOTIFY"


def notify_urls(sources_path: str | Path | None) -> list[str]:
    """The configured Apprise URLs (environment first, then sources.yml)."""
    urls = [u for u in re.split(r"[\s,]+", os.environ.get(ENV, "")) if u]
    if sources_path is not None and Path(sources_path).is_file():
        try:
            data = yaml.safe_load(Path(sources_path).read_text(encoding="utf-8")) or {}
        except (OSError, yaml.YAMLError):
            data = {}  # load_sources reports a broken file; nothing to add here
        extra = data.get("notify") if isinstance(data, dict) else None
        if isinstance(extra, str):
            extra = [extra]
        urls += [str(u) for u in extra or [] if u and str(u) not in urls]
    return urls


def message(changes: list[Change]) -> tuple[str, str]:
    """(title, body) of one notification."""
    opened = sum(c.action == "opened" for c in changes)
    closed = len(changes) - opened
    sources = sorted({c.source for c in changes})
    parts = [f"{opened} alarm{'s' * (opened != 1)} opened"] if opened else []
    parts += [f"{closed} closed"] if closed else []
    title = f"hanoi-news: {', '.join(sources)}: {', '.join(parts)}"
    return title, "\n".join(c.line() for c in changes)


def make_notifier(urls: list[str]) -> Callable[[list[Change]], bool] | None:
    """A function that sends a list of alarm changes to ``urls``; None when there is none."""
    if not urls:
        return None

    def send(changes: list[Change]) -> bool:
        if not changes:
            return True
        try:
            import apprise

            app = apprise.Apprise()
            for url in urls:
                if not app.add(url):
                    log.warning("notification URL not understood by Apprise: %s", _redact(url))
            title, body = message(changes)
            sent = bool(len(app)) and bool(app.notify(title=title, body=body))
        except Exception:  # a notifier must never take the crawler down
            log.exception("sending the alarm notification failed")
            return False
        if not sent:
            log.warning("the alarm notification could not be sent to %s", ", ".join(map(_redact, urls)))
        return sent

    return send


def notifier_for(sources_path: str | Path | None) -> Callable[[list[Change]], bool] | None:
    return make_notifier(notify_urls(sources_path))


def _redact(url: str) -> str:
    """An Apprise URL without its credentials (user:password@, tokens in the path)."""
    scheme, _, rest = url.partition("://")
    host = rest.split("@")[-1].split("/")[0]
    return f"{scheme}://{host}/…" if rest else url
