"""The profile registry: lookup by host, article ids, versions."""
from __future__ import annotations

import pytest

from parsers.profiles import all_profiles, get_profile, profile_by_name, profile_versions


@pytest.mark.parametrize(("url", "name", "article_id"), [
    ("https://laodongthudo.vn/ba-dinh-thu-ngan-sach-164810.html", "laodongthudo", "164810"),
    ("http://www.laodongthudo.vn/x-23038.html?utm_source=fb", "laodongthudo", "23038"),
    ("https://laodongthudo.vn/dong-anh-but-pha.media", "laodongthudo", None),
    ("https://hanoimoi.vn/phuong-hoan-kiem-thu-ngan-sach-712905.html", "hanoimoi", "712905"),
    ("https://nhipsonghanoi.hanoimoi.vn/phuong-tay-ho-thu-ngan-sach-721846.html", "nhipsonghanoi", "721846"),
    ("https://nhipsonghanoi.hanoimoi.vn/anh-cho-gom-1212087.html?utm_source=zalo", "nhipsonghanoi", "1212087"),
    ("https://nhipsonghanoi.hanoimoi.com.vn/tin-tuc/Ha-Noi-360/1049857/quan-long-bien", "nhipsonghanoi", "1049857"),
    ("https://nhipsonghanoi.hanoimoi.vn/le-hoi-mua-thu-event4410.html", "nhipsonghanoi", None),
    ("https://kinhtedothi.vn/dat-nen-tai-da-nang-giam-gia.html", "kinhtedothi", None),
    ("https://kinhtedothi.vn/ha-noi-kinh-te-thang-10-dan-hoi-phuc-439503.html", "kinhtedothi", "439503"),
    ("https://www.anninhthudo.vn/camera-an-ninh-post659326.antd", "anninhthudo", "659326"),
    ("https://anninhthudo.vn/phap-luat/bat-nhom-trom/812345.antd", "anninhthudo", "812345"),
])
def test_lookup_and_article_id(url: str, name: str, article_id: str | None) -> None:
    profile = get_profile(url)
    assert profile is not None and profile.name == name
    assert profile.site_article_id(url) == article_id


@pytest.mark.parametrize("url", ["https://vnexpress.net/a-1.html", "https://laodongvaphapluat.laodongthudo.vn/x-1.html",
                                 "https://notlaodongthudo.vn/x-1.html", "not a url", "", "http://[::1/"])
def test_no_profile(url: str) -> None:
    assert get_profile(url) is None


def test_versions_and_names() -> None:
    versions = profile_versions()
    assert set(versions) == {"laodongthudo", "hanoimoi", "kinhtedothi", "anninhthudo", "nhipsonghanoi",
                             "generic"}
    assert all(isinstance(v, str) and v for v in versions.values())
    assert all(profile_by_name(p.name) is p for p in all_profiles())
    assert profile_by_name("nope") is None


def test_event_pages_and_host_independent_ids() -> None:
    hanoimoi = profile_by_name("hanoimoi")
    assert hanoimoi is not None
    assert hanoimoi.site_article_id("https://hanoimoi.vn/su-kien-event1234.html") is None
    assert hanoimoi.site_article_id("http://127.0.0.1:8000/a-b-712905.html") == "712905"
