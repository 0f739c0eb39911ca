"""kinhtedothi.vn (2025 CMS, with 2022-24 and <=2021 fallbacks). SITES.md §3."""
from __future__ import annotations

import re

from .base import Profile

VERSION = "3"  # 3: dates of other articles in lists (sidebars) are not the byline

PROFILE = Profile(
    name="kinhtedothi",
    version=VERSION,
    hosts=("kinhtedothi.vn",),
    # Pages since 2022 usually have no id; the <=2021 form ends "-<id>.html".
    article_id=re.compile(r"/(?:[^/?#]+/)*[a-z0-9-]+?-(\d{4,})\.html(?:[?#]|$)"),
    title=("h1.article-title", "h1.article__title", "h1.detail__title", ".title_detail h1", "h1"),
    sapo=(".article-sapo", ".detail__sapo", ".article-summary", ".article__sapo", ".sapo_detail", ".sapo"),
    body=("[itemprop=articleBody]", ".detail__content", ".article-content", ".article-body", ".article__body",
          "#cotent_detail", ".detail-content"),
    author=(".article-author", "span.detail__author", ".detail__author", ".author", "span.name_author"),
    date=("div.article-published-on", ".article-publish", ".detail__time", ".time_detail_news", ".article__meta time",
          "time"),
    category=(".detail__breadcrumb a", ".breadcrumb a", ".breadcump a", ".article-category a"),
    tags=(".article-tags a", ".detail__tags a", ".tag_detail a", ".tags a", ".article__tag a"),
    drop=(".box_guests", ".related", ".article-related", ".box-related", ".article-tags",
          ".tag_detail"),
    sapo_prefix=re.compile(r"^\s*\(?\s*kinh\s*t[eế]\s*(?:&|và)?\s*[dđ][oô]\s*th[iị]\s*\)?\s*[-–—:]\s*", re.I),
    excluded_hosts=("phapluatxahoi.kinhtedothi.vn", "diendandothi.kinhtedothi.vn"),
)
