"""What ``ClientTransport`` changes in aiohttp's heartbeat machinery, read on a real socket.

Two adjustments reach into aiohttp (3.11+) and would silently stop working if the names they
look up drifted: received data moves the heartbeat deadline inline instead of through a
``call_soon`` per chunk (``_reset_heartbeat_inline``), and a closed socket's heartbeat is
disarmed for good, so no timer keeps a dead connection alive (``_disarm_heartbeat``). The
heartbeat's behaviour itself (PING after silence, a missing PONG is a lost connection) is
pinned in ``test_transport.py`` and ``test_default_timeouts.py``.
"""

from __future__ import annotations

import asyncio
from typing import Any

import pytest
from azure.core.credentials import AzureKeyCredential

from voicelive.aio import VoiceLiveConnection, connect
from voicelive.exceptions import ConnectionClosedError
from voicelive.testing import MockServer, MockServerConnection

KEY = AzureKeyCredential("heartbeat-test-key")


def _ws(conn: VoiceLiveConnection) -> Any:
    return conn._transport._ws  # type: ignore[attr-defined]


async def test_received_data_resets_the_heartbeat_inline_with_no_callback_per_chunk() -> None:
    async def sends_one(conn: MockServerConnection) -> None:
        await conn.send_raw('{"type": "input_audio_buffer.cleared", "event_id": "e1"}')
        async for _ in conn:
            pass

    async with (
        MockServer(sends_one) as server,
        connect(endpoint=server.endpoint, credential=KEY) as conn,
    ):
        ws = _ws(conn)
        assert ws._conn.protocol._data_received_cb == ws._reset_heartbeat
        deadline = ws._heartbeat_when
        await asyncio.wait_for(conn.recv(), 10)
        assert ws._heartbeat_when >= deadline  # the frame moved the deadline (or kept it)
        assert ws._heartbeat_reset_handle is None  # ...without a call_soon per chunk
        assert ws._heartbeat_cb is not None  # and the heartbeat is still armed


async def test_an_app_close_disarms_the_heartbeat_for_good() -> None:
    async with MockServer() as server:
        conn = await asyncio.wait_for(connect(endpoint=server.endpoint, credential=KEY), 10)
        ws = _ws(conn)
        assert ws._heartbeat == 30.0
        await asyncio.wait_for(conn.close(), 10)
    # the server's close frame arrived after ours and re-armed aiohttp's timer; it is gone
    assert ws._heartbeat is None
    assert ws._heartbeat_cb is None


async def test_a_server_close_disarms_the_heartbeat_without_an_app_close() -> None:
    async def closes(conn: MockServerConnection) -> None:
        await conn.close(1001, "going away")

    async with MockServer(closes) as server:
        conn = await asyncio.wait_for(connect(endpoint=server.endpoint, credential=KEY), 10)
        ws = _ws(conn)
        with pytest.raises(ConnectionClosedError):
            await asyncio.wait_for(conn.recv(), 10)
        assert ws._heartbeat is None
        assert ws._heartbeat_cb is None
        await conn.close()
