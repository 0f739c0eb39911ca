"""Build ``parsers/facts/hanoi_units.json`` from the ``vietnamadminunits`` package data.

Input: the package's bundled ``data/dataset.db`` (tables ``admin_units`` and
``admin_units_legacy``) and ``data/converter_2025.json``, opened read-only.
Output: a compact JSON gazetteer of Hanoi (units before and after the 1 July 2025 reform and
the old -> new mapping), committed to the repository so that ``parsers`` never needs SQLite.

Run once after upgrading the package::

    .venv/bin/python scripts/build_gazetteer.py

Place ids (stable, documented in parsers/facts/README.md)::

    hn-pre2025-<GSO code>-<type>-<name>   units in force until 2025-06-30
    hn-2025-<GSO code>-<type>-<name>      units in force since 2025-07-01

GSO codes are reused across the reform (old "Phường Trúc Bạch" and new "Phường Ba Đình"
both carry 00004), hence the era prefix.
"""
from __future__ import annotations

import json
import sqlite3
import unicodedata
from importlib import metadata
from pathlib import Path

import vietnamadminunits

OUT = Path(__file__).resolve().parent.parent / "parsers" / "facts" / "hanoi_units.json"
OLD_VALID_TO = "2025-06-30"
NEW_VALID_FROM = "2025-07-01"
_D = str.maketrans({"đ": "d", "Đ": "D"})


def fold(s: str) -> str:
    """ASCII, lower case: 'Bắc Từ Liêm' -> 'bac tu liem'."""
    s = unicodedata.normalize("NFD", s).translate(_D)
    return "".join(c for c in s if not unicodedata.combining(c)).lower()


def slug(s: str) -> str:
    return "-".join("".join(c if c.isalnum() else " " for c in fold(s)).split())


def unit_id(era: str, code: str, typ: str, name: str) -> str:
    return f"hn-{era}-{code}-{slug(typ)}-{slug(name)}"


def build(data_dir: Path) -> dict:
    db = sqlite3.connect(f"file:{data_dir / 'dataset.db'}?mode=ro", uri=True)
    db.row_factory = sqlite3.Row
    units: list[dict] = []
    key_to_id: dict[str, str] = {}  # converter keys -> ids
    districts: dict[str, str] = {}
    legacy = db.execute(
        "select * from admin_units_legacy where provinceShort = 'Hà Nội' order by districtCode, wardCode"
    ).fetchall()
    for r in legacy:
        if r["districtCode"] not in districts:
            did = unit_id("pre2025", r["districtCode"], r["districtType"], r["districtShort"])
            districts[r["districtCode"]] = did
            units.append({
                "id": did, "name": r["districtShort"], "type": r["districtType"].lower(),
                "full_name": r["district"], "ascii_name": fold(r["districtShort"]),
                "parent_id": None, "code": r["districtCode"], "valid_from": None,
                "valid_to": OLD_VALID_TO, "latitude": r["districtLat"],
                "longitude": r["districtLon"], "level": "district",
            })
        wid = unit_id("pre2025", r["wardCode"], r["wardType"], r["wardShort"])
        key_to_id[f"{r['provinceKey']}_{r['districtKey']}_{r['wardKey']}"] = wid
        units.append({
            "id": wid, "name": r["wardShort"], "type": r["wardType"].lower(),
            "full_name": r["ward"], "ascii_name": fold(r["wardShort"]),
            "parent_id": districts[r["districtCode"]], "code": r["wardCode"],
            "valid_from": None, "valid_to": OLD_VALID_TO, "latitude": r["wardLat"],
            "longitude": r["wardLon"], "level": "ward",
        })
    new_key_to_id: dict[str, str] = {}
    for r in db.execute(
        "select * from admin_units where provinceShort = 'Hà Nội' order by wardCode"
    ).fetchall():
        nid = unit_id("2025", r["wardCode"], r["wardType"], r["wardShort"])
        new_key_to_id[r["wardKey"]] = nid
        units.append({
            "id": nid, "name": r["wardShort"], "type": r["wardType"].lower(),
            "full_name": r["ward"], "ascii_name": fold(r["wardShort"]),
            "parent_id": None, "code": r["wardCode"], "valid_from": NEW_VALID_FROM,
            "valid_to": None, "latitude": r["wardLat"], "longitude": r["wardLon"],
            "level": "ward",
        })
    conv = json.loads((data_dir / "converter_2025.json").read_text(encoding="utf-8"))
    pairs: set[tuple[str, str]] = set()
    for new_key, olds in conv["DICT_PROVINCE_WARD_NO_DIVIDED"]["thanhphohanoi"].items():
        for old in olds:
            if old in key_to_id:
                pairs.add((key_to_id[old], new_key_to_id[new_key]))
    for old, news in conv["DICT_PROVINCE_WARD_DIVIDED"].get("thanhphohanoi", {}).items():
        for n in news:
            if old in key_to_id and n["newWardKey"] in new_key_to_id:
                pairs.add((key_to_id[old], new_key_to_id[n["newWardKey"]]))
    parent = {u["id"]: u["parent_id"] for u in units}
    for old, new in list(pairs):  # a district is succeeded by every successor of its wards
        if parent.get(old):
            pairs.add((parent[old], new))
    return {
        "source": {
            "package": "vietnamadminunits",
            "version": metadata.version("vietnamadminunits"),
            "licence": "MIT License, Copyright (c) 2025 Tran Ngoc Minh Hieu, https://github.com/tranngocminhhieu/vietnamadminunits",
            "files": ["data/dataset.db (admin_units, admin_units_legacy)", "data/converter_2025.json"],
            "built_by": "scripts/build_gazetteer.py",
        },
        "units": units,
        "successors": sorted(pairs),
    }


def _dump(out: dict) -> str:
    """JSON with one unit / pair per line: small and diff-friendly."""
    dumps = lambda x: json.dumps(x, ensure_ascii=False)  # noqa: E731
    lines = ["{", f'"source": {dumps(out["source"])},', '"units": [']
    lines.append(",\n".join(dumps(u) for u in out["units"]))
    lines += ["],", '"successors": [', ",\n".join(dumps(list(p)) for p in out["successors"]), "]", "}"]
    return "\n".join(lines) + "\n"


def main() -> None:
    data_dir = Path(vietnamadminunits.__file__).parent / "data"
    out = build(data_dir)
    OUT.write_text(_dump(out), encoding="utf-8")
    print(f"{OUT}: {len(out['units'])} units, {len(out['successors'])} successor pairs")


if __name__ == "__main__":
    main()
