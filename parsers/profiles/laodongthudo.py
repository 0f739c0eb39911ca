"""laodongthudo.vn (MasterCMS). Selectors from SITES.md §1.2 and §1.4."""
from __future__ import annotations

import re

from .base import Profile

VERSION = "3"  # 3: dates of other articles in lists (sidebars) are not the byline

PROFILE = Profile(
    name="laodongthudo",
    version=VERSION,
    hosts=("laodongthudo.vn",),
    article_id=re.compile(r"/(?:[^/?#]+/)*[a-z0-9-]+-(\d+)\.(?:html|media)(?:[?#]|$)"),
    title=("h1.title_detail", "h1.title-detail", "h1"),
    sapo=(".sabo", ".sapo", "p.detail-sapo", ".detail-sapo"),
    body=(".detail_info", ".__MASTERCMS_CONTENT", "#__MB_MASTERCMS_EL_3", ".article-content"),
    author=(".detail_info p[style*='text-align: right']", ".detail_info p[align=right]",
            ".detail_info ~ p[align=right]", ".detail_info ~ p[style*='text-align: right']",
            ".__MASTERCMS_CONTENT p[align=right]", ".author"),
    date=(".content_detail .tool i", ".tool i", "span.datetime", ".datetime", ".date_detail",
          ".time_detail"),
    category=(".title_new_nav > span > a > span", ".title_new_nav a", ".breadcrumb a"),
    tags=(".tags a", ".main-cate.tags a", ".tag a"),
    drop=("table.__MB_ARTICLE_A", "table.__mb_article_in_image", ".__MB_ARTICLE_A",
          ".__mb_article_in_image", "div.__MB_ARTICLE_PAGING", "input", ".tool", ".tags",
          ".title_new_nav"),
    excluded_hosts=("laodongvaphapluat.laodongthudo.vn",),
)
