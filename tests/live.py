"""A real WebSocket client (`websockets`) for the subscription tests, against the app served by uvicorn in the
test process (it shares the suite's database connection and the bus)."""

from __future__ import annotations

import asyncio
import socket
from collections.abc import AsyncIterator
from typing import Any

import orjson
import uvicorn
from websockets.asyncio.client import ClientConnection, connect
from websockets.exceptions import ConnectionClosed

from tests.conftest import make_app

PROTOCOL = "graphql-transport-ws"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


async def serve(**settings: Any) -> AsyncIterator[str]:
    """The app, served by uvicorn on a free loopback port in this process (it shares the suite's database
    connection and the bus); yields the WebSocket URL of /graphql."""
    port = free_port()
    server = uvicorn.Server(
        uvicorn.Config(make_app(**settings), host="127.0.0.1", port=port, log_config=None, lifespan="on")
    )
    task = asyncio.create_task(server.serve())
    while not server.started:
        assert not task.done(), "the server did not start"
        await asyncio.sleep(0.02)
    try:
        yield f"ws://127.0.0.1:{port}/graphql"
    finally:
        server.should_exit = True
        await task


async def receive(ws: ClientConnection, timeout_s: float = 10.0) -> dict[str, Any]:
    """The next message other than a ping (answered with a pong, as a client library does)."""
    async with asyncio.timeout(timeout_s):
        while True:
            message: dict[str, Any] = orjson.loads(await ws.recv())
            if message["type"] == "ping":
                await ws.send(orjson.dumps({"type": "pong"}).decode())
                continue
            return message


async def open_connection(url: str, payload: dict[str, Any] | None) -> ClientConnection:
    ws = await connect(url, subprotocols=[PROTOCOL])  # type: ignore[list-item]
    await ws.send(orjson.dumps({"type": "connection_init", "payload": payload or {}}).decode())
    return ws


async def connected(url: str, token: str) -> ClientConnection:
    ws = await open_connection(url, {"Authorization": f"Bearer {token}"})
    assert (await receive(ws))["type"] == "connection_ack"
    return ws


async def subscribe(ws: ClientConnection, op_id: str, query: str, variables: dict[str, Any]) -> None:
    message = {"id": op_id, "type": "subscribe", "payload": {"query": query, "variables": variables}}
    await ws.send(orjson.dumps(message).decode())


async def close_code(ws: ClientConnection) -> int | None:
    """The code the server closed the connection with (the messages before are skipped)."""
    async with asyncio.timeout(10):
        while True:
            try:
                await ws.recv()
            except ConnectionClosed as closed:
                return closed.rcvd.code if closed.rcvd else None
