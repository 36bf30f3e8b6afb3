"""Connection observers (event, frame, send, close), ``repr`` and the debug log lines."""

from __future__ import annotations

import asyncio
import base64
import json
import logging

import pytest
from azure.core.credentials import AzureKeyCredential

from shared_support import text_frame
from voicelive.aio import VoiceLiveConnection, connect
from voicelive.exceptions import ConnectionClosed, ConnectionClosedError
from voicelive.models import (
    ClientEventInputAudioBufferClear,
    ServerEvent,
    ServerEventResponseTextDelta,
)
from voicelive.testing import MockServer, MockServerConnection

KEY = AzureKeyCredential("test-key")


class Seen:
    """Everything the observers of one connection were called with."""

    def __init__(self, conn: VoiceLiveConnection) -> None:
        self.events: list[ServerEvent] = []
        self.frames: list[tuple[str, int]] = []
        self.sent: list[tuple[str, int]] = []
        self.closes: list[tuple[int | None, str]] = []
        conn.add_event_observer(self.events.append)
        conn.add_frame_observer(lambda event, size: self.frames.append((event.type, size)))
        conn.add_send_observer(lambda event_type, size: self.sent.append((event_type, size)))
        conn.add_close_observer(lambda code, reason: self.closes.append((code, reason)))


def _broken(*args: object) -> None:
    raise RuntimeError("observer bug")


async def test_observers_see_each_frame_received_and_sent_with_its_size() -> None:
    frames = [text_frame(1), text_frame(22)]
    received: list[str | bytes] = []

    async def handler(conn: MockServerConnection) -> None:
        for frame in frames:
            await conn.send_raw(frame)
        while len(received) < 5:
            received.append(await conn.recv_frame())
        await conn.close(4001, "enough")

    async with MockServer(handler) as server:
        async with connect(endpoint=server.endpoint, credential=KEY) as client:
            seen = Seen(client)
            first, second = await client.recv(), await client.recv()
            assert seen.events == [first, second]
            assert seen.frames == [(first.type, len(frames[0])), (second.type, len(frames[1]))]
            await client.send({"type": "input_audio_buffer.clear"})  # a dict
            await client.send(ClientEventInputAudioBufferClear(event_id="m"))  # a model
            await client.input_audio_buffer.commit()  # a resource method
            await client.input_audio_buffer.append(audio=b"\x01\x02")  # the audio path
            await client.input_audio_buffer.append(audio=base64.b64encode(b"\x03\x04").decode())
            with pytest.raises(ConnectionClosedError):
                await asyncio.wait_for(client.recv(), 5)
    types = [json.loads(frame)["type"] for frame in received]
    assert types == [
        "input_audio_buffer.clear",
        "input_audio_buffer.clear",
        "input_audio_buffer.commit",
        "input_audio_buffer.append",
        "input_audio_buffer.append",
    ]
    assert seen.sent == [(t, len(frame)) for t, frame in zip(types, received, strict=True)]
    assert seen.closes == [(4001, "enough")]  # once: the later close() does not repeat it


async def test_close_observers_run_once_on_close_with_the_code_and_reason() -> None:
    server_saw: asyncio.Queue[tuple[int | None, str]] = asyncio.Queue()

    async def handler(conn: MockServerConnection) -> None:
        try:
            await conn.recv()
        except ConnectionClosed as exc:
            server_saw.put_nowait((exc.code, exc.reason))

    async with MockServer(handler) as server:
        client = await connect(endpoint=server.endpoint, credential=KEY)
        seen = Seen(client)
        await client.close(4002, "app done")
        await client.close(4002, "again")
        assert await asyncio.wait_for(server_saw.get(), 5) == (4002, "app done")
        assert seen.closes == [(4002, "app done")]
        assert client.close_code == 4002

        default = await connect(endpoint=server.endpoint, credential=KEY)
        seen = Seen(default)
        await default.close()
        assert await asyncio.wait_for(server_saw.get(), 5) == (1000, "")
        assert seen.closes == [(1000, "")]


async def test_a_raising_observer_is_logged_and_the_others_still_run(
    caplog: pytest.LogCaptureFixture,
) -> None:
    async def handler(conn: MockServerConnection) -> None:
        await conn.send_raw(text_frame(1))
        await conn.recv()
        await conn.close(4003, "bye")

    caplog.set_level(logging.ERROR, logger="voicelive")
    async with MockServer(handler) as server:
        async with connect(endpoint=server.endpoint, credential=KEY) as client:
            client.add_event_observer(_broken)
            client.add_frame_observer(_broken)
            client.add_send_observer(_broken)
            client.add_close_observer(_broken)
            seen = Seen(client)
            event = await client.recv()
            await client.send({"type": "input_audio_buffer.clear"})
            with pytest.raises(ConnectionClosedError):
                await asyncio.wait_for(client.recv(), 5)
    assert isinstance(event, ServerEventResponseTextDelta)
    assert [e.type for e in seen.events] == ["response.text.delta"]
    assert [t for t, _ in seen.frames] == ["response.text.delta"]
    assert [t for t, _ in seen.sent] == ["input_audio_buffer.clear"]
    assert seen.closes == [(4003, "bye")]
    errors = [r.getMessage() for r in caplog.records if r.levelno == logging.ERROR]
    assert sum("observer" in text and "raised; ignored" in text for text in errors) == 4


async def test_repr_names_host_model_and_state_without_secrets() -> None:
    async with MockServer() as server:
        client = await connect(endpoint=server.endpoint, credential=KEY, model="gpt-x")
        host = client.host
        assert repr(client) == f"<VoiceLiveConnection host={host!r} model='gpt-x' open>"
        await client.close()
        assert repr(client) == f"<VoiceLiveConnection host={host!r} model='gpt-x' closed>"
        assert "test-key" not in repr(client)


async def test_debug_log_names_each_event_sent_and_received_with_its_size(
    caplog: pytest.LogCaptureFixture,
) -> None:
    frame = text_frame(7)
    got: asyncio.Queue[str | bytes] = asyncio.Queue()

    async def handler(conn: MockServerConnection) -> None:
        await conn.send_raw(frame)
        got.put_nowait(await conn.recv_frame())
        async for _ in conn:
            pass

    caplog.set_level(logging.DEBUG, logger="voicelive.connection")
    async with MockServer(handler) as server:
        async with connect(endpoint=server.endpoint, credential=KEY) as client:
            await client.recv()
            await client.send({"type": "input_audio_buffer.clear"})
            clear = await asyncio.wait_for(got.get(), 5)
            await client.input_audio_buffer.append(audio=b"\x01\x00")
    lines = [r.getMessage() for r in caplog.records if r.name == "voicelive.connection"]
    assert f"recv response.text.delta ({len(frame)} bytes)" in lines
    assert f"send input_audio_buffer.clear ({len(clear)} bytes)" in lines
    appends = [line for line in lines if line.startswith("send input_audio_buffer.append (")]
    assert len(appends) == 1
