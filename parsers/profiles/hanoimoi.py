"""hanoimoi.vn ("c-detail-head" / "sc-longform" CMS). Selectors from SITES.md §2.2."""
from __future__ import annotations

import re

from .base import Profile

VERSION = "3"  # 3: dates of other articles in lists (sidebars) are not the byline

PROFILE = Profile(
    name="hanoimoi",
    version=VERSION,
    hosts=("hanoimoi.vn", "hanoimoi.com.vn"),
    article_id=re.compile(r"/(?:[^/?#]+/)*[a-z0-9-]+?-(\d+)\.html(?:[?#]|$)"),
    title=("h1.c-detail-head__title", "h1.sc-longform-header-title", ".block-sc-title", "h1"),
    sapo=("p.sc-longform-header-sapo", "div.sc-longform-header-text > p.block-sc-sapo",
          ".block-sc-sapo", "h2.desc", ".c-detail-head__sapo", ".sapo"),
    body=("div.b-maincontent div.entry", "div.b-maincontent article.entry", "div.b-maincontent",
          "article.entry", "div.entry"),
    author=("span.c-detail-head__author", "div.sc-longform-header-meta > span.block-sc-author",
            ".sc-longform-header-author", ".block-sc-author", "div.c-author-page"),
    date=("span.c-detail-head__time", "span.sc-longform-header-date", ".block-sc-publish-time"),
    category=("span.c-detail-head__cat", ".c-breadcrumb a:last-child"),
    tags=("div.c-tags ul li a", ".c-tags a"),
    drop=("div.c-box", "div.sc-longform-header", "div.sc-empty-layer", ".c-share-detail",
          ".c-tags", ".c-comment"),
    body_end=(".c-share-detail",),
    # Nhịp sống Hà Nội runs on the same platform but is its own source (nhipsonghanoi.py)
    excluded_hosts=("nhipsonghanoi.hanoimoi.vn", "nhipsonghanoi.hanoimoi.com.vn"),
)
