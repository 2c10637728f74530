"""The GS1 Digital Link resolver of our own identifiers (GS1 resolver standard; the statements are listed in
`../shared/domain/gs1-traceability.md`). Nothing here knows Starlette: `answer()` turns a request (path,
query, headers) into an `Outcome` (a redirect, a linkset or a refusal with its reason) that web/resolver.py
turns into an HTTP answer (status codes, Link, CORS and caching headers).

Identifiers resolved (`services.trace.identity` prints them):
- `/01/{gtin}[/22/{cpv}][/10/{lot}][/21/{serial}]`: GTIN-8/12/13/14 (compared as GTIN-14, check digit
  verified); the deprecated `/gtin/`, `/cpv/`, `/lot/`, `/ser/` are read as `/01/`, `/22/`, `/10/`, `/21/`.
- `/p/{productCode}[/10/{lot}][/21/{serial}]`: our non-GS1 key for products without a GTIN (the code is
  `services.trace.identity.product_code`, base 36 of the product id). It keeps resolving after a GTIN is added.
- Compressed Digital Links (`/{base64url}` or `/01/{gtin}/{base64url}`, GS1 Digital Link compression, in
  services/trace/digital_link.py with the parsing of every path):
  decompressed for the AIs of a GTIN and its usual attributes, answered as the uncompressed URI, which the
  `Link` header names with `rel="owl:sameAs"`.

Targets (all on `OCOP_PUBLIC_BASE_URL`; `{code}` is the product code, `{lot}` percent-encoded, so a page
route must take the lot from the raw path or a `{lot:path}` parameter since a lot may contain "/"):
- `gs1:traceability` (the default of a lot and of a serial): the public trace page `{base}/t/{code}/{lot}`,
  in English `{base}/t/{code}/{lot}?lang=en`.
- `gs1:pip` (the default of a product): the product page `{base}/products/{code}` (`?lang=en`).
- `gs1:certificationInfo` (only while the OCOP certificate is valid): `{base}/products/{code}#ocop`.
- `gs1:recallStatus` (every lot; the title says whether it is recalled): the recall status on the trace
  page, `{base}/t/{code}/{lot}#recall` (always there, recalled or not), and for machines the EPCIS query of
  the lot's recall events, `{base}/epcis/events?MATCH_anyEPCClass={lot link}&EQ_disposition=recalled`
  (empty when not recalled).
- `gs1:epcis` (`application/json`, what that endpoint answers by default):
  `{base}/epcis/events?MATCH_anyEPCClass={lot link}`, every event naming the lot, its production
  (transformation) included. A serial has none of its own: events are recorded per lot.

One SQL statement per resolution: for a plain scan (no link type asked for, no linkset), the ids of the
published lot and product (`default_link`: a scan's redirect builds no other link); otherwise the lot with
its product and the product's latest certificate, or the product with its certificate (`resolve`, every link
of every level). A link that names nothing published is resolved in full, for the reason and the product
page its refusal carries (a second statement, on that path only)."""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Mapping
from dataclasses import dataclass
from enum import Enum
from functools import cache, lru_cache
from pathlib import Path
from typing import Any, Literal
from urllib.parse import unquote, urlencode

from jsonschema import Draft7Validator
from tortoise import connections

from models import Batch, BatchStatus, Evaluation, Product
from services.common import clock, page_cache
from services.common.language import Language as LanguageTag
from services.common.language import negotiate, quality
from services.registry import stars
from services.trace.digital_link import BASE64URL, LinkSyntaxError, ParsedLink, encode, parse
from services.trace.identity import batch_link, product_code, product_id_of, product_page_url, trace_page_url
from services.trace.snapshot import ScanState, scan_state

type JSONObject = dict[str, Any]
type Language = Literal["vi", "en"]

VOC = "https://ref.gs1.org/voc/"  # GS1 Web Vocabulary: link relation types are VOC + name
LINKSET_CONTEXT = "https://ref.gs1.org/standards/resolver/linkset-context"
LINKSET_MEDIA_TYPE = "application/linkset+json"
# What GET /epcis/events answers unless asked for application/ld+json (web/epcis.py): the type the
# linkset declares for its EPCIS links.
EPCIS_MEDIA_TYPE = "application/json"
SCHEMA_PATH = Path(__file__).resolve().parent / "reference" / "gs1-linkset-schema.json"
_MAX_ID = 2**31 - 1  # ids are 32-bit integers: a longer product code names no product

# Link types we serve, with their titles for /.well-known/gs1resolver.
LINK_TYPES: dict[str, tuple[str, str, str]] = {
    # name: (English title, Vietnamese title, English description)
    "traceability": (
        "Traceability information",
        "Truy xuất nguồn gốc",
        "The public trace page of the lot: origin, stages, producer, OCOP stars, recall banner.",
    ),
    "pip": ("Product Information Page", "Thông tin sản phẩm", "The public page of the OCOP product."),
    "epcis": (
        "EPC Information Services (EPCIS) repository",
        "Dữ liệu sự kiện EPCIS",
        "Every EPCIS 2.0 event naming the lot (its production too), as an EPCIS query document (JSON).",
    ),
    "certificationInfo": (
        "Certification Information",
        "Chứng nhận OCOP",
        "The product's OCOP star certificate, listed only while it is valid.",
    ),
    "recallStatus": (
        "Recall status",
        "Tình trạng thu hồi",
        "Whether the lot has been recalled: the trace page's recall section, and the lot's recall events.",
    ),
    "defaultLink": ("Default link", "Liên kết mặc định", "Where a scan goes when no link type is asked for."),
}


# -- resolution -------------------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Link:
    link_type: str  # the GS1 Web Vocabulary name: "pip", "traceability"...
    href: str
    title: str
    language: Language | None = None  # hreflang, for pages that exist in Vietnamese and English
    media_type: str = "text/html"

    def json(self) -> JSONObject:
        out: JSONObject = {"href": self.href, "title": self.title, "type": self.media_type}
        if self.language:
            out["hreflang"] = [self.language]
        return out


@dataclass(frozen=True, slots=True)
class Level:
    """One level of the identifier hierarchy (serial, lot or product) and its links."""

    anchor: str
    description: str
    links: tuple[Link, ...]
    default_type: str  # the link type a plain scan of this URI goes to

    def of_type(self, link_type: str) -> list[Link]:
        return [link for link in self.links if link.link_type == link_type]


@dataclass(frozen=True, slots=True)
class Resolution:
    levels: tuple[Level, ...]  # the requested level first, then up the hierarchy to the product
    batch_id: int | None = None  # the lot, when the link names one

    def default_type(self) -> str:
        return self.levels[0].default_type

    def find(self, link_type: str, language: Language) -> Link | None:
        """The link of this type at the most specific level that has one, in `language` if it exists there."""
        for level in self.levels:
            links = level.of_type(link_type)
            if links:
                for wanted in (language, "vi", None):
                    for link in links:
                        if link.language == wanted:
                            return link
                return links[0]
        return None

    def default_link(self, level: Level) -> Link:
        """The one default link of a level: its default type's Vietnamese (or only) link, found from this
        level up."""
        index = self.levels.index(level)
        found = Resolution(self.levels[index:]).find(level.default_type, "vi")
        assert found is not None, level.default_type
        return found


@dataclass(frozen=True, slots=True)
class NotFound:
    message_en: str
    message_vi: str
    # A lot not found of a product that is published: its page, where a consumer finds the producer.
    product: ProductPage | None = None


@dataclass(frozen=True, slots=True)
class ProductPage:
    href: str  # the Vietnamese page; `?lang=en` the English one
    name: str
    name_en: str
    producer: str
    producer_en: str


# What an unknown identifier gets (an unpublished one too: not visible and not found look the same).
NOT_PUBLISHED = NotFound(
    "No published product or lot has this identifier.",
    "Không có sản phẩm hay lô nào đã công bố mang mã này.",
)


def _date_vi(day: dt.date) -> str:
    return f"{day.day:02d}/{day.month:02d}/{day.year}"


def _bilingual(
    link_type: str, href: str, title_vi: str, title_en: str, *, suffix: str = ""
) -> tuple[Link, Link]:
    """A page in Vietnamese and English (`?lang=en`), with an optional fragment."""
    return (
        Link(link_type, href + suffix, title_vi, "vi"),
        Link(link_type, href + "?lang=en" + suffix, title_en, "en"),
    )


def _product_level(product: Product, anchor: str, base: str, today: dt.date) -> Level:
    name, name_en = product.name, product.name_en or product.name
    page = product_page_url(base, product.id)
    links = [
        *_bilingual("pip", page, f"Thông tin sản phẩm: {name}", f"Product information: {name_en}"),
    ]
    certificate: Evaluation | None = product.latest_certificate
    if certificate is not None and stars.is_valid_on(certificate, today):
        assert certificate.valid_until is not None
        number_vi = f", số {certificate.decision_number}" if certificate.decision_number else ""
        number_en = f", decision {certificate.decision_number}" if certificate.decision_number else ""
        links += _bilingual(
            "certificationInfo",
            page,
            f"Chứng nhận OCOP {certificate.stars} sao{number_vi}, hiệu lực đến "
            f"{_date_vi(certificate.valid_until)}",
            f"OCOP {certificate.stars}-star certificate{number_en}, valid until {certificate.valid_until}",
            suffix="#ocop",
        )
    return Level(anchor, name, tuple(links), "pip")


def _lot_level(batch: Batch, product: Product, anchor: str, base: str) -> Level:
    lot = batch.lot_code
    name, name_en = product.name, product.name_en or product.name
    page = trace_page_url(base, product.id, lot)
    epc_class = encode(batch_link(base, product_id=product.id, gtin=product.gtin, lot_code=lot))
    recalled = batch.status == BatchStatus.RECALLED
    recall_vi = "ĐÃ BỊ THU HỒI" if recalled else "không bị thu hồi"
    recall_en = "RECALLED" if recalled else "not recalled"
    links = (
        *_bilingual(
            "traceability",
            page,
            f"Truy xuất nguồn gốc lô {lot}: {name}",
            f"Traceability of lot {lot}: {name_en}",
        ),
        Link(
            "epcis",
            f"{base}/epcis/events?MATCH_anyEPCClass={epc_class}",
            f"Sự kiện EPCIS 2.0 của lô {lot}",
            media_type=EPCIS_MEDIA_TYPE,
        ),
        *_bilingual(
            "recallStatus",
            page,
            f"Tình trạng thu hồi lô {lot}: {recall_vi}",
            f"Recall status of lot {lot}: {recall_en}",
            suffix="#recall",
        ),
        Link(
            "recallStatus",
            f"{base}/epcis/events?MATCH_anyEPCClass={epc_class}&EQ_disposition=recalled",
            f"Sự kiện thu hồi (EPCIS) của lô {lot}: {recall_vi}",
            media_type=EPCIS_MEDIA_TYPE,
        ),
    )
    return Level(anchor, f"{name}, lô {lot}", links, "traceability")


def _serial_page(base: str, product_id: int, link: ParsedLink) -> str:
    """The unit's own trace page: the lot's, told which serial was scanned, so that it can warn when the code
    looks copied (services/labels/scans.py)."""
    assert link.lot is not None
    assert link.serial is not None
    return f"{base}/t/{product_code(product_id)}/{encode(link.lot)}?{urlencode({'serial': link.serial})}"


def _serial_level(product: Product, link: ParsedLink, anchor: str, base: str) -> Level:
    assert link.lot is not None
    assert link.serial is not None
    description = f"{product.name}, lô {link.lot}, số sê-ri {link.serial}"
    page = _serial_page(base, product.id, link)
    name_en = product.name_en or product.name
    trace = (
        Link("traceability", page, f"Truy xuất nguồn gốc: {description}", "vi"),
        Link(
            "traceability",
            page + "&lang=en",
            f"Traceability of {name_en}, lot {link.lot}, serial {link.serial}",
            "en",
        ),
    )
    # No gs1:epcis link of its own: events are recorded per lot (quantityList), so the lot's link (found one
    # level up) is the unit's history.
    return Level(anchor, description, trace, "traceability")


_DEFAULT_SQL = {
    # (names a lot, by GTIN): the ids of the published lot and product, or of the published product
    (True, True): "SELECT b.id, p.id FROM batch b JOIN product p ON p.id = b.product_id "
    "WHERE p.gtin = $1 AND b.lot_code = $2 AND b.is_published AND p.is_published LIMIT 1",
    (True, False): "SELECT b.id, p.id FROM batch b JOIN product p ON p.id = b.product_id "
    "WHERE p.id = $1 AND b.lot_code = $2 AND b.is_published AND p.is_published LIMIT 1",
    (False, True): "SELECT NULL, p.id FROM product p WHERE p.gtin = $1 AND p.is_published LIMIT 1",
    (False, False): "SELECT NULL, p.id FROM product p WHERE p.id = $1 AND p.is_published LIMIT 1",
}


@dataclass(frozen=True, slots=True)
class DefaultLink:
    """What a plain scan is redirected to (`default_link`)."""

    location: str
    batch_id: int | None
    # A lot's (without a serial): what its default link, the trace page, shows, as read with the redirect
    # (`snapshot.scan_state` in the redirect's language), so that the page need not be read again.
    state: ScanState | None = None


async def default_link(
    link: ParsedLink, base_url: str, language: Language, *, with_page: bool = False
) -> DefaultLink | None:
    """The default link of a well-formed `link` in `language` and the lot's id: what a plain scan is
    redirected to, the same link `resolve(...).find(default type, language)` gives, read in one light SQL
    statement instead of every link of every level: the ids of the published lot and product; `with_page`
    (a browser, which follows the redirect to the page at once), for a lot without a serial, the statement
    that reads its trace page (`snapshot.scan_state`). None when the link names nothing published or is one
    `resolve` refuses: the caller then resolves it in full."""
    if link.cpv is not None or link.tpx is not None or (link.serial is not None and link.lot is None):
        return None
    by_gtin = link.key == "01"
    if by_gtin:
        key: int | str = link.key_value
    else:
        product_id = product_id_of(link.key_value)
        if product_id is None or not 0 < product_id <= _MAX_ID or product_code(product_id) != link.key_value:
            return None
        key = product_id
    base = base_url.rstrip("/")
    english = "?lang=en" if language == "en" else ""
    if with_page and link.lot is not None and link.serial is None:  # gs1:traceability of the lot
        state = await scan_state(key, link.lot, language)
        if state is None or not (state.batch.is_published and state.product.is_published):
            return None
        return DefaultLink(trace_page_url(base, state.product.id, link.lot) + english, state.batch.id, state)
    client = connections.get("default")
    sql = _DEFAULT_SQL[(link.lot is not None, by_gtin)]
    params: list[Any] = [key] if link.lot is None else [key, link.lot]
    if client.capabilities.dialect != "postgres":
        sql = sql.replace("$1", "?").replace("$2", "?")  # each once, in order
    _, rows = await client.execute_query(sql, params)
    if not rows:
        return None
    batch_id, product_id = rows[0][0], int(rows[0][1])
    if link.lot is None:  # gs1:pip
        return DefaultLink(product_page_url(base, product_id) + english, None)
    if link.serial is not None:  # gs1:traceability of the unit
        return DefaultLink(
            _serial_page(base, product_id, link) + ("&lang=en" if english else ""), int(batch_id)
        )
    return DefaultLink(trace_page_url(base, product_id, link.lot) + english, int(batch_id))  # of the lot


async def resolve(link: ParsedLink, base_url: str, today: dt.date | None = None) -> Resolution | NotFound:
    """The links of each level of `link` (the requested level first), or NotFound. Unpublished products
    and lots are not found. One SQL statement."""
    base = base_url.rstrip("/")
    today = today or clock.today()
    not_found = NOT_PUBLISHED
    if link.cpv is not None or link.tpx is not None:
        return NotFound(
            "No consumer product variant (AI 22) or TPX (AI 235) is issued here.",
            "Không cấp mã biến thể (AI 22) hay TPX (AI 235) ở đây.",
        )
    if link.serial is not None and link.lot is None:
        return NotFound(
            "Serial numbers are issued within a lot: /10/{lot}/21/{serial}.",
            "Số sê-ri được cấp trong một lô: /10/{lô}/21/{số sê-ri}.",
        )
    if link.key == "01":
        product_filter: dict[str, Any] = {"gtin": link.key_value}
    else:
        product_id = product_id_of(link.key_value)
        if product_id is None or not 0 < product_id <= _MAX_ID or product_code(product_id) != link.key_value:
            return not_found
        product_filter = {"id": product_id}
    product_anchor = base + link.product_path()
    if link.lot is None:
        product = (
            await Product.filter(**product_filter, is_published=True)
            .select_related("latest_certificate")
            .first()
        )
        if product is None:
            return not_found
        return Resolution((_product_level(product, product_anchor, base, today),))
    batch = (
        await Batch.filter(
            lot_code=link.lot,
            is_published=True,
            product__is_published=True,
            **{f"product__{k}": v for k, v in product_filter.items()},
        )
        .select_related("product__latest_certificate")
        .first()
    )
    if batch is None:
        # Unknown, mistyped or withdrawn: the same answer, with the product's page when the product is
        # published (one more statement, on this path only).
        known = await Product.filter(**product_filter, is_published=True).select_related("producer").first()
        if known is None:
            return not_found
        page = ProductPage(
            f"{base}/products/{product_code(known.id)}",
            known.name,
            known.name_en or known.name,
            known.producer.name,
            known.producer.name_en or known.producer.name,
        )
        return NotFound(not_found.message_en, not_found.message_vi, page)
    product = batch.product
    levels = [
        _lot_level(batch, product, base + link.lot_path(), base),
        _product_level(product, product_anchor, base, today),
    ]
    if link.serial is not None:
        levels.insert(0, _serial_level(product, link, base + link.path(), base))
    return Resolution(tuple(levels), batch_id=batch.id)


# -- linkset --------------------------------------------------------------------------------------------------


def linkset(resolution: Resolution) -> JSONObject:
    """The RFC 9264 linkset (JSON) of a resolution: one context object per level, each with its links by
    GS1 link type and exactly one default link."""
    items = []
    for level in resolution.levels:
        item: JSONObject = {"anchor": level.anchor, "itemDescription": level.description}
        for link in level.links:
            item.setdefault(VOC + link.link_type, []).append(link.json())
        default = resolution.default_link(level)
        item[VOC + "defaultLink"] = [
            {"href": default.href, "title": default.title, "type": default.media_type}
        ]
        items.append(item)
    return {"linkset": items}


@cache
def linkset_schema() -> JSONObject:
    """The vendored GS1 linkset JSON Schema (services/trace/reference/gs1-linkset-schema.json)."""
    loaded: JSONObject = json.loads(SCHEMA_PATH.read_text(encoding="utf-8"))
    return loaded


@cache
def _linkset_validator() -> Draft7Validator:
    Draft7Validator.check_schema(linkset_schema())
    return Draft7Validator(linkset_schema())


def validate_linkset(document: Mapping[str, Any]) -> list[str]:
    """Every violation of the GS1 linkset schema, as `/pointer: message`; empty when valid."""
    errors = sorted(
        _linkset_validator().iter_errors(document), key=lambda e: [str(p) for p in e.absolute_path]
    )
    return [f"/{'/'.join(str(p) for p in error.absolute_path)}: {error.message}" for error in errors]


# -- what a request gets -------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class ResolverRequest:
    raw_path: str  # percent-encoded, as received
    query: str  # the raw query string
    accept: str
    accept_language: str
    base_url: str


@dataclass(frozen=True, slots=True)
class Identified:
    """What a well-formed link names, and the URIs its answer points to besides its target."""

    uri: str  # the canonical uncompressed URI (its linkset is `{uri}?linkType=linkset`)
    same_as: str | None = None  # for a compressed link: the uncompressed URI with its attributes


@dataclass(frozen=True, slots=True)
class Redirect:
    """Go to `location` (the requested or default link of the item)."""

    identified: Identified
    location: str
    # Set on the redirect of a serialised unit (/21/{serial}): a scan to count.
    batch_id: int | None = None
    serial: str | None = None
    # A plain scan of a lot: its trace page as read with the redirect (`DefaultLink.state`).
    state: ScanState | None = None


@dataclass(frozen=True, slots=True)
class LinksetAnswer:
    """Every link of the item, as an RFC 9264 linkset document (asked by linkType or Accept)."""

    identified: Identified
    document: JSONObject


class RefusalReason(Enum):
    NOT_A_LINK = "not_a_link"  # not a Digital Link at all (say /favicon.ico): an unknown page
    MALFORMED = "malformed"  # a Digital Link, badly written
    UNKNOWN = "unknown"  # well written, but no such product, lot or serial here
    NO_SUCH_LINK_TYPE = "no_such_link_type"  # the item has no link of the requested type


@dataclass(frozen=True, slots=True)
class Refusal:
    reason: RefusalReason
    message_en: str
    message_vi: str
    product: ProductPage | None = None  # UNKNOWN: the product's page when only the lot is unknown


type Outcome = Redirect | LinksetAnswer | Refusal


def preferred_language(accept_language: str) -> Language:
    """Vietnamese or English from an Accept-Language header (the one negotiation in services/common)."""
    return "en" if negotiate(None, accept_language) is LanguageTag.EN else "vi"


@lru_cache(maxsize=512)
def wants_linkset(accept: str) -> bool:
    for part in accept.split(","):
        media_type, _, params = part.partition(";")
        if media_type.strip().lower() == LINKSET_MEDIA_TYPE and quality(params) > 0:
            return True
    return False


_HTML_TYPES = ("text/html", "application/xhtml+xml")
_MACHINE_TYPES = ("application/json", "application/problem+json", LINKSET_MEDIA_TYPE, "application/ld+json")


@lru_cache(maxsize=512)
def wants_html(accept: str) -> bool:
    """Whether the client is a browser: Accept names HTML with a q-value above 0 and at least that of any
    JSON type (`*/*` counts for neither). Browsers get a page for a refusal, machines its problem document."""
    html = machine = 0.0
    for part in accept.split(","):
        media_type, _, params = part.partition(";")
        media_type = media_type.strip().lower()
        if media_type in _HTML_TYPES:
            html = max(html, quality(params))
        elif media_type in _MACHINE_TYPES:
            machine = max(machine, quality(params))
    return html > 0 and html >= machine


def _query_pairs(query: str) -> tuple[str | None, list[str]]:
    """The requested linkType and the other raw `key=value` pairs of the query string (kept as sent)."""
    link_type = None
    kept = []
    for pair in query.split("&"):
        if not pair:
            continue
        key, _, value = pair.partition("=")
        if unquote(key.replace("+", " ")) == "linkType":
            if link_type is None:
                link_type = unquote(value.replace("+", " "))
            continue
        kept.append(pair)
    return link_type, kept


def _link_type_name(requested: str) -> str | None:
    for prefix in ("gs1:", VOC, "https://gs1.org/voc/", "http://gs1.org/voc/"):
        if requested.startswith(prefix) and requested != prefix:
            return requested[len(prefix) :]
    return None


def _with_query(href: str, query: str) -> str:
    if not query:
        return href
    target, hash_mark, fragment = href.partition("#")
    joined = target + ("&" if "?" in target else "?") + query
    return joined + hash_mark + fragment


async def answer(request: ResolverRequest, today: dt.date | None = None) -> Outcome:
    """What a GET (or HEAD) of a Digital Link path gets."""
    language = preferred_language(request.accept_language)
    segments = request.raw_path.strip("/").split("/")
    if len(segments) == 1 and not BASE64URL.fullmatch(segments[0]):
        return Refusal(RefusalReason.NOT_A_LINK, "Not found.", "Không tìm thấy.")
    try:
        link = parse(request.raw_path)
    except LinkSyntaxError as error:
        return Refusal(RefusalReason.MALFORMED, error.message_en, error.message_vi)
    uri = request.base_url.rstrip("/") + link.path()
    identified = Identified(uri, _with_query(uri, link.attribute_query()) if link.compressed else None)
    requested, kept = _query_pairs(request.query)
    if requested is None and not wants_linkset(request.accept):
        # A plain scan: its default link, read lightly (the default type of every level a link names is the
        # one `default_link` follows).
        found = await default_link(link, request.base_url, language, with_page=wants_html(request.accept))
        if found is not None:
            query = "&".join(q for q in (link.attribute_query(), "&".join(kept)) if q)
            return Redirect(
                identified, _with_query(found.location, query), found.batch_id, link.serial, found.state
            )
    resolution = await resolve(link, request.base_url, today)
    if isinstance(resolution, NotFound):
        return Refusal(
            RefusalReason.UNKNOWN, resolution.message_en, resolution.message_vi, resolution.product
        )
    if requested in ("linkset", "all") or (requested is None and wants_linkset(request.accept)):
        return LinksetAnswer(identified, linkset(resolution))
    if requested is None:
        link_type: str | None = resolution.default_type()
    else:
        link_type = _link_type_name(requested)
        if link_type == "defaultLink":
            link_type = resolution.default_type()
    target = resolution.find(link_type, language) if link_type else None
    if target is None:
        return Refusal(
            RefusalReason.NO_SUCH_LINK_TYPE,
            f"This item has no link of type {requested}.",
            f"Mục này không có liên kết loại {requested}.",
        )
    query = "&".join(q for q in (link.attribute_query(), "&".join(kept)) if q)
    return Redirect(identified, _with_query(target.href, query), resolution.batch_id, link.serial)


def cache_key(
    raw_path: str, query: str, accept: str, accept_language: str, base_url: str, today: dt.date
) -> tuple[object, ...]:
    """What the answer to a GET or HEAD (a ResolverRequest of these values) depends on: the path (one
    trailing slash is tolerated, as `parse` does), the query string (passed on to the target), whether
    Accept asks for a linkset, whether it is a browser's (a refusal is a page), the language chosen from
    Accept-Language, the public base URL and the day (certificate validity)."""
    if raw_path.endswith("/") and len(raw_path) > 1:
        raw_path = raw_path[:-1]
    language = preferred_language(accept_language)
    return (raw_path, query, wants_linkset(accept), wants_html(accept), language, base_url, today)


def keep_for(outcome: Outcome) -> float:
    """Seconds the page cache (services/common/page_cache.py) keeps an answer. A redirect (what a phone's scan
    gets: its Location does not depend on the lot's recall status) as long as the trace page it leads to,
    a "not found" briefly. A linkset never: it states the lot's recall status to machines (partner systems
    poll it), so it is read fresh every time, on every worker. A malformed link is not kept either."""
    if isinstance(outcome, Redirect):
        return page_cache.TRACE_PAGE_MAX_AGE
    if isinstance(outcome, Refusal) and outcome.reason is not RefusalReason.MALFORMED:
        return page_cache.NOT_FOUND_TTL
    return 0


def description(base_url: str) -> JSONObject:
    """/.well-known/gs1resolver: what this resolver serves (modelled on GS1's resolver description file)."""
    base = base_url.rstrip("/")
    return {
        "name": "ocop-hub GS1 Digital Link resolver",
        "resolverRoot": base,
        # GS1 primary keys only: `p`, our key of products without a GTIN, is no GS1 key. Its links keep
        # resolving by their own route (/p/...), described under nonGS1PrimaryKeys.
        "supportedPrimaryKeys": ["01"],
        "nonGS1PrimaryKeys": [
            {
                "key": "p",
                "title": "OCOP product code (products without a GTIN)",
                "pattern": f"{base}/p/{{productCode}}[/10/{{lot}}][/21/{{serial}}]",
                "description": "A non-GS1 key of this service: the product code is base 36 of the product's "
                "id, never reused. It takes the key qualifiers of a GTIN (10, 21).",
            }
        ],
        "supportedLinkType": [{"namespace": VOC, "prefix": "gs1:"}],
        "linkTypeDefaultCanBeAll": False,
        "supportsLanguageVariants": True,
        "supportedLanguages": ["vi", "en"],
        "supportsSemanticInterpretation": False,
        "validatesAIcombinations": True,
        "supportsCompressedLinks": True,
        "defaultLinkTypes": {"product": "gs1:pip", "lot": "gs1:traceability", "serial": "gs1:traceability"},
        "activeLinkTypes": {
            "en": {
                f"gs1:{name}": {"title": en, "description": about, "url": VOC + name}
                for name, (en, _vi, about) in LINK_TYPES.items()
            },
            "vi": {
                f"gs1:{name}": {"title": vi, "url": VOC + name}
                for name, (_en, vi, _about) in LINK_TYPES.items()
            },
        },
    }
