"""The aiohttp seam (``aio/_transport.py``): what each way a socket can end or misbehave becomes,
the exact errors users read, and PING/PONG without autoping."""

from __future__ import annotations

import asyncio
import zlib
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

import aiohttp
import pytest
from aiohttp import web
from azure.core.credentials import AzureKeyCredential

from shared_support import accept_websocket_upgrade, serve_app
from voicelive.aio import connect
from voicelive.exceptions import (
    ConnectionClosedError,
    ConnectionError,
    MessageTooLargeError,
    ReceiveTimeoutError,
)
from voicelive.testing import MockServer, MockServerConnection

KEY = AzureKeyCredential("k")


@asynccontextmanager
async def raw_server(frames: bytes, headers: bytes = b"") -> AsyncIterator[str]:
    """A hand-made WebSocket server: it accepts the upgrade (adding ``headers``, raw header
    lines, to its answer), writes ``frames`` (raw RFC 6455 bytes, which may be invalid on
    purpose) and then keeps the TCP stream open."""
    done = asyncio.Event()

    async def serve(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        await accept_websocket_upgrade(reader, writer, headers)
        writer.write(frames)
        await writer.drain()
        await done.wait()
        writer.close()

    server = await asyncio.start_server(serve, "127.0.0.1", 0)
    port = server.sockets[0].getsockname()[1]
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        done.set()
        server.close()
        await server.wait_closed()


@pytest.mark.parametrize(
    ("frame", "code"),
    [
        (b"\x81\x02\xff\xfe", 1007),  # a text frame that is not UTF-8
        (b"\x83\x00", 1002),  # a reserved opcode
    ],
    ids=["bad-utf8", "bad-opcode"],
)
async def test_a_broken_frame_closes_with_the_protocol_error_code(frame: bytes, code: int) -> None:
    async with raw_server(frame) as url, connect(endpoint=url, credential=KEY) as conn:
        with pytest.raises(ConnectionClosedError) as closed:
            await asyncio.wait_for(conn.recv(), 10)
        assert closed.value.code == code
        assert isinstance(closed.value.__cause__, aiohttp.WebSocketError)
        assert closed.value.reason == str(closed.value.__cause__)  # aiohttp's description
        assert closed.value.reason
        assert conn.close_code == code
        with pytest.raises(ConnectionClosedError) as send_closed:
            await conn.input_audio_buffer.clear()
        # a later send still names the code and aiohttp's reason
        assert str(send_closed.value).endswith(f" with code {code}: {closed.value.reason}")


async def test_a_frame_that_does_not_inflate_is_a_lost_connection_with_zlibs_reason() -> None:
    # permessage-deflate agreed, then a compressed (RSV1) text frame that is not deflate data:
    # aiohttp reports zlib's own error, not a WebSocketError
    frame = b"\xc1\x04\xff\xff\xff\xff"
    async with (
        raw_server(frame, b"Sec-WebSocket-Extensions: permessage-deflate\r\n") as url,
        connect(endpoint=url, credential=KEY, connection_options={"compression": True}) as conn,
    ):
        with pytest.raises(ConnectionClosedError) as lost:
            await asyncio.wait_for(conn.recv(), 10)
        assert isinstance(lost.value.__cause__, zlib.error)
        assert (lost.value.code, lost.value.reason) == (1006, str(lost.value.__cause__))
        assert conn.close_code == 1006


async def test_an_oversize_frame_says_what_to_raise_and_records_1009() -> None:
    frame = b"\x81\x7e\x01\x00" + b"x" * 256  # a 256-byte text frame
    async with (
        raw_server(frame) as url,
        connect(endpoint=url, credential=KEY, connection_options={"max_msg_size": 100}) as conn,
    ):
        with pytest.raises(MessageTooLargeError) as too_large:
            await asyncio.wait_for(conn.recv(), 10)
        assert conn.close_code == 1009
    message = str(too_large.value)
    assert message.startswith("server frame exceeds max_msg_size (")
    assert message.endswith(
        "); the connection was closed with 1009. Raise connection_options['max_msg_size'] if "
        "needed."
    )


async def test_a_heartbeat_without_pong_is_a_lost_connection() -> None:
    async def no_pong(request: web.Request) -> web.WebSocketResponse:
        ws = web.WebSocketResponse(autoping=False)
        await ws.prepare(request)
        async for _ in ws:  # PINGs are read and never answered
            pass
        return ws

    async with (
        serve_app(no_pong) as url,
        connect(endpoint=url, credential=KEY, connection_options={"heartbeat": 0.05}) as conn,
    ):
        with pytest.raises(ConnectionClosedError) as lost:
            await asyncio.wait_for(conn.recv(), 10)
        assert lost.value.code == 1006
        assert lost.value.reason == "no PONG answer to the heartbeat PING; connection lost"
        assert conn.close_code == 1006


async def test_without_autoping_pings_and_pongs_are_skipped() -> None:
    async def handler(conn: MockServerConnection) -> None:
        await conn.ping(b"p")
        await conn.send_raw('{"type": "input_audio_buffer.cleared", "event_id": "e"}')
        async for _ in conn:
            pass

    async with (
        MockServer(handler) as server,
        connect(
            endpoint=server.endpoint, credential=KEY, connection_options={"autoping": False}
        ) as conn,
    ):
        event = await asyncio.wait_for(conn.recv(), 10)
    assert event.type == "input_audio_buffer.cleared"


async def test_what_a_closed_socket_reports_to_receive_and_send() -> None:
    async def dropped(conn: MockServerConnection) -> None:
        await conn.send_raw('{"type": "input_audio_buffer.cleared"}')
        conn.drop()

    async def closed_1001(conn: MockServerConnection) -> None:
        await conn.close(1001)

    async with MockServer(dropped) as server:
        conn = await connect(endpoint=server.endpoint, credential=KEY)
        await conn.recv()
        with pytest.raises(ConnectionClosedError) as lost:
            await asyncio.wait_for(conn.recv(), 10)
        assert (lost.value.code, lost.value.reason) == (1006, "connection lost (no close frame)")
        assert conn.close_code == 1006
        with pytest.raises(ConnectionClosedError) as send_lost:
            await conn.response.cancel()
        assert str(send_lost.value) == (
            "cannot send: the connection was lost (connection lost (no close frame))"
        )
        await conn.close()

    async with MockServer(closed_1001) as server:
        conn = await connect(endpoint=server.endpoint, credential=KEY)
        with pytest.raises(ConnectionClosedError) as going_away:
            await asyncio.wait_for(conn.recv(), 10)
        assert (going_away.value.code, going_away.value.reason) == (1001, "")
        with pytest.raises(ConnectionClosedError) as send_closed:
            await conn.response.cancel()
        assert (
            str(send_closed.value) == "cannot send: the server closed the connection with code 1001"
        )
        await conn.close()


async def test_after_the_app_closes_reads_report_its_code_and_reason() -> None:
    async def quiet(conn: MockServerConnection) -> None:
        async for _ in conn:
            pass

    async with MockServer(quiet) as server:
        conn = await connect(endpoint=server.endpoint, credential=KEY)
        await conn.close(4000, "bye")
        with pytest.raises(ConnectionClosedError) as closed:
            await conn.recv()
        assert (closed.value.code, closed.value.reason) == (4000, "bye")
        with pytest.raises(ConnectionClosedError) as send_closed:
            await conn.response.cancel()
        assert str(send_closed.value) == (
            "cannot send: the app closed this connection (close() with code 4000); open a new "
            "connection to send more"
        )


async def test_receive_timeout_message_says_the_connection_is_open() -> None:
    async def quiet(conn: MockServerConnection) -> None:
        async for _ in conn:
            pass

    async with (
        MockServer(quiet) as server,
        connect(
            endpoint=server.endpoint, credential=KEY, connection_options={"receive_timeout": 0.05}
        ) as conn,
    ):
        with pytest.raises(ReceiveTimeoutError) as timed_out:
            await conn.recv()
        assert not conn.closed
    assert str(timed_out.value) == (
        "no frame received within receive_timeout; the connection is still open"
    )


async def test_a_refused_connection_names_the_host_and_aiohttps_reason() -> None:
    with pytest.raises(ConnectionError) as refused:
        await connect(endpoint="http://127.0.0.1:9", credential=KEY)
    message = str(refused.value)
    assert message.startswith("could not connect to 127.0.0.1: ClientConnectorError: ")
    assert "127.0.0.1:9" in message.removeprefix("could not connect to 127.0.0.1: ")


async def test_tls_to_a_plain_server_names_host_and_port_first() -> None:
    async with MockServer() as server:
        port = server.port
        with pytest.raises(ConnectionError) as refused:
            await connect(endpoint=f"https://127.0.0.1:{port}", credential=KEY)
    assert str(refused.value).startswith(
        f"could not connect to 127.0.0.1:{port} over TLS: the server does not speak TLS; use "
        "http:// or ws:// for a plain server such as the emulator ("
    )
