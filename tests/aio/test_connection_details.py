"""Smaller connection behaviours: the observer error log line, a first ``wait_for`` served from
the queue, and the messages of arrays that cannot be sent."""

from __future__ import annotations

import asyncio
import json
import logging

import numpy as np
import pytest
from azure.core.credentials import AzureKeyCredential

from voicelive._protocol import Side, VoiceLiveProtocol
from voicelive.aio import VoiceLiveConnection, connect
from voicelive.audio import AudioFormatError
from voicelive.audio._wire import to_wire_audio
from voicelive.exceptions import ReceiveTimeoutError
from voicelive.models import ServerEvent
from voicelive.testing import MockServer, MockServerConnection

KEY = AzureKeyCredential("k")
CLEARED = json.dumps({"type": "input_audio_buffer.cleared", "event_id": "c1"})


class Broken:
    def __call__(self, *args: object) -> None:
        raise RuntimeError("observer bug")

    def __repr__(self) -> str:
        return "<broken observer>"


async def _send_then_drain(conn: MockServerConnection) -> None:
    await conn.send_raw(CLEARED)
    async for _ in conn:
        pass


async def test_a_raising_observer_is_logged_by_its_repr(caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.ERROR, logger="voicelive.connection")
    async with (
        MockServer(_send_then_drain) as server,
        connect(endpoint=server.endpoint, credential=KEY) as conn,
    ):
        conn.add_event_observer(Broken())
        await asyncio.wait_for(conn.recv(), 5)
    (record,) = [r for r in caplog.records if r.name == "voicelive.connection"]
    assert record.getMessage() == "event observer <broken observer> raised; ignored"
    assert record.exc_info is not None


async def test_the_first_wait_for_finds_an_event_a_failed_wait_left_in_the_queue() -> None:
    def broken(event: ServerEvent) -> bool:
        raise ValueError("predicate bug")

    async with (
        MockServer(_send_then_drain) as server,
        connect(endpoint=server.endpoint, credential=KEY) as conn,
    ):
        with pytest.raises(ValueError, match="predicate bug"):
            await conn.wait_for("input_audio_buffer.cleared", predicate=broken, timeout=5)
        # the event was read and queued but no wait_for returned it: this one gets it
        event = await conn.wait_for("input_audio_buffer.cleared", timeout=5)
        assert event.event_id == "c1"
        assert (await asyncio.wait_for(conn.recv(), 5)) is event


class DtypeOnly:
    """Has a ``dtype`` (so it is taken for an array) but no ``shape``."""

    dtype = np.dtype(np.int16)


async def test_arrays_that_cannot_be_sent_are_named_in_the_error() -> None:
    async with (
        MockServer(_send_then_drain) as server,
        connect(endpoint=server.endpoint, credential=KEY) as conn,
    ):
        with pytest.raises(AudioFormatError) as no_shape:
            await conn.input_audio_buffer.append(audio=DtypeOnly())  # type: ignore[arg-type]
    assert str(no_shape.value).startswith("input_audio_buffer.append(audio=<array of shape ?>): ")


async def test_without_a_known_session_format_the_error_is_the_converters_alone() -> None:
    async def unknown_format(conn: MockServerConnection) -> None:
        created = {"type": "session.created", "session": {"input_audio_format": "opus"}}
        await conn.send_raw(json.dumps(created))
        async for _ in conn:
            pass

    cube = np.zeros((2, 2, 2), dtype=np.int16)
    with pytest.raises(AudioFormatError) as converter:
        to_wire_audio(cube, None)
    async with (
        MockServer(unknown_format) as server,
        connect(endpoint=server.endpoint, credential=KEY) as conn,
    ):
        await conn.wait_for("session.created", timeout=5)
        with pytest.raises(AudioFormatError) as refused:
            await conn.input_audio_buffer.append(audio=cube)
    assert str(refused.value) == (
        f"input_audio_buffer.append(audio=<array of shape (2, 2, 2)>): {converter.value}"
    )


async def test_async_for_honours_receive_timeout() -> None:
    async def silent(conn: MockServerConnection) -> None:
        async for _ in conn:
            pass

    async with (
        MockServer(silent) as server,
        connect(
            endpoint=server.endpoint, credential=KEY, connection_options={"receive_timeout": 0.05}
        ) as conn,
    ):

        async def iterate() -> None:
            async for _ in conn:
                pass

        with pytest.raises(ReceiveTimeoutError):
            await asyncio.wait_for(iterate(), 10)
        assert not conn.closed


def test_a_connection_refuses_a_server_side_protocol() -> None:
    with pytest.raises(ValueError) as refused:
        VoiceLiveConnection(None, VoiceLiveProtocol(Side.SERVER))  # type: ignore[arg-type]
    assert str(refused.value) == "VoiceLiveConnection needs a client-side protocol"
