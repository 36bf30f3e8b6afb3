"""The test kit's server side of the seam (``ServerTransport`` / ``WebSocketServer``) and the
TLS-to-a-plain-server detection, each with real sockets or real exception chains."""

from __future__ import annotations

import asyncio
import logging
import os
import signal
import socket
import ssl
from collections.abc import AsyncIterator, Awaitable, Callable, Mapping
from contextlib import asynccontextmanager, suppress

import aiohttp
import pytest

from voicelive.aio._transport import ServerTransport, WebSocketServer, _plain_server_answered_tls
from voicelive.exceptions import ConnectionClosed, ConnectionClosedError, MessageTooLargeError

Handler = Callable[[ServerTransport], Awaitable[None]]


@asynccontextmanager
async def serving(handler: Handler, **options: int) -> AsyncIterator[str]:
    server = WebSocketServer(handler, **options)  # type: ignore[arg-type]
    await server.start()
    try:
        yield f"ws://127.0.0.1:{server.port}/"
    finally:
        await server.stop()


async def _upgraded_stream(url: str) -> asyncio.StreamWriter:
    """A plain TCP stream to the test server, upgraded by hand: raw frames can follow."""
    host, port = url.removeprefix("ws://").rstrip("/").split(":")
    reader, writer = await asyncio.open_connection(host, int(port))
    writer.write(
        b"GET / HTTP/1.1\r\nHost: x\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
        b"Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n"
    )
    await reader.readuntil(b"\r\n\r\n")  # the 101 answer
    return writer


def _masked_frame(first_byte: int, payload: bytes) -> bytes:
    mask = os.urandom(4)
    body = bytes(b ^ mask[i % 4] for i, b in enumerate(payload))
    return bytes([first_byte, 0x80 | len(payload)]) + mask + body


async def test_the_server_reports_each_way_a_client_ends() -> None:
    outcomes: asyncio.Queue[BaseException] = asyncio.Queue()

    async def handler(transport: ServerTransport) -> None:
        try:
            while True:
                await transport.receive()
        except (ConnectionClosed, MessageTooLargeError) as exc:
            outcomes.put_nowait(exc)

    async with serving(handler, max_msg_size=64) as url, aiohttp.ClientSession() as session:
        async with session.ws_connect(url) as ws:
            await ws.close(code=4001, message=b"bye")
        closed = await asyncio.wait_for(outcomes.get(), 5)
        assert isinstance(closed, ConnectionClosedError)
        assert (closed.code, closed.reason) == (4001, "bye")

        async with session.ws_connect(url) as ws:
            await ws.send_str("x" * 100)
            too_large = await asyncio.wait_for(outcomes.get(), 5)
        assert isinstance(too_large, MessageTooLargeError)
        assert str(too_large).startswith("client frame too large: ")

        writer = await _upgraded_stream(url)
        writer.write(_masked_frame(0x81, b"\xff\xfe"))  # a text frame that is not UTF-8
        broken = await asyncio.wait_for(outcomes.get(), 5)
        writer.close()
        assert isinstance(broken, ConnectionClosedError)
        assert broken.code == 1006

    assert broken.reason  # aiohttp's description, cut to 200 characters


async def test_sending_to_a_client_that_went_away_is_a_1006_close() -> None:
    errors: asyncio.Queue[BaseException] = asyncio.Queue()

    async def handler(transport: ServerTransport) -> None:
        with suppress(ConnectionClosed):
            await transport.receive()
        for send in (transport.send_text("late"), transport.send_bytes(b"late")):
            try:
                await send
            except ConnectionClosedError as exc:
                errors.put_nowait(exc)

    async with serving(handler) as url:
        writer = await _upgraded_stream(url)
        writer.transport.abort()  # no close frame
        for _ in range(2):
            error = await asyncio.wait_for(errors.get(), 5)
            assert isinstance(error, ConnectionClosedError)
            assert (error.code, error.reason) == (1006, "client went away")


async def test_server_close_and_ping_defaults() -> None:
    async def handler(transport: ServerTransport) -> None:
        await transport.ping()
        await transport.close()

    async with serving(handler) as url, aiohttp.ClientSession() as session:
        async with session.ws_connect(url, autoping=False) as ws:
            ping = await asyncio.wait_for(ws.receive(), 5)
            assert (ping.type, ping.data) == (aiohttp.WSMsgType.PING, b"")
            close = await asyncio.wait_for(ws.receive(), 5)
            assert (close.type, close.data, close.extra) == (aiohttp.WSMsgType.CLOSE, 1000, "")


def _ssl_error(reason: str, text: str = "ssl failure") -> ssl.SSLError:
    error = ssl.SSLError(1, text)
    error.reason = reason
    return error


@pytest.mark.parametrize(
    "reason",
    ["WRONG_VERSION_NUMBER", "PACKET_LENGTH_TOO_LONG", "RECORD_LAYER_FAILURE", "HTTP_REQUEST"],
)
def test_each_plain_peer_tls_reason_is_recognised(reason: str) -> None:
    assert _plain_server_answered_tls(_ssl_error(reason))
    assert not _plain_server_answered_tls(_ssl_error("CERTIFICATE_VERIFY_FAILED"))


def test_the_tls_reason_is_found_in_the_message_and_through_the_chain() -> None:
    in_text = _ssl_error("", "[SSL: WRONG_VERSION_NUMBER] wrong version number")
    assert _plain_server_answered_tls(in_text)

    wrapped = OSError("connect failed")
    wrapped.os_error = _ssl_error("WRONG_VERSION_NUMBER")  # type: ignore[attr-defined]
    assert _plain_server_answered_tls(wrapped)  # aiohttp's ClientConnectorError.os_error

    caused = RuntimeError("outer")
    caused.__cause__ = _ssl_error("HTTP_REQUEST")
    assert _plain_server_answered_tls(caused)

    context = RuntimeError("outer")
    context.__context__ = _ssl_error("HTTP_REQUEST")
    assert _plain_server_answered_tls(context)

    both = RuntimeError("outer")
    both.__cause__ = RuntimeError("not it")
    both.__context__ = _ssl_error("HTTP_REQUEST")
    assert not _plain_server_answered_tls(both)  # __cause__ wins, as Python shows it


def test_a_cyclic_exception_chain_ends() -> None:
    first, second = RuntimeError("a"), RuntimeError("b")
    first.__context__, second.__context__ = second, first
    assert not _plain_server_answered_tls(first)

    looped = OSError("connect failed")
    looped.os_error = looped  # type: ignore[attr-defined]
    looped.__cause__ = _ssl_error("HTTP_REQUEST")
    assert _plain_server_answered_tls(looped)


async def test_a_closed_socket_keeps_reporting_the_clients_close_code() -> None:
    outcomes: asyncio.Queue[BaseException] = asyncio.Queue()

    async def handler(transport: ServerTransport) -> None:
        for _ in range(2):  # the close frame, then the socket already closed
            try:
                await transport.receive()
            except ConnectionClosed as exc:
                outcomes.put_nowait(exc)

    async with serving(handler) as url, aiohttp.ClientSession() as session:
        async with session.ws_connect(url) as ws:
            await ws.close(code=4002, message=b"done")
        first = await asyncio.wait_for(outcomes.get(), 5)
        again = await asyncio.wait_for(outcomes.get(), 5)
    assert isinstance(first, ConnectionClosedError)
    assert (first.code, first.reason) == (4002, "done")
    assert isinstance(again, ConnectionClosedError)
    assert again.code == 4002


async def test_a_broken_frame_reports_aiohttps_reason() -> None:
    outcomes: asyncio.Queue[BaseException] = asyncio.Queue()

    async def handler(transport: ServerTransport) -> None:
        try:
            await transport.receive()
        except ConnectionClosed as exc:
            outcomes.put_nowait(exc)

    async with serving(handler) as url:
        writer = await _upgraded_stream(url)
        writer.write(_masked_frame(0x81, b"\xff\xfe"))  # a text frame that is not UTF-8
        broken = await asyncio.wait_for(outcomes.get(), 5)
        writer.close()
    assert isinstance(broken, ConnectionClosedError)
    assert broken.code == 1006
    assert "UTF-8" in broken.reason  # aiohttp's words, not a placeholder


async def test_the_server_answers_a_clients_ping_and_its_handler_never_sees_it() -> None:
    async def echo(transport: ServerTransport) -> None:
        await transport.send_text(f"echo {await transport.receive()}")

    async with serving(echo) as url, aiohttp.ClientSession() as session:
        async with session.ws_connect(url, autoping=False) as ws:
            await ws.ping(b"still there?")
            pong = await asyncio.wait_for(ws.receive(), 5)
            assert (pong.type, pong.data) == (aiohttp.WSMsgType.PONG, b"still there?")
            await ws.send_str("hi")
            echoed = await asyncio.wait_for(ws.receive(), 5)
            assert (echoed.type, echoed.data) == (aiohttp.WSMsgType.TEXT, "echo hi")


async def test_authorize_sees_headers_and_query_and_its_status_refuses_the_upgrade() -> None:
    seen: list[tuple[str | None, str | None]] = []

    def authorize(headers: Mapping[str, str], query: Mapping[str, str]) -> int | None:
        seen.append((headers.get("X-Test"), query.get("key")))
        return None if query.get("key") == "right" else 403

    async def handler(transport: ServerTransport) -> None:
        await transport.close()

    server = WebSocketServer(handler, authorize=authorize)
    await server.start()
    url = f"http://127.0.0.1:{server.port}/path"
    try:
        async with aiohttp.ClientSession(headers={"X-Test": "t"}) as session:
            async with session.get(url, params={"key": "wrong"}) as refused:
                assert (refused.status, await refused.text()) == (403, "refused by test server")
            async with session.ws_connect(url, params={"key": "right"}) as ws:
                close = await asyncio.wait_for(ws.receive(), 5)
                assert close.type is aiohttp.WSMsgType.CLOSE
    finally:
        await server.stop()
    assert seen == [("t", "wrong"), ("t", "right")]


async def test_a_failing_handler_closes_with_1011_and_is_logged(
    caplog: pytest.LogCaptureFixture,
) -> None:
    async def broken(transport: ServerTransport) -> None:
        raise ValueError("handler bug")

    caplog.set_level(logging.ERROR, logger="voicelive.transport")
    async with serving(broken) as url, aiohttp.ClientSession() as session:
        async with session.ws_connect(url) as ws:
            close = await asyncio.wait_for(ws.receive(), 5)
    assert (close.type, close.data, close.extra) == (aiohttp.WSMsgType.CLOSE, 1011, "handler error")
    [record] = [r for r in caplog.records if r.name == "voicelive.transport"]
    assert record.getMessage() == "mock server handler failed"
    assert record.exc_info is not None
    assert isinstance(record.exc_info[1], ValueError)


async def test_a_handler_that_returns_leaves_a_normal_close_and_no_open_socket() -> None:
    async def returns(transport: ServerTransport) -> None:
        return None

    server = WebSocketServer(returns)
    await server.start()
    try:
        async with aiohttp.ClientSession() as session:
            async with session.ws_connect(f"http://127.0.0.1:{server.port}/") as ws:
                close = await asyncio.wait_for(ws.receive(), 5)
        assert (close.type, close.data) == (aiohttp.WSMsgType.CLOSE, 1000)
        assert not server._sockets  # the socket set only holds handlers still running
    finally:
        await server.stop()


async def test_stop_closes_open_sockets_with_1001_and_the_port_then_reads_as_not_started(
    caplog: pytest.LogCaptureFixture,
) -> None:
    connected = asyncio.Event()

    async def waits(transport: ServerTransport) -> None:
        connected.set()
        await transport.receive()

    caplog.set_level(logging.INFO, logger="aiohttp.access")
    server = WebSocketServer(waits)
    with pytest.raises(RuntimeError, match="server not started"):
        server.port  # noqa: B018
    await server.stop()  # harmless before start()
    before = (signal.getsignal(signal.SIGINT), signal.getsignal(signal.SIGTERM))
    await server.start()
    assert (signal.getsignal(signal.SIGINT), signal.getsignal(signal.SIGTERM)) == before
    async with aiohttp.ClientSession() as session:
        async with session.ws_connect(f"http://127.0.0.1:{server.port}/") as ws:
            await asyncio.wait_for(connected.wait(), 5)
            stopping = asyncio.ensure_future(server.stop())
            close = await asyncio.wait_for(ws.receive(), 5)
            await asyncio.wait_for(stopping, 10)
    assert (close.type, close.data, close.extra) == (
        aiohttp.WSMsgType.CLOSE,
        1001,
        "server shutdown",
    )
    with pytest.raises(RuntimeError, match="server not started"):
        server.port  # noqa: B018
    assert not [r for r in caplog.records if r.name == "aiohttp.access"]  # no access log


async def test_the_port_asked_for_is_bound_and_default_servers_each_get_a_free_one() -> None:
    async def quiet(transport: ServerTransport) -> None:
        await transport.close()

    probe = socket.socket()
    probe.bind(("127.0.0.1", 0))
    port = probe.getsockname()[1]
    probe.close()
    asked = WebSocketServer(quiet, port=port)
    first, second = WebSocketServer(quiet), WebSocketServer(quiet)
    await asked.start()
    try:
        await first.start()
        await second.start()
        assert asked.port == port
        assert len({asked.port, first.port, second.port}) == 3
    finally:
        for server in (asked, first, second):
            await server.stop()
