"""Trusted documents (persisted operations): GraphQL documents a client registered ahead of time and then
runs by the sha256 of their body.

- `read_manifest` takes the manifests the two common tools write: graphql-codegen's client preset
  (`persisted-documents.json`, `{"<sha256>": "<body>"}`, with `persistedDocuments: {hashAlgorithm:
  "sha256"}`) and Apollo's (`{"format": "apollo-persisted-query-manifest", "version": 1, "operations":
  [{"id", "name", "type", "body"}]}`, from `@apollo/generate-persisted-query-manifest`). A key may carry the
  GraphQL-over-HTTP prefix `sha256:`.
- `register` checks every document (its hash is the sha256 of its UTF-8 body, it parses, it has exactly one
  operation, and `validate` — the schema's rules, given by the caller, who knows the schema — finds nothing)
  and writes them in one transaction, or none when any is refused: a `DomainError` names each refused entry.
  A document already registered is counted, not written twice (the hash is the body's, so it is the same).
- `find` answers a registered document by hash, parsed (`Registered.document`), so that a later layer (a
  response cache, compiled execution) can start from it. Found documents are kept per process: a hash always
  names the same body, so a kept one is never stale on any replica; a miss is not kept, so a document
  registered through another replica is found at once.

Services know no GraphQL schema: `validate` is a callable the caller builds from it (schema/trusted.py)."""

from __future__ import annotations

import asyncio
import hashlib
import re
from collections import OrderedDict
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Final

from graphql import DocumentNode, GraphQLError, OperationDefinitionNode, parse
from tortoise.transactions import in_transaction

from models import TrustedDocument
from services.api.errors import ApiErrorCode
from services.common.errors import DomainError, FieldProblem, Problems, forbidden
from services.policy import Reach
from services.policy.api import may_register_documents

APOLLO_FORMAT: Final = "apollo-persisted-query-manifest"
PREFIX: Final = "sha256:"
_HEX: Final = re.compile(r"[0-9a-f]{64}")
# A manifest larger than this is refused before it is read (the CLI checks the file's size with it).
MAX_MANIFEST_BYTES: Final = 20_000_000
MAX_DOCUMENTS: Final = 10_000
_KEPT: Final = 1024  # documents found by hash, kept per process

Validate = Callable[[DocumentNode], Sequence[GraphQLError]]


@dataclass(frozen=True, slots=True)
class Submitted:
    """One entry of a manifest: its hash as written (lower-cased, without `sha256:`), its body, and where it
    is in the manifest (the `field` of its problems)."""

    sha256: str
    body: str
    field: str


@dataclass(frozen=True, slots=True)
class Registered:
    sha256: str
    body: str
    operation_name: str | None
    operation_type: str  # query, mutation
    document: DocumentNode


@dataclass(frozen=True, slots=True)
class Registration:
    added: int
    already: int


def sha256_of(body: str) -> str:
    return hashlib.sha256(body.encode()).hexdigest()


def document_hash(identifier: str) -> str | None:
    """The lower-case hex of a document identifier (`sha256:<hex>` or the bare hex), None when it is not one."""
    value = identifier.strip().lower()
    value = value.removeprefix(PREFIX)
    return value if _HEX.fullmatch(value) else None


def _problem(field: str, code: ApiErrorCode, vi: str, en: str) -> FieldProblem:
    return FieldProblem(field, code, vi, en)


def read_manifest(data: object) -> list[Submitted]:
    """The entries of a manifest in either format (see the module); a `DomainError` when it is neither."""
    if isinstance(data, dict) and "format" in data:
        if data.get("format") != APOLLO_FORMAT or data.get("version") != 1:
            raise DomainError(
                [
                    _problem(
                        "format",
                        ApiErrorCode.INVALID,
                        f"Định dạng không được hỗ trợ: cần {APOLLO_FORMAT} phiên bản 1.",
                        f"Unsupported format: expected {APOLLO_FORMAT} version 1.",
                    )
                ]
            )
        operations = data.get("operations")
        if not isinstance(operations, list):
            raise DomainError(
                [
                    _problem(
                        "operations",
                        ApiErrorCode.REQUIRED,
                        "Thiếu danh sách operations.",
                        "The manifest has no operations list.",
                    )
                ]
            )
        entries = []
        for index, operation in enumerate(operations):
            ok = isinstance(operation, dict)
            identifier = operation.get("id") if ok else None
            body = operation.get("body") if ok else None
            entries.append((f"operations.{index}", identifier, body))
    elif isinstance(data, dict):
        entries = [(str(key), key, body) for key, body in data.items()]
    else:
        raise DomainError(
            [
                _problem(
                    "",
                    ApiErrorCode.INVALID,
                    "Tệp không phải manifest: cần một đối tượng JSON {hash: nội dung} hoặc manifest của Apollo.",
                    "Not a manifest: expected a JSON object {hash: body} or an Apollo persisted-query manifest.",
                )
            ]
        )
    if len(entries) > MAX_DOCUMENTS:
        raise DomainError(
            [
                _problem(
                    "",
                    ApiErrorCode.TOO_LONG,
                    f"Quá nhiều tài liệu: tối đa {MAX_DOCUMENTS} mỗi lần.",
                    f"Too many documents: at most {MAX_DOCUMENTS} at once.",
                )
            ]
        )
    problems = Problems()
    submitted = []
    for field, identifier, body in entries:
        if not isinstance(body, str) or not body.strip():
            problems.add(
                field, ApiErrorCode.REQUIRED, "Thiếu nội dung tài liệu.", "The document has no body."
            )
            continue
        digest = document_hash(identifier) if isinstance(identifier, str) else None
        if digest is None:
            problems.add(
                field,
                ApiErrorCode.INVALID,
                "Mã băm không phải SHA-256 (64 ký tự hex, có thể có tiền tố sha256:).",
                "The hash is not a SHA-256 (64 hex digits, optionally prefixed sha256:).",
            )
            continue
        submitted.append(Submitted(digest, body, field))
    problems.raise_if_any()
    return submitted


def _check(entry: Submitted, validate: Validate) -> tuple[Registered | None, list[FieldProblem]]:
    """Hash, parse, one operation, the schema's rules: CPU work, run in a thread by `register`."""
    if sha256_of(entry.body) != entry.sha256:
        return None, [
            _problem(
                entry.field,
                ApiErrorCode.INVALID,
                f"Mã băm không khớp nội dung: SHA-256 của nội dung là {sha256_of(entry.body)}.",
                f"The hash does not match the body: the body's SHA-256 is {sha256_of(entry.body)}.",
            )
        ]
    try:
        document = parse(entry.body)
    except GraphQLError as exc:
        message = exc.message
        return None, [
            _problem(
                entry.field,
                ApiErrorCode.INVALID,
                f"Tài liệu không hợp lệ: {message}",
                f"Invalid document: {message}",
            )
        ]
    operations = [d for d in document.definitions if isinstance(d, OperationDefinitionNode)]
    if len(operations) != 1:
        return None, [
            _problem(
                entry.field,
                ApiErrorCode.INVALID,
                f"Mỗi tài liệu phải có đúng một thao tác (có {len(operations)}).",
                f"Each document must hold exactly one operation (it has {len(operations)}).",
            )
        ]
    errors = validate(document)
    if errors:
        return None, [
            _problem(
                entry.field,
                ApiErrorCode.INVALID,
                f"Tài liệu không hợp lệ với lược đồ: {error.message}",
                f"The document does not fit the schema: {error.message}",
            )
            for error in errors[:5]
        ]
    operation = operations[0]
    name = operation.name.value if operation.name else None
    return Registered(entry.sha256, entry.body, name, operation.operation.value, document), []


def check_all(entries: Sequence[Submitted], validate: Validate) -> list[Registered]:
    """Every entry checked; a `DomainError` with every problem found when any is refused."""
    problems: list[FieldProblem] = []
    checked: dict[str, Registered] = {}
    for entry in entries:
        registered, found = _check(entry, validate)
        problems += found
        if registered is not None:
            checked[registered.sha256] = registered
    if problems:
        raise DomainError(problems)
    return list(checked.values())


async def register(
    entries: Sequence[Submitted], *, validate: Validate, reach: Reach, registered_by: str
) -> Registration:
    """Registers `entries`, all or none (see the module)."""
    if not may_register_documents(reach):
        raise forbidden()
    if not entries:
        raise DomainError(
            [
                _problem(
                    "",
                    ApiErrorCode.REQUIRED,
                    "Manifest không có tài liệu nào.",
                    "The manifest holds no document.",
                )
            ]
        )
    checked = await asyncio.to_thread(check_all, entries, validate)
    async with in_transaction():
        hashes = [d.sha256 for d in checked]
        found = await TrustedDocument.filter(sha256__in=hashes).values_list("sha256", flat=True)
        existing = {str(h) for h in found}
        new = [
            TrustedDocument(
                sha256=d.sha256,
                body=d.body,
                operation_name=d.operation_name,
                operation_type=d.operation_type,
                registered_by=registered_by[:254],
            )
            for d in checked
            if d.sha256 not in existing
        ]
        # Another registration of the same documents at the same time: the same hash is the same body.
        await TrustedDocument.bulk_create(new, ignore_conflicts=True)
    return Registration(added=len(new), already=len(checked) - len(new))


_found: OrderedDict[str, Registered] = OrderedDict()


async def find(sha256: str) -> Registered | None:
    """The registered document with this hash (lower-case hex), parsed; None when there is none."""
    kept = _found.get(sha256)
    if kept is not None:
        _found.move_to_end(sha256)
        return kept
    row = await TrustedDocument.get_or_none(sha256=sha256)
    if row is None:
        return None
    document = await asyncio.to_thread(parse, row.body)
    registered = Registered(row.sha256, row.body, row.operation_name, row.operation_type, document)
    _found[sha256] = registered
    while len(_found) > _KEPT:
        _found.popitem(last=False)
    return registered


async def listed() -> list[TrustedDocument]:
    """Every registered document, newest first (the CLI's `list`)."""
    return await TrustedDocument.all().order_by("-registered_at", "-id")


def forget() -> None:
    """Drop the documents kept per process (tests empty the table between tests)."""
    _found.clear()
