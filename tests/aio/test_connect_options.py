"""``connection_options``: each key reaches the socket, bad values are refused with a message
that names the key, and the defaults the documentation promises."""

from __future__ import annotations

import asyncio
import json
from typing import Any

import pytest
from aiohttp import web
from azure.core.credentials import AzureKeyCredential

from shared_support import serve_app
from voicelive.aio import connect
from voicelive.exceptions import ConnectionError, HandshakeError, LocalProtocolError
from voicelive.testing import MockServer, MockServerConnection

KEY = AzureKeyCredential("k")
SUPPORTED = (
    "['allow_insecure_credentials', 'autoclose', 'autoping', 'close_timeout', 'compression', "
    "'handshake_timeout', 'heartbeat', 'max_msg_size', 'max_pending_events', "
    "'receive_timeout', 'ssl', 'timeout', 'vendor_options']"
)


@pytest.mark.parametrize(
    ("options", "message"),
    [
        (
            {"heartbeet": 5, "zz": 1},
            f"unknown connection_options key(s) ['heartbeet', 'zz']; supported: {SUPPORTED}",
        ),
        ({"ssl": "yes"}, "connection_options['ssl'] must be a bool or an ssl.SSLContext"),
        ({"vendor_options": [("a", 1)]}, "connection_options['vendor_options'] must be a mapping"),
        ({"timeout": True}, "connection_options['timeout'] must be a number of seconds, got True"),
        ({"timeout": "30"}, "connection_options['timeout'] must be a number of seconds, got '30'"),
    ],
    ids=["unknown", "ssl", "vendor", "timeout-bool", "timeout-str"],
)
async def test_bad_options_are_refused_with_a_message_naming_them(
    options: dict[str, Any], message: str
) -> None:
    with pytest.raises(TypeError) as refused:
        await connect(endpoint="http://127.0.0.1:1", credential=KEY, connection_options=options)
    assert str(refused.value) == message


@pytest.mark.parametrize(
    ("compression", "extensions"),
    [
        (True, "permessage-deflate; client_max_window_bits"),
        (10, "permessage-deflate; client_max_window_bits; server_max_window_bits=10"),
        (False, None),
    ],
)
async def test_compression_is_offered_as_asked(compression: object, extensions: str | None) -> None:
    async with MockServer() as server:
        async with connect(
            endpoint=server.endpoint,
            credential=KEY,
            connection_options={"compression": compression},
        ):
            conn = await server.wait_for_connection()
    assert conn.headers.get("Sec-WebSocket-Extensions") == extensions


async def test_vendor_options_reach_aiohttp() -> None:
    async with MockServer() as server:
        async with connect(
            endpoint=server.endpoint,
            credential=KEY,
            connection_options={"vendor_options": {"protocols": ["vl.test"]}},
        ):
            conn = await server.wait_for_connection()
    assert conn.headers["Sec-WebSocket-Protocol"] == "vl.test"


async def test_handshake_timeout_wins_over_timeout() -> None:
    release = asyncio.Event()

    async def never_upgrades(request: web.Request) -> web.Response:
        await release.wait()
        return web.Response(status=500)

    async with serve_app(never_upgrades) as url:
        try:
            with pytest.raises(HandshakeError) as timed_out:
                await asyncio.wait_for(
                    connect(
                        endpoint=url,
                        credential=KEY,
                        connection_options={"handshake_timeout": 0.05, "timeout": 600},
                    ),
                    10,
                )
        finally:
            release.set()
    assert str(timed_out.value) == "WebSocket handshake with 127.0.0.1 timed out after 0.05 s"


async def test_plain_ws_to_a_remote_host_says_how_to_opt_in_and_the_opt_in_works() -> None:
    with pytest.raises(LocalProtocolError) as refused:
        await connect(endpoint="http://voicelive.invalid", credential=KEY)
    assert str(refused.value) == (
        "refusing to send credentials over unencrypted ws:// to voicelive.invalid; use an "
        "https:// endpoint, or pass connection_options={'allow_insecure_credentials': True} "
        "if you really mean it"
    )
    with pytest.raises(ConnectionError):  # past the check: the name does not resolve
        await asyncio.wait_for(
            connect(
                endpoint="http://voicelive.invalid",
                credential=KEY,
                connection_options={"allow_insecure_credentials": True},
            ),
            30,
        )


async def test_max_pending_events_bounds_the_wait_for_queue() -> None:
    async def handler(conn: MockServerConnection) -> None:
        for i in (1, 2):
            await conn.send_raw(
                json.dumps({"type": "input_audio_buffer.cleared", "event_id": f"e{i}"})
            )
        async for _ in conn:
            pass

    async with (
        MockServer(handler) as server,
        connect(
            endpoint=server.endpoint, credential=KEY, connection_options={"max_pending_events": 1}
        ) as conn,
    ):
        await conn.wait_for(
            "input_audio_buffer.cleared", predicate=lambda e: e.event_id == "e2", timeout=5
        )
        assert (await asyncio.wait_for(conn.recv(), 5)).event_id == "e2"  # e1 was dropped


async def test_host_and_model_are_those_connected_to() -> None:
    async with (
        MockServer() as server,
        connect(endpoint=server.endpoint, credential=KEY, model="gpt-test") as conn,
    ):
        assert (conn.host, conn.model) == ("127.0.0.1", "gpt-test")
        assert server.connections[0].query["model"] == "gpt-test"
