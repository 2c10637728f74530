"""OCOP_STORAGE_URL and OCOP_STORAGE_DOWNLOADS are checked at start-up: a mistake stops it with the fix."""

from __future__ import annotations

from pathlib import Path

import pytest

from services.common import storage
from services.common.settings import load_settings
from services.common.storage_location import Downloads, FileLocation, S3Location


def test_the_default_is_the_media_folder_as_before() -> None:
    loaded = load_settings({"OCOP_MEDIA_DIR": "/srv/media"})
    assert loaded.storage is None
    assert loaded.storage_downloads is Downloads.STREAM
    assert FileLocation(Path("/srv/media")) == FileLocation(loaded.media_dir)


def test_an_s3_url_is_read_whole() -> None:
    loaded = load_settings(
        {
            "OCOP_STORAGE_URL": "s3://ocop-media/ben-tre/prod?endpoint=https://minio.example.vn:9000&region=ap-southeast-1",
            "OCOP_STORAGE_DOWNLOADS": "redirect",
        }
    )
    assert loaded.storage == S3Location(
        "ocop-media", "ben-tre/prod/", "https://minio.example.vn:9000", "ap-southeast-1", "path"
    )
    assert loaded.storage_downloads is Downloads.REDIRECT
    assert isinstance(storage.open_storage(loaded.storage), storage.S3Storage)
    relative = load_settings({"OCOP_STORAGE_URL": "file://var/shared"}).storage
    assert relative == FileLocation(Path("var/shared"))


@pytest.mark.parametrize(
    ("url", "says"),
    [
        ("s3://Bad_Bucket", "not a bucket name"),
        ("s3://ocop-media?endpoint=minio:9000", "must be http(s)://host[:port]"),
        ("s3://ocop-media?endpoint=http://minio:port", "the port is not a number"),
        ("s3://key:secret@ocop-media", "no credentials in the URL"),
        ("s3://ocop-media?bucket=x", "unknown parameter(s) bucket"),
        ("s3://ocop-media?region=Mars 1", "not a region name"),
        ("s3://ocop-media/../x", "the prefix"),
        ("gs://ocop-media", "the scheme must be file:// or s3://"),
        ("file://", "a folder and nothing else"),
    ],
)
def test_a_malformed_url_stops_the_start_with_the_fix(url: str, says: str) -> None:
    with pytest.raises(ValueError, match="OCOP_STORAGE_URL") as refused:
        load_settings({"OCOP_STORAGE_URL": url})
    assert says in str(refused.value)
    assert "s3://ocop-media/prod?endpoint=" in str(refused.value)  # the form to write


def test_redirects_need_a_store_that_signs() -> None:
    with pytest.raises(ValueError, match="redirect needs an s3:// OCOP_STORAGE_URL"):
        load_settings({"OCOP_STORAGE_DOWNLOADS": "redirect"})
    with pytest.raises(ValueError, match="write stream or redirect"):
        load_settings({"OCOP_STORAGE_DOWNLOADS": "presigned"})
