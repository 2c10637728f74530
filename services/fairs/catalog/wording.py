"""Words printed by the catalog, in Vietnamese and English, and how a text is shown in each edition."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Sequence
from dataclasses import dataclass

from services.fairs.catalog.data import Language, Text

WORDS: dict[str, tuple[str, str]] = {
    "catalog": ("Catalogue hội chợ", "Fair catalogue"),
    "foreword": ("Lời ngỏ", "Foreword"),
    "organisers": ("Đơn vị tổ chức", "Organisers"),
    "programme": ("Chương trình", "Programme"),
    "practical": ("Thông tin thiết thực", "Practical information"),
    "dates": ("Thời gian", "Dates"),
    "hours": ("Giờ mở cửa", "Opening hours"),
    "venue": ("Địa điểm", "Venue"),
    "zones": ("Các khu trưng bày", "Zones"),
    "floorplan": ("Sơ đồ mặt bằng", "Floor plan"),
    "directory": ("Danh bạ đơn vị tham gia", "Exhibitor directory"),
    "index_province": ("Chỉ mục theo tỉnh, thành phố", "Index by province"),
    "index_group": ("Chỉ mục theo nhóm sản phẩm", "Index by product group"),
    "index_stars": ("Chỉ mục theo hạng sao OCOP", "Index by OCOP star rating"),
    "exhibitors": ("Đơn vị tham gia và sản phẩm", "Exhibitors and products"),
    "tourism": ("Du lịch cộng đồng và làng nghề", "Community tourism and craft villages"),
    "sponsors": ("Nhà tài trợ", "Sponsors"),
    "booth": ("Gian hàng", "Booth"),
    "booths": ("Gian", "Booths"),
    "page": ("Trang", "Page"),
    "address": ("Địa chỉ", "Address"),
    "website": ("Website", "Website"),
    "group": ("Nhóm", "Group"),
    "stars": ("sao OCOP", "-star OCOP"),
    "valid_until": ("hiệu lực đến", "valid until"),
    "no_stars": ("Chưa có chứng nhận OCOP còn hiệu lực", "No valid OCOP certificate"),
    "scan": ("Quét để xem sản phẩm", "Scan for the product page"),
    "contact": ("Liên hệ", "Contact"),
    "speakers": ("Diễn giả", "Speakers"),
    "guide": ("Hướng dẫn viên", "Guide"),
    "moderator": ("Điều phối", "Moderator"),
    "taking_part": ("Thành phần", "Taking part"),
    "contents": ("Mục lục", "Contents"),
    "daily": ("hằng ngày", "daily"),
    "plan_overview": ("Toàn cảnh mặt bằng", "The whole floor"),
    "plan_zones": ("Sơ đồ từng khu", "Zone by zone"),
    "legend": ("Chú thích", "Legend"),
    "product_groups": ("nhóm", "groups"),
    "edition": ("Ấn bản ngày", "Edition of"),
    "products": ("sản phẩm", "products"),
    "exhibitor_count": ("đơn vị tham gia", "exhibitors"),
    "no_booth": ("chưa xếp gian", "booth to be assigned"),
    "stars_note": (
        "Dữ liệu OCOP theo hệ thống ocop-hub tại ngày in; hạng sao tính theo chứng nhận còn hiệu lực"
        " vào ngày khai mạc.",
        "OCOP data from ocop-hub on the edition date; stars are shown for certificates valid on the"
        " opening day.",
    ),
}

KINDS: dict[str, tuple[str, str]] = {
    "enterprise": ("Doanh nghiệp", "Enterprise"),
    "cooperative": ("Hợp tác xã", "Co-operative"),
    "cooperative_group": ("Tổ hợp tác", "Co-operative group"),
    "household_business": ("Hộ kinh doanh", "Household business"),
    # tourism offerings
    "community_tourism": ("Du lịch cộng đồng", "Community tourism"),
    "craft_village": ("Làng nghề", "Craft village"),
    "homestay": ("Homestay", "Homestay"),
    "tour": ("Tour", "Tour"),
    # programme sessions
    "ceremony": ("Lễ", "Ceremony"),
    "seminar": ("Hội thảo", "Seminar"),
    "business_matching": ("Kết nối cung cầu", "Business matching"),
    "other": ("Hoạt động", "Event"),
}

SPONSOR_LEVELS: dict[str, tuple[str, str]] = {
    "diamond": ("Nhà tài trợ Kim cương", "Diamond sponsors"),
    "gold": ("Nhà tài trợ Vàng", "Gold sponsors"),
    "silver": ("Nhà tài trợ Bạc", "Silver sponsors"),
    "partner": ("Đối tác", "Partners"),
}

# Who a session's people are, by kind: the label printed before them.
PEOPLE_LABELS = {
    "seminar": "speakers",
    "business_matching": "speakers",
    "tour": "guide",
    "ceremony": "taking_part",
    "other": "taking_part",
}
# Roles organisers write before a name ("Hướng dẫn viên: Lê Thị Kim Thoa"), and the label each stands for.
ROLE_PREFIXES = {"diễn giả": "speakers", "hướng dẫn viên": "guide", "điều phối": "moderator"}
_TIMES_ONLY = re.compile(r"^[\d\s:hg.–—-]+$")
_GLOSSED = re.compile(r"^(?P<vi>.*\S)\s*\((?P<en>[^()]+)\)$")

WEEKDAYS_VI = ("Thứ Hai", "Thứ Ba", "Thứ Tư", "Thứ Năm", "Thứ Sáu", "Thứ Bảy", "Chủ Nhật")
MONTHS_EN = (
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
)


@dataclass(frozen=True, slots=True)
class Edition:
    """How one edition shows texts: `main()` in the edition's language, `second()` the English line a
    bilingual edition prints under the Vietnamese one."""

    language: Language

    @property
    def html_lang(self) -> str:
        return "en" if self.language == "en" else "vi"

    def main(self, text: Text | None) -> str:
        if text is None:
            return ""
        return (text.en or text.vi) if self.language == "en" else text.vi

    def second(self, text: Text | None) -> str:
        if text is None or self.language != "bilingual" or not text.en or text.en == text.vi:
            return ""
        return text.en

    def word(self, key: str, table: dict[str, tuple[str, str]] = WORDS) -> str:
        vi, en = table.get(key, (key, key))
        if self.language == "vi":
            return vi
        if self.language == "en":
            return en
        return vi if vi == en else f"{vi} / {en}"

    def kind(self, key: str) -> str:
        return self.word(key, KINDS)

    def sponsor_level(self, key: str) -> str:
        return self.word(key, SPONSOR_LEVELS) if key in SPONSOR_LEVELS else key

    def session_kind(self, kind: str, title: Text) -> str:
        """The kind printed before a session's title, unless the title says it already ("Lễ khai mạc",
        "Seminar: …", "Opening ceremony"), and never the vague "Hoạt động"/"Event"."""
        if kind == "other":
            return ""
        word = self.kind(kind)
        said = f"{self.main(title)} {self.second(title)}".casefold()
        for part in word.split(" / "):
            if re.search(rf"(?<!\w){re.escape(part.casefold())}(?!\w)", said):
                return ""
        return word

    def people(self, kind: str, speakers: Sequence[str]) -> list[str]:
        """The people of a session as lines "Label: name, name": a role the organiser wrote before a name
        ("Hướng dẫn viên: …") becomes that line's label in the edition's language; a name that starts with
        the label itself ("Hướng dẫn viên của …") is printed without one."""
        default = PEOPLE_LABELS.get(kind, "speakers")
        groups: dict[str, list[str]] = {}
        bare: list[str] = []
        for speaker in speakers:
            role, colon, rest = speaker.partition(":")
            key = ROLE_PREFIXES.get(role.strip().casefold()) if colon else None
            if key is not None and rest.strip():
                groups.setdefault(key, []).append(rest.strip())
                continue
            label_vi = WORDS[default][0].casefold()
            if speaker.casefold().startswith(label_vi):
                bare.append(speaker)
            else:
                groups.setdefault(default, []).append(speaker)
        lines = [f"{self.word(key)}: {', '.join(names)}" for key, names in groups.items()]
        return lines + bare

    def hours(self, text: str | None) -> str:
        """Opening hours: times ("08:00 – 22:00") get the edition's "daily"; a Vietnamese text with its
        English in brackets ("08:00 – 22:00 hằng ngày (daily)") shows the edition's half."""
        if not text:
            return ""
        if _TIMES_ONLY.match(text):
            return f"{text} {self.word('daily')}"
        glossed = _GLOSSED.match(text)
        if glossed is None or self.language == "bilingual":
            return text
        vi = glossed["vi"]
        if self.language == "vi":
            return vi
        # English: the times, then the English words.
        times = re.match(r"^[\d\s:hg.–—-]*\d", vi)
        return f"{times.group(0)} {glossed['en'].strip()}" if times else glossed["en"].strip()

    def stars(self, count: int) -> str:
        vi, en = f"{count} sao OCOP", f"{count}-star OCOP"
        return {"vi": vi, "en": en}.get(self.language, f"{vi} / {en}")

    def date(self, day: dt.date) -> str:
        if self.language == "en":
            return f"{day.day} {MONTHS_EN[day.month - 1]} {day.year}"
        return day.strftime("%d/%m/%Y")

    def day_heading(self, day: dt.date) -> str:
        vi = f"{WEEKDAYS_VI[day.weekday()]}, {day.strftime('%d/%m/%Y')}"
        en = f"{day.strftime('%A')}, {day.day} {MONTHS_EN[day.month - 1]} {day.year}"
        return {"vi": vi, "en": en}.get(self.language, f"{vi} / {en}")

    def date_range(self, start: dt.date, end: dt.date) -> str:
        if start == end:
            return self.date(start)
        if self.language == "en":
            if (start.year, start.month) == (end.year, end.month):
                return f"{start.day}–{end.day} {MONTHS_EN[end.month - 1]} {end.year}"
            return f"{self.date(start)} – {self.date(end)}"
        return f"{start.strftime('%d/%m')} – {end.strftime('%d/%m/%Y')}"
