"""Officials in the orders papers use; roles kept, "nguyên" flagged."""
from __future__ import annotations

from datetime import date

from parsers.facts import extract


def people(text, pub=date(2023, 6, 1)):
    return {o.name: o for o in extract(text, pub).officials}


def test_title_org_name():
    o = people("Phó Bí thư Quận ủy Bắc Từ Liêm Nguyễn Hữu Tuyên cho biết.")["Nguyễn Hữu Tuyên"]
    assert (o.title, o.organisation) == ("Phó Bí thư", "Quận ủy Bắc Từ Liêm")
    assert o.place_id == "hn-pre2025-021-quan-bac-tu-liem"


def test_name_then_title():
    o = people("Theo ông Nguyễn Hữu Tuyên, Phó bí thư Quận ủy Bắc Từ Liêm, kinh tế tăng.")["Nguyễn Hữu Tuyên"]
    assert o.title == "Phó Bí thư" and o.organisation == "Quận ủy Bắc Từ Liêm"


def test_dash_and_short_name():
    o = people("Đồng chí Vũ Hà – Bí thư Quận ủy phát biểu.")["Vũ Hà"]
    assert o.title == "Bí thư" and o.organisation == "Quận ủy"


def test_several_roles_before_name():
    o = people("Bí thư Quận ủy, Chủ tịch HĐND quận Tây Hồ Lê Thị Thu Hằng nhấn mạnh.")["Lê Thị Thu Hằng"]
    assert o.roles == ["Bí thư Quận ủy", "Chủ tịch HĐND quận Tây Hồ"]


def test_several_roles_after_name_and_trailing_verb():
    text = ("Đồng chí Nguyễn Lan Hương – Phó Chủ tịch Ủy ban Trung ương Mặt trận Tổ quốc Việt Nam, "
            "Ủy viên Ban Thường vụ Thành ủy, Chủ tịch Ủy ban Mặt trận Tổ quốc Việt Nam thành phố "
            "Hà Nội dự hội nghị.")
    o = people(text)["Nguyễn Lan Hương"]
    assert o.roles[-1] == "Chủ tịch Ủy ban Mặt trận Tổ quốc Việt Nam thành phố Hà Nội"
    assert len(o.roles) == 3


def test_former_and_current_role():
    text = "Ông Hà Văn Lực, nguyên Phó Chủ tịch UBND quận Ba Đình, nay là Chủ tịch UBND phường Ba Đình cho biết."
    o = people(text, date(2026, 1, 9))["Hà Văn Lực"]
    assert o.roles[0].startswith("nguyên Phó Chủ tịch")
    assert o.roles[1] == "Chủ tịch UBND phường Ba Đình"
    # the title is the current post; "nguyên" makes it former only when nothing current is held
    assert (o.title, o.organisation, o.is_former) == ("Chủ tịch", "UBND phường Ba Đình", False)


def test_one_row_per_person_and_no_place_names():
    text = ("Chủ tịch UBND quận Hoàng Mai Nguyễn Hồng Sơn chủ trì. Ông Nguyễn Hồng Sơn, Chủ tịch "
            "UBND quận Hoàng Mai, yêu cầu. Chủ tịch UBND tỉnh Bắc Ninh Nguyễn Hương Giang dự.")
    got = people(text, date(2024, 1, 1))
    assert set(got) == {"Nguyễn Hồng Sơn", "Nguyễn Hương Giang"}


def test_no_title_no_official():
    assert people("Tư tưởng Hồ Chí Minh và ông Nguyễn Văn A đến thăm.") == {}


def test_more_orders():
    got = people("Thủ tướng Chính phủ Phạm Minh Chính làm việc. Chủ tịch nước Võ Văn Thưởng dự.")
    assert got["Phạm Minh Chính"].roles == ["Thủ tướng Chính phủ"]
    assert got["Võ Văn Thưởng"].roles == ["Chủ tịch nước"]
    got = people("Ông Nguyễn Văn An - Trưởng phòng Tài chính - Kế hoạch quận Ba Đình cho biết.")
    assert got["Nguyễn Văn An"].roles == ["Trưởng phòng Tài chính - Kế hoạch quận Ba Đình"]
    got = people("Trưởng thành từ phong trào Đoàn, anh Nguyễn Văn Nam nay là Bí thư Đoàn phường.")
    assert got["Nguyễn Văn Nam"].title == "Bí thư"
    got = people("Dự có ông Lê Văn Hoạt, nguyên Bí thư Huyện ủy Gia Lâm và bà Trần Thị Hoa, "
                 "nguyên Phó Chủ tịch UBND huyện Gia Lâm.")
    assert got["Lê Văn Hoạt"].roles == ["nguyên Bí thư Huyện ủy Gia Lâm"]
    assert got["Trần Thị Hoa"].is_former


def test_text_without_diacritics():
    text = ("Quan Hoang Mai so ket 6 thang\n\n"
            "Chu tich UBND quan Hoang Mai Nguyen Hong Son de nghi cac phuong day nhanh giai phong mat bang. "
            "Truong THPT Hoang Van Thu duy tri day hoc. Ba Le Thi Lan, Pho Chu tich HDND quan, du hop.")
    got = people(text, date(2024, 7, 8))
    assert set(got) == {"Nguyen Hong Son", "Le Thi Lan"}  # "Truong" (a school) is no title here
    o = got["Nguyen Hong Son"]
    assert (o.title, o.organisation, o.place_id) == ("Chu tich", "UBND quan Hoang Mai", "hn-pre2025-008-quan-hoang-mai")
