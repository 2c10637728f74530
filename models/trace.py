"""Origin tracing: batches (lots), locations and an append-only log of EPCIS 2.0 events chained by hash."""

from __future__ import annotations

from enum import StrEnum
from typing import Any

from tortoise import fields
from tortoise.migrations.constraints import CheckConstraint
from tortoise.models import Model

from models.accounts import User
from models.admin import AdminUnit
from models.registry import Producer, Product


class BatchStatus(StrEnum):
    ACTIVE = "active"
    ON_HOLD = "on_hold"
    RECALLED = "recalled"
    EXPIRED = "expired"


class LocationKind(StrEnum):
    FARM = "farm"
    FACILITY = "facility"
    WAREHOUSE = "warehouse"
    SHOP = "shop"
    FAIR_BOOTH = "fair_booth"
    EXTERNAL = "external"  # a partner's place, named by its GS1 identifier (`Location.identifier`)


class EventType(StrEnum):
    OBJECT = "ObjectEvent"
    AGGREGATION = "AggregationEvent"
    TRANSFORMATION = "TransformationEvent"
    TRANSACTION = "TransactionEvent"
    ASSOCIATION = "AssociationEvent"


class EventAction(StrEnum):
    ADD = "ADD"
    OBSERVE = "OBSERVE"
    DELETE = "DELETE"


class QuantityRole(StrEnum):
    SUBJECT = "subject"  # quantityList of an Object/Transaction event
    INPUT = "input"  # inputQuantityList of a TransformationEvent
    OUTPUT = "output"  # outputQuantityList of a TransformationEvent


class Location(Model):
    """A farm, facility, warehouse, shop or fair booth: a read point or business location of events.

    Or an external location (kind `external`): a partner's place that a captured event names by its SGLN or GLN
    Digital Link, kept as `identifier` exactly as received (written back unchanged: the event hash covers it), one
    row per identifier, with no producer; its `name` is the identifier's GS1 human readable form (`(414) {gln}`)."""

    id = fields.IntField(primary_key=True)
    name = fields.CharField(max_length=255)
    kind = fields.CharEnumField(LocationKind, max_length=12)
    gln = fields.CharField(max_length=13, null=True, unique=True)
    commune: fields.ForeignKeyNullableRelation[AdminUnit] = fields.ForeignKeyField(
        "models.AdminUnit", related_name=False, null=True, on_delete=fields.RESTRICT, db_index=True
    )
    commune_id: int | None
    address_line = fields.CharField(max_length=255, null=True)
    latitude = fields.FloatField(null=True)
    longitude = fields.FloatField(null=True)
    producer_id = fields.IntField(null=True, db_index=True)  # the producer that operates it, if any
    identifier = fields.CharField(max_length=255, null=True, unique=True)  # external locations only

    class Meta:
        table = "location"


class ExternalLocationName(Model):
    """The name a producer gives a partner's place on its own lots' trace pages (per producer: the place is shared,
    and one producer's name must not show on another's page). `place` is the GLN with its extension
    (services.trace.location_ids.LocationIdentifier.place), so both spellings of one place get the name. `digest`
    covers producer, place and name: the integrity check of a lot refuses a name changed outside
    services.trace.locations.name_external_location."""

    id = fields.IntField(primary_key=True)
    producer: fields.ForeignKeyRelation[Producer] = fields.ForeignKeyField(
        "models.Producer", related_name=False, on_delete=fields.RESTRICT, db_index=True
    )
    producer_id: int
    place = fields.CharField(max_length=40)
    name = fields.CharField(max_length=255)
    named_at = fields.DatetimeField()
    actor: fields.ForeignKeyNullableRelation[User] = fields.ForeignKeyField(
        "models.User", related_name=False, null=True, on_delete=fields.SET_NULL, db_index=True
    )
    actor_id: int | None
    digest = fields.CharField(max_length=64)

    class Meta:
        table = "external_location_name"
        unique_together = (("producer", "place"),)


class Batch(Model):
    """A lot of a product. Its lot code is printed on labels: it never changes and is never reused."""

    id = fields.IntField(primary_key=True)
    product: fields.ForeignKeyRelation[Product] = fields.ForeignKeyField(
        "models.Product", related_name="batches", on_delete=fields.RESTRICT, db_index=True
    )
    product_id: int
    lot_code = fields.CharField(max_length=20)  # GS1 AI 10, character set 82
    production_date = fields.DateField(null=True)
    harvest_date = fields.DateField(null=True)
    expiry_date = fields.DateField(null=True)
    quantity = fields.DecimalField(max_digits=14, decimal_places=3, null=True)
    unit = fields.CharField(max_length=3, null=True)  # UN/ECE Rec 20: KGM, LTR, H87 (pieces)
    origin_commune: fields.ForeignKeyNullableRelation[AdminUnit] = fields.ForeignKeyField(
        "models.AdminUnit", related_name=False, null=True, on_delete=fields.RESTRICT, db_index=True
    )
    origin_commune_id: int | None
    origin_place = fields.CharField(max_length=255, null=True)
    latitude = fields.FloatField(null=True)
    longitude = fields.FloatField(null=True)
    status = fields.CharEnumField(BatchStatus, max_length=10, default=BatchStatus.ACTIVE, db_index=True)
    is_published = fields.BooleanField(default=True)
    created_at = fields.DatetimeField(auto_now_add=True)

    class Meta:
        table = "batch"
        unique_together = (("product", "lot_code"),)
        constraints = (
            CheckConstraint(
                check="expiry_date IS NULL OR production_date IS NULL OR expiry_date >= production_date",
                name="batch_expiry_after_production",
            ),
            CheckConstraint(check="quantity IS NULL OR quantity >= 0", name="batch_quantity"),
        )


class TraceEvent(Model):
    """One EPCIS 2.0 event. Never updated: a correction is a new event with an error declaration.
    `event_hash` is the CBV 2.0 event hash (the EPCIS eventID); `chain_hash` links the event to the previous
    event of each batch it touches, so that a changed row breaks the chain."""

    id = fields.IntField(primary_key=True)
    event_type = fields.CharEnumField(EventType, max_length=20)
    action = fields.CharEnumField(EventAction, max_length=8, null=True)  # not for TransformationEvent
    biz_step = fields.CharField(max_length=200, null=True)
    disposition = fields.CharField(max_length=200, null=True)
    event_time = fields.DatetimeField(db_index=True)
    time_zone_offset = fields.CharField(max_length=6)  # "+07:00"
    record_time = fields.DatetimeField(auto_now_add=True)
    read_point: fields.ForeignKeyNullableRelation[Location] = fields.ForeignKeyField(
        "models.Location", related_name=False, null=True, on_delete=fields.RESTRICT, db_index=True
    )
    read_point_id: int | None
    biz_location: fields.ForeignKeyNullableRelation[Location] = fields.ForeignKeyField(
        "models.Location", related_name=False, null=True, on_delete=fields.RESTRICT, db_index=True
    )
    biz_location_id: int | None
    # EPCIS structures kept as their JSON-LD form: sourceList, destinationList, bizTransactionList,
    # sensorElementList, certificationInfo, and attached documents/photos (URLs).
    sources: fields.Field[list[dict[str, str]]] = fields.JSONField(default=list)
    destinations: fields.Field[list[dict[str, str]]] = fields.JSONField(default=list)
    biz_transactions: fields.Field[list[dict[str, str]]] = fields.JSONField(default=list)
    sensor_elements: fields.Field[list[dict[str, object]]] = fields.JSONField(default=list)
    documents: fields.Field[list[dict[str, str]]] = fields.JSONField(default=list)
    note = fields.TextField(null=True)
    note_en = fields.TextField(null=True)
    # An error declaration (EPCIS errorDeclaration) marks this event as correcting `corrects`.
    corrects: fields.ForeignKeyNullableRelation[TraceEvent] = fields.ForeignKeyField(
        "models.TraceEvent", related_name=False, null=True, on_delete=fields.RESTRICT, db_index=True
    )
    corrects_id: int | None
    correction_reason = fields.CharField(max_length=200, null=True)
    corrective_event_ids: fields.Field[list[str]] = fields.JSONField(default=list)  # eventIDs that correct it
    actor: fields.ForeignKeyNullableRelation[User] = fields.ForeignKeyField(
        "models.User", related_name=False, null=True, on_delete=fields.SET_NULL, db_index=True
    )
    actor_id: int | None
    # ni:///sha-256;...?ver=CBV2.0. Unique among original events (a partial unique index, migration 0004): an
    # error declaration repeats the eventID of the event it declares wrong, as EPCIS 2.0 requires.
    event_hash = fields.CharField(max_length=120, db_index=True)
    chain_hash = fields.CharField(max_length=64)
    # The chain hash scheme (services.trace.events.chain_hash): 1 covers the CBV event hash, a declaration's
    # reason and the previous chain hashes; 2 (events recorded from migration 0007 on) also covers what the
    # trace page and the EPCIS document show besides it: notes, places as shown, record time, correction.
    hash_version = fields.SmallIntField(default=1, db_default=1)
    # What a captured EPCIS 2.0 event carries besides the above (migration 0012; None for events that have none,
    # and for every event recorded before). Kept verbatim as received (JSON-LD, keys as CURIEs or IRIs), written
    # back unchanged by the EPCIS document and covered by the CBV event hash (the declaration: by the chain hash).
    # Identifiers (epcList, parentID, childEPCs, input/outputEPCList, foreign quantity elements) are rows of
    # EventIdentifier; queryable values of these fields are rows of EventField.
    ilmd: fields.Field[dict[str, Any] | None] = fields.JSONField(null=True)  # instance/lot master data
    persistent_disposition: fields.Field[dict[str, Any] | None] = fields.JSONField(null=True)  # {set, unset}
    # certificationInfo as a list of URIs (one URI is written back as a string, as EPCIS writes one).
    certification_info: fields.Field[list[str] | None] = fields.JSONField(null=True)
    # The event's top-level user extension fields ({"example:myField": value, "rdfs:comment": ...}).
    extensions: fields.Field[dict[str, Any] | None] = fields.JSONField(null=True)
    # Fields of the readPoint/bizLocation objects besides `id` ({"readPoint": {...}, "bizLocation": {...}}).
    place_extensions: fields.Field[dict[str, Any] | None] = fields.JSONField(null=True)
    # The JSON-LD prefixes the event's fields use beyond the EPCIS context ({"example": "https://ns.example.com/"}),
    # written into the `@context` of every document that carries the event.
    namespaces: fields.Field[dict[str, str] | None] = fields.JSONField(null=True)
    # A partner's errorDeclaration, verbatim, on a captured event that is not one of our own corrections (ours
    # use `corrects`).
    declaration: fields.Field[dict[str, Any] | None] = fields.JSONField(null=True)

    class Meta:
        table = "trace_event"


class EventQuantity(Model):
    """A quantity of a batch in an event (subject, transformation input or output)."""

    id = fields.IntField(primary_key=True)
    event: fields.ForeignKeyRelation[TraceEvent] = fields.ForeignKeyField(
        "models.TraceEvent", related_name="quantities", on_delete=fields.RESTRICT, db_index=True
    )
    event_id: int
    batch: fields.ForeignKeyRelation[Batch] = fields.ForeignKeyField(
        "models.Batch", related_name="event_quantities", on_delete=fields.RESTRICT, db_index=True
    )
    batch_id: int
    role = fields.CharEnumField(QuantityRole, max_length=8)
    quantity = fields.DecimalField(max_digits=14, decimal_places=3, null=True)
    unit = fields.CharField(max_length=3, null=True)
    # The batch's previous chain hash when this event was appended: the chain per batch.
    previous_chain_hash = fields.CharField(max_length=64, null=True)
    # False: the event touches the lot through instance identifiers (serials of the lot in epcList, childEPCs...)
    # or a container holding its units (an SSCC it was aggregated into), not through a quantity element; the row
    # links the event to the lot (page, chain, lineage) but is not written as a quantityList element.
    listed = fields.BooleanField(default=True, db_default=True)

    class Meta:
        table = "event_quantity"
        unique_together = (("event", "batch", "role"),)
        constraints = (
            CheckConstraint(check="quantity IS NULL OR quantity > 0", name="event_quantity_positive"),
        )


class IdentifierRole(StrEnum):
    """Where an identifier stands in an EPCIS event."""

    EPC = "epc"  # epcList (ObjectEvent, TransactionEvent)
    PARENT = "parent"  # parentID (Aggregation, Transaction, Association)
    CHILD = "child"  # childEPCs (Aggregation, Association)
    INPUT = "input"  # inputEPCList (Transformation)
    OUTPUT = "output"  # outputEPCList (Transformation)
    QUANTITY = "quantity"  # quantityList element whose epcClass is not one of our lots
    CHILD_QUANTITY = "child_quantity"  # childQuantityList, idem
    INPUT_QUANTITY = "input_quantity"  # inputQuantityList, idem
    OUTPUT_QUANTITY = "output_quantity"  # outputQuantityList, idem


class EventIdentifier(Model):
    """An identifier a captured event names, other than our lots' quantity elements (those are EventQuantity):
    instance identifiers (ours and partners'), parentIDs and partners' classes with their quantity. `value` is the
    canonical form (a GS1 key as its https://id.gs1.org Digital Link, EPC URNs converted; anything else as
    received); `received` the form the event used when it differs (written back). `batch` and `serial`: the lot
    of ours the identifier names (a serial of it, or the lot itself as an epcClass pattern) and the serial."""

    id = fields.IntField(primary_key=True)
    event: fields.ForeignKeyRelation[TraceEvent] = fields.ForeignKeyField(
        "models.TraceEvent", related_name="identifiers", on_delete=fields.RESTRICT, db_index=True
    )
    event_id: int
    role = fields.CharEnumField(IdentifierRole, max_length=16)
    position = fields.SmallIntField()  # order within its list in the event
    value = fields.CharField(max_length=500)
    received = fields.CharField(max_length=500, null=True)
    batch: fields.ForeignKeyNullableRelation[Batch] = fields.ForeignKeyField(
        "models.Batch", related_name=False, null=True, on_delete=fields.RESTRICT, db_index=True
    )
    batch_id: int | None
    serial = fields.CharField(max_length=20, null=True)
    quantity = fields.DecimalField(max_digits=24, decimal_places=6, null=True)  # quantity roles only
    uom = fields.CharField(max_length=3, null=True)

    class Meta:
        table = "trace_event_identifier"
        indexes = (("value", "role"),)


class FieldScope(StrEnum):
    """What part of an event an EventField row indexes."""

    EXTENSION = "extension"  # a user extension field of the event (inner: nested in one)
    ILMD = "ilmd"  # a field of its ilmd
    BIZ_TRANSACTION = "biz_transaction"  # name: the type ("" untyped), value: the transaction's URI
    SOURCE = "source"  # name: the type, value: the source's URI
    DESTINATION = "destination"  # idem


class EventField(Model):
    """A queryable value of a captured event (EPCIS SimpleEventQuery EQ_/GT_/LT_ parameters): derived from the
    event's stored JSON when it is recorded, never shown, so not part of its hash. `name` is the field's full IRI
    (a CURIE expanded with the event's namespaces) or, for transactions, sources and destinations, their type as
    stored (a CBV word or a URI). `inner`: nested inside another field (EQ_INNER_...). A value is indexed as text
    (up to 255 characters), and also as a number or a time when it is one (JSON number or numeric string; an
    RFC 3339 date-time)."""

    id = fields.IntField(primary_key=True)
    event: fields.ForeignKeyRelation[TraceEvent] = fields.ForeignKeyField(
        "models.TraceEvent", related_name="fields", on_delete=fields.RESTRICT, db_index=True
    )
    event_id: int
    scope = fields.CharEnumField(FieldScope, max_length=16)
    name = fields.CharField(max_length=255)
    inner = fields.BooleanField(default=False)
    text_value = fields.CharField(max_length=255, null=True)
    number_value = fields.FloatField(null=True)
    time_value = fields.DatetimeField(null=True)

    class Meta:
        table = "trace_event_field"
        indexes = (("scope", "name", "text_value"), ("scope", "name", "number_value"))


class NamedQuery(Model):
    """An EPCIS 2.0 named query (`POST /epcis/queries`): a SimpleEventQuery kept under a name, per owner (two users
    may each have a query called `shipped`). `query` holds its parameters as the OpenAPI's EPCISEventsQuery object
    (`{"EQ_bizStep": ["shipping"], ...}`), checked when created (services.trace.epcis_named_queries); its events are
    what the owner may see when asked, as for the same query sent to /epcis/events."""

    id = fields.IntField(primary_key=True)
    owner: fields.ForeignKeyRelation[User] = fields.ForeignKeyField(
        "models.User", related_name=False, on_delete=fields.CASCADE, db_index=True
    )
    owner_id: int
    name = fields.CharField(max_length=100)
    query: fields.Field[dict[str, Any]] = fields.JSONField(default=dict)
    created_at = fields.DatetimeField(auto_now_add=True)

    class Meta:
        table = "epcis_named_query"
        unique_together = (("owner", "name"),)


class TraceSnapshot(Model):
    """What the public trace page shows of a lot, both languages, as JSON (services/trace/snapshot.py): a
    first scan reads this row instead of ~10 queries. Rebuilt in the transaction of each trace write of the
    lot; emptied (`data` NULL, `version` + 1) by one query when a row it shows elsewhere changes (product,
    producer, certificate, image, location), then rebuilt by the next scan, stored only if `version` has not
    moved meanwhile. It also keeps the lot's last valid integrity verdict with the fingerprint of the rows it was
    computed from, and the rendered page per language with the key of its inputs."""

    id = fields.IntField(primary_key=True)
    batch: fields.OneToOneRelation[Batch] = fields.OneToOneField(
        "models.Batch", related_name=False, on_delete=fields.CASCADE
    )
    batch_id: int
    version = fields.IntField(default=0)
    data: fields.Field[dict[str, Any] | None] = fields.JSONField(null=True)
    has_inputs = fields.BooleanField(default=False)  # shows other lots (made from them): emptied more often
    # The lot's last integrity verdict found valid ({"events": n, "legacy": k}) and, on PostgreSQL, the
    # fingerprint (ids, xmin and ctid) of every row that check read: while the rows' fingerprint is the same, the
    # verdict stands (services/trace/integrity.py `known`).
    verdict: fields.Field[dict[str, Any] | None] = fields.JSONField(null=True)
    fingerprint = fields.CharField(max_length=64, null=True)
    # The page rendered in each language, with the key of what it was rendered from (services/trace/page.py
    # `page_key`: template, `version`, lot and product fields, chain head, verdict, day, base URL): served as
    # stored bytes while a scan's key is the same.
    page_key_vi = fields.CharField(max_length=64, null=True)
    page_vi = fields.TextField(null=True)
    page_key_en = fields.CharField(max_length=64, null=True)
    page_en = fields.TextField(null=True)

    class Meta:
        table = "trace_snapshot"


class LotHead(Model):
    """The head of a lot's chain, kept apart from its events: the chain hash of its last appended event and how
    many events it has, and a digest of the lot's shown fields. Created with the lot, updated in the transaction
    of each append; services.trace.integrity checks the events and the lot row against it, so deleting the last
    event (or the last few, or all of them and the head) or editing the lot's dates is detected."""

    id = fields.IntField(primary_key=True)
    batch: fields.OneToOneRelation[Batch] = fields.OneToOneField(
        "models.Batch", related_name=False, on_delete=fields.RESTRICT
    )
    batch_id: int
    event_count = fields.IntField()
    chain_hash = fields.CharField(max_length=64)  # "" while the lot has no event
    # sha256 of the lot's own fields the trace page shows (services.trace.batches.lot_digest), kept by the
    # services that create or change a lot; None for lots recorded before migration 0008 (not covered).
    lot_digest = fields.CharField(max_length=64, null=True)

    class Meta:
        table = "lot_head"
