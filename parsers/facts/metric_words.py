"""How papers name metrics: phrases (matched on folded text) -> keys of ``metrics.csv``.

A figure's metric is the nearest metric phrase before it in its clause (``indicators``);
``refine`` then narrows a head to a component or a sector named around it:
- budget revenue: "loại trừ tiền sử dụng đất" -> budget_revenue_excl_land, "thu tiền sử dụng
  đất" -> budget_revenue_land_use, "ngoài quốc doanh" -> budget_revenue_non_state, "thu nội
  địa", "xuất nhập khẩu", "thu cân đối", "ngân sách quận hưởng / địa phương", "sau điều tiết";
- expenditure: "chi thường xuyên", "chi đầu tư phát triển";
- production value: the sector named after the head or opening the clause: "công nghiệp –
  xây dựng", "công nghiệp", "thương mại – dịch vụ" / "dịch vụ", "nông – lâm – thủy sản";
- revenue ("doanh thu"): tourism when "du lịch" is named.
"""
from __future__ import annotations

import re

from .text import Anchored

_THU = (r"thu ngan sach|thu nsnn|thu ns\b|tong thu\b|thu tien su dung dat|thu thue|thu noi dia"
        r"|thu tu dau gia|thu tu khu vuc|thu tu hoat dong|thu can doi|thu dia phuong"
        r"|\bthu(?= (?:duoc |ve |them |dat |uoc dat |uoc )?(?:hon |gan |tren |khoang |vuot )?\d)")
# (folded phrase, key); at one position the first alternative wins, and a figure takes the
# last phrase before it in its clause
METRICS: list[tuple[str, str]] = [
    (r"giai ngan", "public_investment_disbursement"),
    (r"ke hoach von(?: dau tu cong)?(?: nam \d{4})? (?:duoc )?giao|von dau tu cong (?:nam \d{4} )?(?:duoc )?giao"
     r"|(?:tong )?von dau tu (?:xay dung co ban|xdcb) (?:nam \d{4} )?(?:duoc )?giao", "public_investment_plan"),
    (r"(?:tong )?chi thuong xuyen", "budget_expenditure_recurrent"),
    (r"(?:tong )?chi dau tu (?:phat trien|xay dung|xdcb)", "budget_expenditure_investment"),
    (r"chi ngan sach|chi nsnn|tong chi\b|chi ns\b", "budget_expenditure"),
    (_THU + r"|dau gia quyen su dung dat|dau gia dat", "budget_revenue"),
    (r"chi so san xuat cong nghiep|\biip\b", "industrial_production_index"),
    (r"(?:tong muc ban le|ban le) hang hoa(?:,? (?:va )?doanh thu dich vu(?: tieu dung)?)?|tong muc ban le",
     "retail_sales"),
    (r"doanh thu", "trade_service_revenue"),
    (r"kim ngach xuat khau|gia tri xuat khau", "export_value"),
    (r"(?:tong )?gia tri san pham(?! thu hoach)", "economic_growth"),
    (r"phan (?:do )?(?:quan|huyen|thi xa|phuong|xa) thu|so thu do (?:quan|huyen|thi xa) (?:quan ly|thuc hien)",
     "budget_revenue_district_collected"),
    (r"\bso thu(?! hut| nhap| hoi| hoach| thap| mua)", "budget_revenue"),  # "nếu loại trừ ..., số thu đạt ..."
    (r"gia tri san xuat|\bgtsx\b|tong gia tri\b|gia tri (?:cac nganh|thuong mai|cong nghiep|nong nghiep|xay dung)"
     r"|san xuat cong nghiep|san xuat (?:nong|thuy san)\b", "production_value"),
    (r"grdp (?:binh quan )?(?:dau nguoi|/ ?nguoi)|grdp binh quan", "grdp_per_capita"),
    (r"tang truong (?:\w+ ){0,2}kinh te|kinh te (?:\w+ ){0,4}tang truong|toc do tang truong|\bgrdp\b|tong san pham"
     r"|phat trien kinh te (?:binh quan|hang nam)",
     "economic_growth"),
    (r"von dau tu (?:phat trien )?toan xa hoi|von dau tu phat trien tren dia ban|tong von dau tu phat trien",
     "social_investment"),
    (r"tong muc dau tu|tong von dau tu (?:cua )?(?:du an|cong trinh)"
     r"|(?:du an|cong trinh|de an)\b[^.;()]{0,50}?(?:tong so tien|tong kinh phi|tong von|voi von|von dau tu)(?! dang ky)",
     "project_capital"),
    (r"von dau tu|thu hut dau tu|von dang ky|dau tu cong|tong von\b|(?:tong )?(?:nguon )?von huy dong", "investment"),
    # "huy động hơn 210 tỷ đồng để đầu tư ...", "nguồn huy động xã hội hóa": money raised to invest
    (r"huy dong\b", "investment_raised"),
    # "(tổng) kinh phí": of a scheme or project, of an investment, or of support (``refine``)
    (r"(?:tong )?kinh phi\b", "funding"),
    (r"luot khach|luong khach|khach du lich|du khach|khach tham quan", "tourist_arrivals"),
    (r"thu nhap binh quan", "per_capita_income"),
    (r"ty le ho ngheo|ho ngheo", "poverty_rate"),
    (r"thanh lap moi", "new_businesses"),
    # agriculture's own measures: "tổng diện tích gieo trồng (cây vụ Đông) đạt 2.338,7 ha",
    # "năng suất lúa ước đạt 60 tạ/ha" (only figures in their units take them: ``indicators``)
    (r"dien tich (?:gieo (?:trong|cay)|lua|cay (?:trong|lua|mau)|trong (?:lua|mau|cay))", "sown_area"),
    (r"nang suat (?:lua|binh quan|cay trong|ngo|rau|trung binh)|nang suat\b(?= (?:uoc |du kien )?(?:dat|binh quan))",
     "crop_yield"),
]
METRIC_RE = re.compile("|".join(f"(?P<m{i}>{p})" for i, (p, _) in enumerate(METRICS)))
KEY_OF_GROUP = {f"m{i}": k for i, (_, k) in enumerate(METRICS)}
# every alternative of METRICS starts with one of these (keep in step when adding phrases)
METRIC_SCAN = Anchored(METRIC_RE, (
    "giai ngan", "ke hoach von", "von dau tu", "chi ", "thu ", "tong ", "iip", "ban le", "doanh thu",
    "kim ngach", "gia tri ", "gtsx", "san xuat cong nghiep", "tang truong", "kinh te ",
    "toc do tang truong", "grdp", "dau tu cong", "ty le ho ngheo", "ho ngheo", "thanh lap moi",
    "dau gia", "du an", "cong trinh", "phat trien kinh te", "gia tri san pham", "phan ", "so thu",
    "nguon von", "von huy dong", "san xuat nong", "san xuat thuy san", "huy dong", "kinh phi",
    "tong kinh phi", "luot khach", "luong khach", "khach du lich", "du khach", "khach tham quan", "de an",
    "dien tich", "nang suat",
))

BUDGET_REVENUE = frozenset({
    "budget_revenue", "budget_revenue_domestic", "budget_revenue_non_state", "budget_revenue_land_use",
    "budget_revenue_excl_land", "budget_revenue_tax", "budget_revenue_recurrent", "budget_revenue_local",
    "budget_revenue_after_regulation", "budget_revenue_import_export"})
BUDGET = BUDGET_REVENUE | {"budget_expenditure", "budget_expenditure_recurrent", "budget_expenditure_investment",
                           "public_investment_disbursement", "public_investment_plan"}
PRODUCTION = frozenset({
    "production_value", "production_value_industry_construction", "production_value_industry",
    "production_value_construction", "production_value_trade_services", "production_value_agriculture",
    "production_value_industry_non_state"})
TRADE = frozenset({"trade_service_revenue", "tourism_revenue", "retail_sales", "export_value"})
# amounts of these are money: a figure in another unit is not theirs ("1,6 km" near "vốn đầu tư")
MONEY = BUDGET | PRODUCTION | TRADE | {"investment", "project_capital", "social_investment", "grdp",
                                       "grdp_per_capita", "per_capita_income"}
PER_PERSON = frozenset({"grdp_per_capita", "per_capita_income"})
# a percentage after "tăng" is their growth
GROWABLE = PRODUCTION | TRADE | {"economic_growth", "industrial_production_index"} | BUDGET_REVENUE \
    | {"investment", "social_investment", "sown_area", "crop_yield"}
# measured in area / in output per area: a figure in another unit is not theirs
AREA_UNITS = frozenset({"ha", "héc-ta", "hecta", "m2", "m²"})

_REVENUE_PARTS = re.compile(
    r"(?P<excl>loai tru (?:thu )?(?:tien )?(?:su dung dat|sdd)|khong (?:tinh|ke|bao gom) (?:thu )?(?:tien )?(?:su dung dat|sdd)"
    r"|ngoai tien su dung dat)"
    r"|(?P<land>tien su dung dat|thu tu dat|dau gia (?:quyen su dung )?dat|thu tien sdd)"
    r"|(?P<non_state>ngoai quoc doanh)"
    r"|(?P<import_export>xuat nhap khau)"
    r"|(?P<domestic>thu noi dia)"
    r"|(?P<after_regulation>sau dieu tiet)"
    r"|(?P<local>ngan sach cap (?:quan|huyen|phuong|xa)|ngan sach (?:quan|huyen|phuong|xa|thi xa) (?:duoc )?huong"
    r"|ngan sach dia phuong|thu dia phuong)"
    r"|(?P<recurrent>thu can doi|thu thuong xuyen)"
    r"|(?P<tax>thu thue|thu phi|thue, phi|phi, le phi)")
_REVENUE_KEY = {"excl": "budget_revenue_excl_land", "land": "budget_revenue_land_use",
                "non_state": "budget_revenue_non_state", "import_export": "budget_revenue_import_export",
                "domestic": "budget_revenue_domestic", "after_regulation": "budget_revenue_after_regulation",
                "local": "budget_revenue_local", "recurrent": "budget_revenue_recurrent", "tax": "budget_revenue_tax"}
# sectors of the economy (folded); the first group that matches names the key
SECTOR_WORDS = re.compile(
    r"\b(?:(?P<ic>cong nghiep\W{1,4}(?:va\W+)?(?:tieu thu cong nghiep\W{1,4}(?:va\W+)?)?xay dung"
    r"|cong nghiep\W{1,4}ttcn\W{1,4}xay dung|cn\W{1,3}xd"
    r"|xay dung\W{1,4}(?:va\W+)?(?:tieu thu cong nghiep|cong nghiep))"  # ("xây dựng - tiểu thủ công nghiệp")
    r"|(?P<ts>thuong mai\W{1,4}(?:va\W+)?dich vu|thuong mai|dich vu|tm\W{1,3}dv)"
    r"|(?P<ag>nong\W{1,4}lam\W{1,4}(?:nghiep\W{1,4})?(?:va\W+)?thuy san|nong\W{1,4}lam nghiep"
    r"|nong nghiep\W{1,4}(?:va\W+)?thuy san|nong nghiep|thuy san)"
    r"|(?P<i>cong nghiep|tieu thu cong nghiep)"
    r"|(?P<c>nganh xay dung))\b")
SECTOR_KEY = {"ic": "production_value_industry_construction", "ts": "production_value_trade_services",
              "ag": "production_value_agriculture", "i": "production_value_industry",
              "c": "production_value_construction"}
_TOURISM = re.compile(r"du lich")
_SERVICES_REVENUE = re.compile(r"doanh thu")


_SECTOR_HINTS = ("cong nghiep", "thuong mai", "dich vu", "nong", "thuy san", "xay dung", "tm", "cn")


def sector(sfold: str, lo: int, hi: int) -> str | None:
    """The production sub-key of the last sector named in ``sfold[lo:hi]``."""
    seg = sfold[lo:hi]
    for h in _SECTOR_HINTS:  # (most clauses name none; a loop is cheaper than ``any``)
        if h in seg:
            break
    else:
        return None
    last = None
    for m in SECTOR_WORDS.finditer(seg):
        last = m
    return SECTOR_KEY[last.lastgroup] if last is not None and last.lastgroup else None


# every match of _REVENUE_PARTS holds one of these
_REVENUE_HINTS = ("su dung dat", "sdd", "tu dat", "dau gia", "quoc doanh", "xuat nhap", "noi dia", "dieu tiet",
                  "ngan sach cap", "ngan sach quan", "ngan sach huyen", "ngan sach phuong", "ngan sach xa",
                  "ngan sach thi xa", "ngan sach dia", "thu dia", "thu can", "thu thuong", "thue", "thu phi",
                  "le phi")


def _revenue_part(seg: str) -> str | None:
    for h in _REVENUE_HINTS:
        if h in seg:
            break
    else:
        return None
    found = None
    for m in _REVENUE_PARTS.finditer(seg):
        found = m if found is None or m.lastgroup != "local" else found
    return _REVENUE_KEY[found.lastgroup] if found is not None and found.lastgroup else None


# "kinh tế của xã duy trì mức tăng trưởng", "kinh tế trên địa bàn được giữ vững, phát triển, tăng
# trưởng": economic growth with its subject far from the growth (tried by ``indicators`` only for a
# percentage with "tăng trưởng" before it: as a phrase of METRICS it made the scan twice as slow)
LOOSE_GROWTH = re.compile(r"kinh te\b[^.;:%\d()]{0,70}?\btang truong")
_SCHEME = re.compile(r"\b(?:de an|du an|chuong trinh|cong trinh|ke hoach|mo hinh)\b")
_INVEST_WORD = re.compile(r"\bdau tu\b")
_ITEM_CUT = re.compile(r".*(?:,| va )")


def refine(key: str, sfold: str, lo: int, p0: int, hi: int) -> str:
    """Narrow the head ``key`` (its phrase at ``p0``) with what the clause ``sfold[lo:hi]``
    names: a revenue or expenditure component, a sector of production, tourism; the purpose
    of a funding ("kinh phí thực hiện đề án" is a project's capital, "đầu tư ... với kinh phí" an
    investment, other funding "other")."""
    if key == "funding":
        if _SCHEME.search(sfold, p0, hi):
            return "project_capital"
        near = sfold[max(lo, p0 - 50):p0]
        cut = _ITEM_CUT.match(near)  # (the words since the last comma or "và")
        near = near[cut.end():] if cut else near
        return "investment" if _INVEST_WORD.search(near) or _INVEST_WORD.search(sfold, p0, hi) else "other"
    if key == "budget_revenue":
        return _revenue_part(sfold[max(lo, p0 - 60):hi]) or key
    if key == "production_value":
        key = sector(sfold, max(lo, p0 - 45), hi) or key
        if key == "production_value_industry" and "ngoai quoc doanh" in sfold[lo:hi]:
            return "production_value_industry_non_state"
        return key
    if key == "trade_service_revenue":  # "doanh thu du lịch" (not "doanh thu thương mại, dịch vụ, du lịch")
        seg = sfold[p0:min(hi, p0 + 40)]
        t = seg.find("du lich")
        return "tourism_revenue" if t >= 0 and not any(0 <= seg.find(w) < t for w in ("thuong mai", "dich vu")) else key
    return key
