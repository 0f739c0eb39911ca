"""anninhthudo.vn (ePi CMS, family selectors). SITES.md §4."""
from __future__ import annotations

import re

from .base import Profile

VERSION = "3"  # 3: dates of other articles in lists (sidebars) are not the byline

PROFILE = Profile(
    name="anninhthudo",
    version=VERSION,
    hosts=("anninhthudo.vn",),
    article_id=re.compile(r"/(?:[^/?#]+/)*[^/?#]*?(?:-post|/)(\d+)\.antd(?:[?#]|$)"),
    title=("h1.article__title", "h1.cms-title", "h1"),
    sapo=(".article__sapo", ".cms-desc", ".summary"),
    body=("div.article__body", "div.cms-body", "#main_detail"),
    author=(".article__author", ".cms-author", ".author"),
    date=(".article__meta time", "time.time", ".article__meta .time", "time"),
    category=(".breadcrumb a", ".article__breadcrumb a"),
    tags=("div.article__tag a", ".article__tag a", ".tags a"),
    sapo_prefix=re.compile(r"^\s*\(?\s*an\s*tđ\s*\)?\s*[-–—:]\s*", re.I),
    drop=("div.article-relate", ".article-relate", ".google-auto-placed", ".ap_container",
          ".article__tag", ".box-related"),
)
