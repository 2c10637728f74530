"""The floor plan SVG: valid XML with every booth code, exhibitors' names escaped, composed (NFC) and
shortened to fit their booths, a legend of zones and booth types; no names before the fair is published."""

from __future__ import annotations

import unicodedata
import xml.etree.ElementTree as ET

from models import BoothType, FairStatus
from services.fairs import assignment, floorplan
from services.policy import SYSTEM
from tests.conftest import Database
from tests.fairs.factories import booth_row, make_exhibitor, make_fair, make_layout, zone

SVG = "{http://www.w3.org/2000/svg}"
TRICKY = 'HTX <Dừa> & "Xiêm" Giồng Trôm (demo)'


def _texts(element: ET.Element) -> list[str]:
    return ["".join(t.itertext()) for t in element.iter(f"{SVG}text")]


async def test_the_floor_plan_is_svg_with_codes_and_escaped_names(db: Database) -> None:
    fair = await make_fair()
    booths = await make_layout(
        fair,
        [zone("A", "Khu ẩm thực", ["1"], 0, 0), zone("B", "Khu thủ công <mỹ nghệ>", ["4"], 40, 0)],
        [*booth_row("A", 3), *booth_row("B", 2, x=40, booth_type=BoothType.CORNER)],
    )
    tricky = await make_exhibitor(fair, name=unicodedata.normalize("NFD", TRICKY))
    long = await make_exhibitor(
        fair, name="Hợp tác xã Nông nghiệp Dịch vụ Bánh phồng Sơn Đốc Hưng Nhượng (demo)"
    )
    await assignment.assign_booth(booths["A01"].id, tricky.id, SYSTEM)
    await assignment.assign_booth(booths["A02"].id, long.id, SYSTEM)

    hidden = await floorplan.floor_plan_svg(fair, show_exhibitors=False)
    assert "Dừa" not in hidden
    assert "Sơn Đốc" not in hidden

    await fair.__class__.filter(id=fair.id).update(status=FairStatus.PUBLISHED)
    svg = await floorplan.floor_plan_svg(fair, show_exhibitors=True)
    root = ET.fromstring(svg)  # noqa: S314 - our own output
    assert root.tag == f"{SVG}svg"
    booth_groups = {g.get("data-booth", ""): g for g in root.iter(f"{SVG}g") if g.get("data-booth")}
    assert sorted(booth_groups) == ["A01", "A02", "A03", "B01", "B02"]
    assert "&lt;Dừa&gt; &amp; &quot;Xiêm&quot;" in svg  # escaped, and composed although it came decomposed
    assert unicodedata.is_normalized("NFC", svg)
    assert "Khu thủ công &lt;mỹ nghệ&gt;" in svg
    title = booth_groups["A01"].find(f"{SVG}title")
    assert title is not None
    assert title.text == f"A01 – {TRICKY}"  # the full name as a tooltip
    long_lines = [t for t in _texts(booth_groups["A02"]) if t != "A02"]
    assert long_lines
    assert long_lines[0].startswith("HTX Nông")  # "Hợp tác xã" abbreviated as on booth signs
    assert long_lines[0].endswith("…")  # shortened to fit 3 m
    assert "Bánh phồng Sơn Đốc" not in long_lines[0]
    legend = " ".join(_texts(root))
    for label in ("Chú thích", "A · Khu ẩm thực (nhóm 1)", "Gian tiêu chuẩn", "Gian góc", "Gian ngoài trời"):
        assert label in legend

    english = await floorplan.floor_plan_svg(fair, show_exhibitors=True, language="en")
    assert "Legend" in english
    assert "Corner booth" in english


def test_names_are_shortened_between_letters() -> None:
    assert floorplan.fit_lines("Cơ sở Kẹo dừa Thanh Long", 12, 2) == ["CS Kẹo dừa", "Thanh Long"]
    assert floorplan.fit_lines("Rượu Phú Lễ Cái Mơn Chợ Lách", 9, 2) == ["Rượu Phú", "Lễ Cái…"]
    assert floorplan.fit_lines("Kẹo", 0, 2) == []
    assert floorplan.clean("Bến\x00 Tre\x1f") == "Bến Tre"
