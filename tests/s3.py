"""A real S3-compatible server on loopback for the tests: moto's standalone server (`moto[server,s3]`, a dev
dependency), started once per test process on a free port, and a fresh bucket per test."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
import urllib.request
import uuid
from collections.abc import Iterator
from dataclasses import dataclass

import pytest

from services.common import storage

# moto takes any credentials; botocore wants some. Set before a client is made (never real ones here).
os.environ.setdefault("AWS_ACCESS_KEY_ID", "ocop-test")
os.environ.setdefault("AWS_SECRET_ACCESS_KEY", "ocop-test-secret")


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@dataclass(frozen=True)
class S3Server:
    endpoint: str
    pid: int

    def url(self, bucket: str, prefix: str = "") -> str:
        return f"s3://{bucket}/{prefix}?endpoint={self.endpoint}&region=us-east-1"


@pytest.fixture(scope="session")
def s3_server() -> Iterator[S3Server]:
    """moto's server in a child process (its own interpreter, as a real store would be)."""
    port = _free_port()
    process = subprocess.Popen(  # noqa: S603 - our own interpreter and arguments
        [sys.executable, "-m", "moto.server", "-H", "127.0.0.1", "-p", str(port)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    endpoint = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 30
    while True:
        try:
            with urllib.request.urlopen(f"{endpoint}/moto-api/", timeout=1):  # noqa: S310 - loopback
                break
        except OSError:
            if process.poll() is not None or time.monotonic() > deadline:
                process.kill()
                raise RuntimeError("moto's S3 server did not start") from None
            time.sleep(0.1)
    try:
        yield S3Server(endpoint, process.pid)
    finally:
        process.terminate()
        try:
            process.wait(10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


async def make_bucket(server: S3Server, prefix: str = "") -> storage.S3Storage:
    """A new, empty bucket on the server, as a store."""
    bucket = f"ocop-{uuid.uuid4().hex[:20]}"
    store = storage.open_storage(server.url(bucket, prefix))
    assert isinstance(store, storage.S3Storage)
    async with store._client() as client:
        await client.create_bucket(Bucket=bucket)
    return store


@pytest.fixture
async def s3_store(s3_server: S3Server) -> storage.S3Storage:
    return await make_bucket(s3_server)
