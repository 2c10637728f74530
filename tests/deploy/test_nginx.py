"""deploy/nginx/ocop-hub.conf in a real nginx (the machine's, from Debian's packages) in front of the app
served by uvicorn: the limits, gzip, the page cache, WebSocket upgrade and the private /metrics behave as
deploy/README.md says. Only what ties the file to Compose is rewritten for the test: the upstream address
(Docker's `api` service -> the test's port; Debian's nginx 1.22 predates the `resolve` parameter the
Compose image's nginx 1.28 uses), the listening port, and the cache's directory."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import time
from collections.abc import AsyncIterator, Iterator
from pathlib import Path
from urllib.parse import urlsplit

import httpx
import pytest

from services.common.settings import load_settings
from tests.conftest import ROOT, Database
from tests.live import close_code, free_port, open_connection, serve

CONF = ROOT / "deploy" / "nginx" / "ocop-hub.conf"


def nginx_binary() -> str:
    found = shutil.which("nginx") or next(
        (p for p in ("/usr/sbin/nginx", "/usr/local/sbin/nginx") if Path(p).exists()), None
    )
    assert found, "nginx is needed (apt-get install nginx-light; .ci/run installs it)"
    return found


def site_config(upstream_port: int, port: int, cache: Path) -> str:
    text = CONF.read_text()
    text = re.sub(r"^resolver .*$", "", text, flags=re.MULTILINE)
    text = re.sub(r"server api:8000 resolve ", f"server 127.0.0.1:{upstream_port} ", text)
    text = text.replace("listen 8080;", f"listen 127.0.0.1:{port};")
    text = text.replace("/var/cache/nginx/ocop", str(cache / "pages"))
    text = text.replace("access_log /dev/stdout ocop;", f"access_log {cache / 'access.log'} ocop;")
    assert "api:8000" not in text
    return text


@pytest.fixture
async def app_url(db: Database) -> AsyncIterator[str]:
    async for url in serve():
        yield url


@pytest.fixture
def nginx(app_url: str, tmp_path: Path) -> Iterator[str]:
    upstream = urlsplit(app_url).port
    assert upstream
    port = free_port()
    (tmp_path / "site.conf").write_text(site_config(upstream, port, tmp_path))
    (tmp_path / "nginx.conf").write_text(
        f"""daemon off;
{"user root;" if os.geteuid() == 0 else ""}
pid {tmp_path}/nginx.pid;
error_log {tmp_path}/error.log warn;
worker_processes 1;
events {{ worker_connections 256; }}
http {{
    include /etc/nginx/mime.types;
    client_body_temp_path {tmp_path}/body;
    proxy_temp_path {tmp_path}/proxy;
    fastcgi_temp_path {tmp_path}/fastcgi;
    uwsgi_temp_path {tmp_path}/uwsgi;
    scgi_temp_path {tmp_path}/scgi;
    include {tmp_path}/site.conf;
}}
"""
    )
    binary = nginx_binary()
    check = subprocess.run([binary, "-t", "-c", str(tmp_path / "nginx.conf")], capture_output=True, text=True)
    assert check.returncode == 0, check.stderr
    process = subprocess.Popen([binary, "-c", str(tmp_path / "nginx.conf")])
    base = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 10
    while True:
        try:
            # nginx answers /metrics itself (the app's event loop is this test's, blocked here)
            if httpx.get(f"{base}/metrics", timeout=1).status_code == 404:
                break
        except httpx.TransportError:
            assert process.poll() is None, (tmp_path / "error.log").read_text()
            assert time.monotonic() < deadline
            time.sleep(0.05)
    yield base
    process.terminate()
    process.wait(timeout=10)


async def test_nginx_passes_the_api_and_enforces_the_body_limits_in_front_of_the_apps(nginx: str) -> None:
    async with httpx.AsyncClient(base_url=nginx, timeout=10) as client:
        ready = await client.get("/readyz")
        assert ready.status_code == 200
        assert ready.headers["x-request-id"]
        # /graphql: a body at the app's limit (OCOP_GRAPHQL_MAX_BYTES) reaches the app and is run...
        limit = load_settings({}).graphql_max_bytes
        query = "{ provinces { code } }"
        body = b'{"query": "' + query.encode() + b'"' + b" " * (limit - len(query) - 13) + b"}"
        assert len(body) == limit
        headers = {"content-type": "application/json"}
        at_limit = await client.post("/graphql", content=body, headers=headers)
        assert at_limit.status_code == 200, at_limit.text[:300]
        assert at_limit.json()["data"]["provinces"]
        # ... one byte more is refused by nginx (413) before any replica reads it: the app refusing it
        # mid-stream would reset the connection nginx is writing to, a 502 for the client.
        over = await client.post("/graphql", content=body[:-1] + b" }", headers=headers)
        assert over.status_code == 413
        assert "x-request-id" not in over.headers, "answered by nginx, not the app"
        # Uploads may be 25 MB (OCOP_UPLOAD_MAX_MB): nginx lets 10 MB through to the app (which asks for a
        # signed-in user), where /graphql's limit would have refused it.
        upload = await client.post("/uploads", content=b"\0" * 10_000_000)
        assert "x-request-id" in upload.headers, upload.status_code
        assert upload.status_code != 413
        # The metrics stay private.
        assert (await client.get("/metrics")).status_code == 404


async def test_nginx_compresses_json_and_caches_static_files(nginx: str) -> None:
    async with httpx.AsyncClient(base_url=nginx, timeout=10) as client:
        answer = await client.post(
            "/graphql",
            json={"query": "{ provinces { code name } }"},
            headers={"accept-encoding": "gzip"},
        )
        assert answer.status_code == 200
        assert answer.headers["content-encoding"] == "gzip"
        assert answer.json()["data"]["provinces"]  # httpx decompressed it
        raw = await client.get("/static/demo/logo-banh-phong-son-doc.png")
        assert raw.status_code == 200
        again = await client.get("/static/demo/logo-banh-phong-son-doc.png")
        assert (raw.headers["x-cache-status"], again.headers["x-cache-status"]) == ("MISS", "HIT")
        assert "max-age=604800" in again.headers["cache-control"]


async def test_graphql_subscriptions_pass_through_nginx_as_websockets(nginx: str) -> None:
    # The upgrade reaches the app, whose graphql-transport-ws handshake answers: without a token the app
    # closes with its own 4401 (nginx alone would answer 400 or 404 to the handshake).
    ws = await open_connection(nginx.replace("http://", "ws://") + "/graphql", None)
    assert ws.subprotocol == "graphql-transport-ws"
    assert await close_code(ws) == 4401
