"""URL normalisation and article identity: every variant maps to one id."""
from __future__ import annotations

import pytest

from crawler.sources import load_sources
from crawler.config import PROJECT_ROOT
from crawler.urls import article_key, normalize

SOURCES = {s.id: s for s in load_sources(PROJECT_ROOT / "sources.yml")}
CANON = "https://laodongthudo.vn/quan-bac-tu-liem-phat-trien-toan-dien-ve-kinh-te-xa-hoi-157025.html"


@pytest.mark.parametrize("variant", [
    CANON,
    "http://laodongthudo.vn/quan-bac-tu-liem-phat-trien-toan-dien-ve-kinh-te-xa-hoi-157025.html",
    "https://www.laodongthudo.vn/quan-bac-tu-liem-phat-trien-toan-dien-ve-kinh-te-xa-hoi-157025.html",
    "https://m.laodongthudo.vn/quan-bac-tu-liem-phat-trien-toan-dien-ve-kinh-te-xa-hoi-157025.html",
    "https://LAODONGTHUDO.VN/quan-bac-tu-liem-phat-trien-toan-dien-ve-kinh-te-xa-hoi-157025.html",
    CANON + "#binh-luan",
    CANON + "?utm_source=facebook&utm_medium=social&fbclid=IwAR0x",
    CANON + "?zarsrc=30&utm_campaign=zalo&gidzl=abc",
    CANON + "/amp",
    "https://laodongthudo.vn/amp/quan-bac-tu-liem-phat-trien-toan-dien-ve-kinh-te-xa-hoi-157025.html",
    CANON + "?amp",
    "https://laodongthudo.vn:443/quan-bac-tu-liem-phat-trien-toan-dien-ve-kinh-te-xa-hoi-157025.html",
])
def test_variants_normalise_to_one_url_and_one_id(variant):
    assert normalize(variant) == CANON
    assert article_key(SOURCES["laodongthudo"], variant) == "laodongthudo:157025"


def test_meaningful_query_parameters_are_kept_and_sorted():
    assert normalize("https://x.vn/a?page=2&cat=5&utm_source=z") == "https://x.vn/a?cat=5&page=2"


def test_site_ids_per_source():
    assert article_key(SOURCES["hanoimoi"], "https://hanoimoi.vn/ha-noi-thu-ngan-sach-703441.html") == "hanoimoi:703441"
    assert article_key(SOURCES["hanoimoi"], "https://hanoimoi.vn/le-hoi-event123.html") is None
    nshn = SOURCES["nhipsonghanoi"]
    assert article_key(nshn, "https://nhipsonghanoi.hanoimoi.vn/phuong-tay-ho-thu-ngan-sach-721846.html?utm_source=x") \
        == "nhipsonghanoi:721846"
    assert article_key(nshn, "https://nhipsonghanoi.hanoimoi.vn/le-hoi-mua-thu-event4410.html") is None
    assert not nshn.owns("https://hanoimoi.vn/phuong-tay-ho-thu-ngan-sach-721846.html")
    assert article_key(SOURCES["anninhthudo"],
                       "https://anninhthudo.vn/bat-giu-doi-tuong-post612345.antd?utm_source=x") == "anninhthudo:612345"
    assert article_key(SOURCES["anninhthudo"], "https://www.anninhthudo.vn/bat-giu-doi-tuong-post612345.antd") \
        == "anninhthudo:612345"


def test_kinhtedothi_without_id_hashes_the_normalised_path():
    s = SOURCES["kinhtedothi"]
    a = article_key(s, "https://kinhtedothi.vn/dat-nen-tai-da-nang-giam-gia.html")
    b = article_key(s, "https://www.kinhtedothi.vn/dat-nen-tai-da-nang-giam-gia.html?utm_source=fb#x")
    assert a == b and a.startswith("kinhtedothi:u")
    assert article_key(s, "https://kinhtedothi.vn/ha-noi-kinh-te-thang-10-439503.html") == "kinhtedothi:439503"


def test_non_articles_have_no_key():
    s = SOURCES["laodongthudo"]
    for url in ("https://laodongthudo.vn/thoi-su", "https://laodongthudo.vn/", "https://laodongthudo.vn/rss/home.rss",
                "https://laodongthudo.vn/thoi-su&s_cond=&BRSR=16", "https://laodongthudo.vn/stores/a/b-1.jpg"):
        assert article_key(s, url) is None, url
    assert article_key(s, "https://laodongthudo.vn/dong-anh-but-pha.media").startswith("laodongthudo:u")
