"""OCOP_STORAGE_URL parsed and checked (standard library only: services/common/settings.py reads it at
start-up, and a malformed URL stops the start-up with the fix). The storage itself is
services/common/storage.py.

- `file://PATH`: files under a local (or mounted) folder, relative to the working directory unless PATH is
  absolute (`file:///srv/ocop/media`). The default is the OCOP_MEDIA_DIR folder, `file://var/media`.
- `s3://BUCKET[/prefix]?endpoint=URL[&region=NAME][&addressing=path|virtual]`: an S3-compatible store
  (MinIO, Ceph, a cloud provider). Without `endpoint`, the provider's default for the region (AWS).
  Credentials are never in the URL: the standard AWS_ACCESS_KEY_ID / AWS_SECRET_ACCESS_KEY (or the other
  sources botocore reads: a profile, an instance role).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from enum import StrEnum
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

_BUCKET = re.compile(r"[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]")
_PREFIX = re.compile(r"[A-Za-z0-9._-]+(/[A-Za-z0-9._-]+)*")
_REGION = re.compile(r"[a-z0-9-]{2,32}")
_S3_PARAMS = {"endpoint", "region", "addressing"}
EXAMPLE = "s3://ocop-media/prod?endpoint=https://minio.example.vn:9000&region=us-east-1"


class Downloads(StrEnum):
    """OCOP_STORAGE_DOWNLOADS: how a stored file reaches a client."""

    STREAM = "stream"  # through the application
    REDIRECT = "redirect"  # a 302 to a short-lived presigned URL of the store (s3:// only)


@dataclass(frozen=True, slots=True)
class FileLocation:
    root: Path

    @property
    def url(self) -> str:
        return f"file://{self.root}"


@dataclass(frozen=True, slots=True)
class S3Location:
    bucket: str
    prefix: str  # "" or "a/b/" (always ending with a slash)
    endpoint: str | None
    region: str
    addressing: str  # "path" (MinIO, Ceph, most self-hosted stores) or "virtual"

    @property
    def url(self) -> str:
        query = [f"region={self.region}"]
        if self.endpoint:
            query.insert(0, f"endpoint={self.endpoint}")
        if self.addressing != "path":
            query.append(f"addressing={self.addressing}")
        return f"s3://{self.bucket}/{self.prefix}?{'&'.join(query)}"


Location = FileLocation | S3Location


def _refuse(url: str, problem: str) -> ValueError:
    return ValueError(
        f"OCOP_STORAGE_URL={url!r}: {problem}. Write file://PATH (default file://var/media) or {EXAMPLE}"
        " (docs/operators.md, 'File storage')"
    )


def parse(url: str) -> Location:
    """The location OCOP_STORAGE_URL names; ValueError naming the fix when it is malformed."""
    text = url.strip()
    if text.startswith("file://"):
        path = text.removeprefix("file://")
        if not path or "?" in path or "#" in path:
            raise _refuse(url, "a file:// URL is a folder and nothing else")
        return FileLocation(Path(path))
    if not text.startswith("s3://"):
        raise _refuse(url, "the scheme must be file:// or s3://")
    parts = urlsplit(text)
    if parts.username or parts.password or "@" in parts.netloc:
        raise _refuse(url, "no credentials in the URL: set AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY")
    bucket = parts.netloc
    if not _BUCKET.fullmatch(bucket) or ".." in bucket:
        raise _refuse(
            url, f"{bucket!r} is not a bucket name (3-63 lower-case letters, digits, dots, hyphens)"
        )
    prefix = parts.path.strip("/")
    if prefix and (not _PREFIX.fullmatch(prefix) or {".", ".."} & set(prefix.split("/"))):
        raise _refuse(url, f"the prefix {prefix!r} may hold letters, digits, '.', '_', '-' and '/' only")
    if parts.fragment:
        raise _refuse(url, "no #fragment")
    try:
        query = parse_qs(parts.query, keep_blank_values=True, strict_parsing=bool(parts.query))
    except ValueError:
        raise _refuse(url, "the query does not parse") from None
    unknown = set(query) - _S3_PARAMS
    if unknown:
        raise _refuse(
            url, f"unknown parameter(s) {', '.join(sorted(unknown))}; known: endpoint, region, addressing"
        )
    if any(len(values) != 1 for values in query.values()):
        raise _refuse(url, "each parameter once")
    endpoint = query.get("endpoint", [None])[0]
    if endpoint is not None:
        target = urlsplit(endpoint)
        if target.scheme not in ("http", "https") or not target.hostname or target.path not in ("", "/"):
            raise _refuse(url, f"endpoint={endpoint!r} must be http(s)://host[:port]")
        try:
            target.port  # noqa: B018 - a port that is not a number raises here
        except ValueError:
            raise _refuse(url, f"endpoint={endpoint!r}: the port is not a number") from None
        endpoint = endpoint.rstrip("/")
    region = query.get("region", ["us-east-1"])[0]
    if not _REGION.fullmatch(region):
        raise _refuse(url, f"region={region!r} is not a region name")
    addressing = query.get("addressing", ["path"])[0]
    if addressing not in ("path", "virtual"):
        raise _refuse(url, "addressing must be path or virtual")
    return S3Location(bucket, f"{prefix}/" if prefix else "", endpoint, region, addressing)


def downloads_mode(value: str | None, location: Location) -> Downloads:
    """OCOP_STORAGE_DOWNLOADS (stream when unset); a ValueError with the fix for a typo, or for `redirect`
    on a store that cannot presign (a file:// folder)."""
    text = (value or "").strip().lower() or Downloads.STREAM
    try:
        mode = Downloads(text)
    except ValueError:
        raise ValueError(f"OCOP_STORAGE_DOWNLOADS={value!r}: write stream or redirect") from None
    if mode is Downloads.REDIRECT and isinstance(location, FileLocation):
        raise ValueError(
            "OCOP_STORAGE_DOWNLOADS=redirect needs an s3:// OCOP_STORAGE_URL (a file:// folder has no presigned"
            " URLs): set OCOP_STORAGE_DOWNLOADS=stream, or move the files to S3 (`server.py storage copy`)"
        )
    return mode
