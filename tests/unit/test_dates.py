"""Vietnamese byline dates -> ISO 8601 with offset (parsers.dates)."""
from __future__ import annotations

from datetime import datetime, timedelta, timezone

import pytest

from parsers.dates import VN_TZ, parse_date, parse_date_iso, to_iso

NOW = datetime(2024, 6, 1, 3, 0, tzinfo=timezone.utc)  # 10:00 in Hanoi


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Ngày đăng : 11:27, 19/10/2022", "2022-10-19T11:27:00+07:00"),
        ("Thứ năm, 14/12/2023 08:30", "2023-12-14T08:30:00+07:00"),
        ("Thứ Năm, 14/12/2023 08:30", "2023-12-14T08:30:00+07:00"),
        ("14/12/2023 | 08:30 GMT+7", "2023-12-14T08:30:00+07:00"),
        ("08:30 | 14/12/2023", "2023-12-14T08:30:00+07:00"),
        ("15-01-2024 13:04", "2024-01-15T13:04:00+07:00"),
        ("17:22 17/08/2023", "2023-08-17T17:22:00+07:00"),
        ("Thứ hai, 9/1/2023, 7:05 (GMT+7)", "2023-01-09T07:05:00+07:00"),
        ("ngày 13 tháng 12 năm 2022", "2022-12-13T00:00:00+07:00"),
        ("15:20, ngày 13 tháng 12 năm 2022", "2022-12-13T15:20:00+07:00"),
        ("Cập nhật: 08:30 14/12/2023", "2023-12-14T08:30:00+07:00"),
        ("Thứ bảy, 08:00 08/03/2025", None),  # after NOW: never a future date
        ("2023-07-20T10:15:00+07:00", "2023-07-20T10:15:00+07:00"),
        ("2023-07-20T03:15:00Z", "2023-07-20T10:15:00+07:00"),
        ("2023-07-20T10:15:00", "2023-07-20T10:15:00+07:00"),
        ("2023-07-20", "2023-07-20T00:00:00+07:00"),
        ("14/12/2023 08h30", "2023-12-14T08:30:00+07:00"),
        ("05/06/2023 10:30 (GMT-5)", "2023-06-05T22:30:00+07:00"),
        ("02:15 PM 05/06/2023", "2023-06-05T14:15:00+07:00"),
    ],
)
def test_byline_forms(text: str, expected: str | None) -> None:
    assert parse_date_iso(text, now=NOW) == expected


def test_day_first_always() -> None:
    assert parse_date_iso("12/01/2024", now=NOW) == "2024-01-12T00:00:00+07:00"
    assert parse_date_iso("01/12/2023", now=NOW) == "2023-12-01T00:00:00+07:00"


def test_gmt_plus_seven_is_utc_plus_seven() -> None:
    found = parse_date("05/06/2023 10:30 (GMT+7)", now=NOW)
    assert found is not None and found.utcoffset() == timedelta(hours=7)
    assert found.astimezone(timezone.utc).hour == 3


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("2 giờ trước", "2024-06-01T08:00:00+07:00"),
        ("5 phút trước", "2024-06-01T09:55:00+07:00"),
        ("3 ngày trước", "2024-05-29T10:00:00+07:00"),
        ("hôm qua", "2024-05-31T00:00:00+07:00"),
        ("Hôm qua lúc 08:30", "2024-05-31T08:30:00+07:00"),
        ("vừa xong", "2024-06-01T10:00:00+07:00"),
    ],
)
def test_relative_to_fetch_time(text: str, expected: str) -> None:
    assert parse_date_iso(text, now=NOW) == expected


def test_year_inferred_for_day_month_only_and_rolled_back() -> None:
    assert parse_date_iso("Ngày 13/05", now=NOW) == "2024-05-13T00:00:00+07:00"
    assert parse_date_iso("Ngày 13/12", now=NOW) == "2023-12-13T00:00:00+07:00"


@pytest.mark.parametrize("text", ["", "không có ngày", "31/02/2024", "99/99/2024", "25:61 1/1/2020",
                                  "14/12/2030 08:30", "0/0/0000"])
def test_no_date_or_impossible_date(text: str) -> None:
    assert parse_date(text, now=NOW) is None


def test_naive_now_is_utc_and_output_is_hanoi_time() -> None:
    assert parse_date_iso("vừa xong", now=NOW.replace(tzinfo=None)) == "2024-06-01T10:00:00+07:00"
    assert to_iso(datetime(2024, 1, 1, 17, 0, tzinfo=timezone.utc)) == "2024-01-02T00:00:00+07:00"
    assert VN_TZ.utcoffset(None) == timedelta(hours=7)


def test_future_relative_to_clock_when_no_fetch_time() -> None:
    assert parse_date("01/01/2999") is None
    assert parse_date("01/01/2020") is not None


def test_absurd_relative_amounts() -> None:
    assert parse_date("99999999999 năm trước", now=NOW) is None
    assert parse_date("999999999999999999999 phút trước", now=NOW) is None


def test_clock_skew_is_clamped_never_future() -> None:
    fetched = datetime(2024, 6, 1, 3, 0, 30, tzinfo=timezone.utc)  # 10:00:30 in Hanoi
    assert parse_date_iso("01/06/2024 10:02", now=fetched) == "2024-06-01T10:00:30+07:00"
    assert parse_date_iso("01/06/2024 10:30", now=fetched) is None
