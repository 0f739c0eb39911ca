"""nhipsonghanoi.hanoimoi.vn ("Nhịp sống Hà Nội", Báo Hànộimới's ward and commune news,
"Hà Nội 360"). SITES.md §6: today's pages are served by hanoimoi's platform (same article
URL form, same image host), so this profile is hanoimoi's plus the 2022 template of the old
nhipsonghanoi.hanoimoi.com.vn (FAMILY: the old hanoimoi.com.vn CMS), whose pages survive
in archives and saved copies."""
from __future__ import annotations

import re
from dataclasses import replace

from . import hanoimoi

VERSION = "1"
HOSTS = ("nhipsonghanoi.hanoimoi.vn", "nhipsonghanoi.hanoimoi.com.vn")
_BASE = hanoimoi.PROFILE

PROFILE = replace(
    _BASE,
    name="nhipsonghanoi",
    version=VERSION,
    hosts=HOSTS,
    excluded_hosts=(),
    # /<slug>-<id>.html today (SITE, a 2026 link); /tin-tuc/<Section>/<id>/<slug> on the old
    # host (GUESS).
    article_id=re.compile(r"(?:/[a-z0-9-]+?-|/tin-tuc/[^/?#]+/)(\d+)(?:\.html(?:[?#]|$)|/)", re.I),
    title=_BASE.title[:-1] + ("#NewsDetails > h1", "h1"),
    # The old template's lead is the bold first block of div.article (FAMILY).
    sapo=_BASE.sapo + ("#NewsDetails div.article > div:first-child > strong",),
    body=_BASE.body + ("#abody", "#NewsGallery", "div.summ"),
    author=_BASE.author + ("#NewsDetails > div.author", "div.author"),
    # "<a.cap>Hà Nội 360</a> - Ngày đăng : 15:40, 28/09/2022" (layout SITE 2022, classes FAMILY)
    date=_BASE.date + ("div.moder > div.refer", "div.refer"),
    category=_BASE.category + ("div.refer > a.cap",),
    tags=_BASE.tags + ("div.tagbox div.tags a",),
    drop=_BASE.drop + ("div.tinlienquan", "div.tagbox", "div.author"),
)
