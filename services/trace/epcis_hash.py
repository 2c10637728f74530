"""The CBV 2.0 event hash of an EPCIS 2.0 event: its eventID `ni:///sha-256;...?ver=CBV2.0`.

The hash library (PyPI `epcis-event-hash-generator`, which expands JSON-LD with PyLD) is given a document loader
that serves only the EPCIS contexts shipped inside that package and refuses every other URL: hashing never
touches the network. Events come from services.trace.epcis.event_json.

Hashing is CPU work (the JSON-LD expansion costs ~15 ms for a plain event and ~1.5 ms more per sensor report:
1.5 s for an event at the cap of 1,000, half a minute for a legacy event of 20,000). Request paths await
`event_hashes`: it runs on one worker thread, never on the event loop, and remembers each hash by the content
it covers (a SHA-256 of the event's canonical JSON), so that viewing a lot again costs no hashing while an
edited row, whose content differs, is hashed anew."""

from __future__ import annotations

import asyncio
import hashlib
import json
import shutil
import sys
import tempfile
import threading
import warnings
from collections import OrderedDict
from collections.abc import Callable, Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

import orjson
import structlog

from services.common import sandbox
from services.trace.epcis import (
    EPCIS_CONTEXT,
    EXTENSION_NAMESPACE,
    EXTENSION_PREFIX,
    SCHEMA_VERSION,
    JSONObject,
    typed_entries,
)

# The JSON-LD contexts epcis-event-hash-generator ships as files (its file_document_loader maps exactly these).
PACKAGED_CONTEXTS = frozenset({EPCIS_CONTEXT, "https://gs1.github.io/EPCIS/epcis-context.jsonld"})
# Prefixes of the EPCIS context, repeated (identically: the context's terms are @protected) in the context of
# the document we hash, so that the library expands CURIEs such as `cbvmda:lotNumber` to
# `{urn:epcglobal:cbv:mda:}lotNumber`, as the CBV 2.0 hash algorithm requires for ILMD and extensions.
_HASH_PREFIXES = {
    "epcis": "https://ref.gs1.org/epcis/",
    "cbv": "https://ref.gs1.org/cbv/",
    "cbvmda": "urn:epcglobal:cbv:mda:",
    "gs1": "https://gs1.org/voc/",
    EXTENSION_PREFIX: EXTENSION_NAMESPACE,  # ours, not the EPCIS context's: expands `ocop:documents`
}


class EPCISHashError(RuntimeError):
    """The hash library could not hash an event: it logs the cause on the root logger and skips the event, which
    we refuse to do. A known cause: a time whose fraction rounds up to 1000 ms (e.g. `...:00.9996+07:00` in a
    sensorMetadata time); event_json writes eventTime truncated to the millisecond, which never trips it."""


type DocumentLoader = Callable[..., dict[str, Any]]


@dataclass(slots=True)
class _HashLibrary:
    to_events: Callable[[JSONObject], Any]
    pre_hashes: Callable[[Any], list[str]]
    hashes: Callable[[list[str], str], list[str]]
    package_loader: DocumentLoader  # the package's file_document_loader (reads its shipped context files)
    jsonld: Any  # pyld.jsonld


@cache
def _hash_library() -> _HashLibrary:
    saved_path = list(sys.path)
    try:
        from epcis_event_hash_generator import hash_generator, json_to_py  # type: ignore[import-untyped]
        from epcis_event_hash_generator.file_document_loader import (  # type: ignore[import-untyped]
            file_document_loader,
        )
        from pyld import jsonld  # type: ignore[import-untyped]
    finally:
        # The package's context.py puts site-packages first on sys.path, ahead of the project: undo that.
        sys.path[:] = saved_path
    return _HashLibrary(
        to_events=json_to_py.event_list_from_epcis_document_json,
        pre_hashes=hash_generator.derive_prehashes_from_events,
        hashes=hash_generator.calculate_hashes_from_pre_hashes,
        package_loader=file_document_loader(),
        jsonld=jsonld,
    )


def hash_library_loaded() -> None:
    """Import epcis-event-hash-generator (once), undoing its sys.path change: before importing any of its modules
    (services.trace.epcis_identifiers uses its Digital Link normaliser)."""
    _hash_library()


def offline_document_loader(url: str, options: Mapping[str, Any] | None = None) -> dict[str, Any]:
    """PyLD document loader used for hashing: the EPCIS contexts come from the files shipped in
    epcis-event-hash-generator (through its file_document_loader); any other URL is refused, never fetched (the
    package's own loader would fall back to the network)."""
    library = _hash_library()
    if url not in PACKAGED_CONTEXTS:
        raise library.jsonld.JsonLdError(
            f"{url} is not a JSON-LD context shipped with epcis-event-hash-generator; hashing never fetches",
            "jsonld.LoadDocumentError",
            {"url": url},
            code="loading document failed",
        )
    with warnings.catch_warnings():
        # The package reads its file with importlib.resources.open_text, deprecated in Python 3.12.
        warnings.simplefilter("ignore", DeprecationWarning)
        loaded: dict[str, Any] = library.package_loader(url, dict(options or {}))
    return loaded


def _prepare() -> _HashLibrary:
    library = _hash_library()
    if library.jsonld.get_document_loader() is not offline_document_loader:
        library.jsonld.set_document_loader(offline_document_loader)
    return library


def _hash_document(event: Mapping[str, Any]) -> JSONObject:
    plain: JSONObject = json.loads(json.dumps(event))  # a deep copy that must be plain JSON
    for name, key in (
        ("bizTransactionList", "bizTransaction"),
        ("sourceList", "source"),
        ("destinationList", "destination"),
    ):
        if isinstance(plain.get(name), list):
            plain[name] = typed_entries(plain[name], key)
    # A captured event's own prefixes (its user extensions' namespaces) join the document's context: the library
    # reads event fields, not an event-level context, and a field whose prefix is unknown would not be hashed.
    own = plain.pop("@context", None)
    extra = own if isinstance(own, list) else [own] if own else []  # a URL in it is refused, never fetched
    return {
        "@context": [EPCIS_CONTEXT, _HASH_PREFIXES, *extra],
        "type": "EPCISDocument",
        "schemaVersion": SCHEMA_VERSION,
        "creationDate": "1970-01-01T00:00:00.000Z",
        "epcisBody": {"eventList": [plain]},
    }


def pre_hash_string(event: Mapping[str, Any]) -> str:
    """The CBV 2.0 pre-hash string of an event (what event_hash digests): for debugging and tests."""
    library = _prepare()
    pre_hashes = library.pre_hashes(library.to_events(_hash_document(event)))
    if len(pre_hashes) != 1 or not pre_hashes[0]:
        raise EPCISHashError(f"epcis-event-hash-generator could not hash the {event.get('type')} event")
    return pre_hashes[0]


def event_hash(event: Mapping[str, Any]) -> str:
    """The CBV 2.0 event hash `ni:///sha-256;<hex>?ver=CBV2.0` of an event from event_json (epcis-event-hash-
    generator on a one-event document). eventID, recordTime and errorDeclaration are not hashed: an error
    declaration keeps the hash of the event it declares erroneous."""
    [hashed] = _hash_library().hashes([pre_hash_string(event)], "sha256")
    return hashed


# One thread: PyLD's document loader and context cache are module-global; several lots' misses queue here, and
# at most one hashing thread takes turns with the event loop for the GIL.
log = structlog.get_logger("ocop.event_hash")
_worker = ThreadPoolExecutor(max_workers=1, thread_name_prefix="event-hash")
KNOWN_MAX = 20_000  # hashes remembered (~100 bytes each)
_known: OrderedDict[bytes, str] = OrderedDict()
_known_lock = threading.Lock()  # the event loop reads, the hashing thread writes


def content_key(event: Mapping[str, Any]) -> tuple[bytes, bool]:
    """The sha256 of the event's JSON with sorted keys, and whether that JSON is over LARGE_EVENT_BYTES (to be
    hashed in a child), from one serialisation. The same content always gets the same CBV hash, and an edited
    row has other content, so a remembered hash never hides an edit."""
    try:
        canonical = orjson.dumps(event, option=orjson.OPT_SORT_KEYS, default=str)
    except TypeError:  # orjson refuses integers past 64 bits; json does not
        canonical = json.dumps(event, sort_keys=True, default=str).encode()
    return hashlib.sha256(canonical).digest(), len(canonical) > LARGE_EVENT_BYTES


def recall(key: bytes) -> str | None:
    with _known_lock:
        hashed = _known.get(key)
        if hashed is not None:
            _known.move_to_end(key)
        return hashed


def remember(key: bytes, hashed: str) -> None:
    """Keep `hashed` as the CBV hash of the content whose `content_key` is `key` (the oldest beyond KNOWN_MAX go)."""
    with _known_lock:
        _known[key] = hashed
        while len(_known) > KNOWN_MAX:
            _known.popitem(last=False)


def _hash_missing(items: Sequence[tuple[bytes, Mapping[str, Any]]]) -> list[str]:
    """On the hashing thread. Each hash is remembered as soon as it is computed, also when the request that
    asked for it has timed out meanwhile: the next view of the lot finds it."""
    out = []
    for key, event in items:
        hashed = recall(key)  # a job queued before this one may have hashed the same content
        if hashed is None:
            hashed = event_hash(event)
            remember(key, hashed)
        out.append(hashed)
    return out


# An event whose JSON is larger than this (a few hundred sensor reports: ~0.3 s of canonicalisation and more)
# is hashed in a sandboxed child process, not on the hashing thread. A thread shares the interpreter's lock
# with the event loop: on a busy machine every hand-over of that lock waits for the scheduler, and /healthz was
# seen silent for 1.5 s while an event at the sensor-report cap was hashed in a thread. A child has its own
# interpreter and a time and memory limit that really interrupts it.
LARGE_EVENT_BYTES = 16 * 1024
CHILD_LIMITS = sandbox.Limits(timeout_s=120.0, memory_bytes=2048 * sandbox.MIB)


async def hash_in_sandbox(body: Mapping[str, Any]) -> str | None:
    """The CBV hash of one large event, computed in a sandboxed child (in line with renders, at most
    OCOP_RENDER_CONCURRENCY at once); None when it broke the child's limits."""
    out_dir = Path(await asyncio.to_thread(tempfile.mkdtemp, prefix="ocop-event-hash-"))
    try:
        event = out_dir / "event.json"
        await asyncio.to_thread(event.write_bytes, orjson.dumps(body, default=str))
        output = await sandbox.run(
            hash_in_child, str(event), CHILD_LIMITS, out_dir, ".txt", name="event-hash", capped=True
        )
        return await asyncio.to_thread(output.path.read_text)
    except sandbox.ChildFailed as exc:
        log.warning("event_too_large_to_hash", error=str(exc))
        return None
    finally:
        await asyncio.to_thread(shutil.rmtree, out_dir, True)


async def event_hashes(events: Sequence[Mapping[str, Any]]) -> list[str]:
    """`event_hash` of each event, computed off the event loop: on the hashing thread, or for a large event in
    a sandboxed child; a content hashed before is answered from memory. Raises EPCISHashError as event_hash
    does, and when a large event breaks the child's limits."""
    keyed = [content_key(event) for event in events]
    keys = [key for key, _ in keyed]
    large = {key for key, is_large in keyed if is_large}
    found = {key: hashed for key in keys if (hashed := recall(key)) is not None}
    missing = list({key: event for key, event in zip(keys, events, strict=True) if key not in found}.items())
    small = [(key, event) for key, event in missing if key not in large]
    for key, event in missing:
        if key not in large:
            continue
        hashed = await hash_in_sandbox(event)
        if hashed is None:
            raise EPCISHashError("the event is too large to hash within the limits")
        remember(key, hashed)
        found[key] = hashed
    if small:
        computed = await asyncio.get_running_loop().run_in_executor(_worker, _hash_missing, small)
        found.update(zip((key for key, _ in small), computed, strict=True))
    return [found[key] for key in keys]


def hash_in_child(path: str, progress: Callable[[int], None] | None = None) -> bytes:
    """`event_hash` of the event stored as JSON at `path`, as a services.common.sandbox function: run in a
    child process for an event too large to hash in the server's process (services.trace.integrity). The
    event comes in a file, not through the child's start-up pipe: the parent writes its arguments into that
    pipe on the event loop, and blocks there while the child imports, once they pass the pipe's buffer."""
    with open(path, "rb") as file:
        event = json.load(file)
    return event_hash(event).encode()
