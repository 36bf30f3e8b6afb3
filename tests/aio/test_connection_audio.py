"""``input_audio_buffer.append`` through the connection: accepted types, the 15 MiB limit, the
partial-sample warning and the messages that name where the session's format came from."""

from __future__ import annotations

import array
import asyncio
import base64
import json
import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

import numpy as np
import pytest
from azure.core.credentials import AzureKeyCredential

from voicelive.aio import VoiceLiveConnection, connect
from voicelive.aio._transport import ServerTransport, WebSocketServer
from voicelive.audio import AudioFormatError
from voicelive.exceptions import LocalProtocolError
from voicelive.models import ServerEventResponseAudioDelta
from voicelive.testing import MockServer, MockServerConnection

KEY = AzureKeyCredential("k")
MIB15 = 15 * 1024 * 1024


class Wire:
    """A server that optionally starts with a ``session.created`` and records appended audio."""

    def __init__(self, session: dict[str, Any] | None = None) -> None:
        self.session = session
        self.audio: asyncio.Queue[bytes] = asyncio.Queue()

    async def handler(self, conn: MockServerConnection) -> None:
        if self.session is not None:
            created = {"type": "session.created", "event_id": "e0", "session": self.session}
            await conn.send_raw(json.dumps(created))
        async for event in conn:
            if event.type == "input_audio_buffer.append":
                self.audio.put_nowait(base64.b64decode(event.audio))

    async def next_audio(self) -> bytes:
        return await asyncio.wait_for(self.audio.get(), 10)


@asynccontextmanager
async def wired(
    session: dict[str, Any] | None = None,
) -> AsyncIterator[tuple[Wire, VoiceLiveConnection]]:
    wire = Wire(session)
    async with (
        MockServer(wire.handler) as server,
        connect(
            endpoint=server.endpoint, credential=KEY, connection_options={"max_msg_size": 32 << 20}
        ) as conn,
    ):
        if session is not None:
            await conn.wait_for("session.created", timeout=5)
        yield wire, conn


def _warnings(caplog: pytest.LogCaptureFixture) -> list[str]:
    return [r.getMessage() for r in caplog.records if r.levelno == logging.WARNING]


async def test_bytearray_and_memoryview_are_sent_as_their_bytes(
    caplog: pytest.LogCaptureFixture,
) -> None:
    caplog.set_level(logging.WARNING, logger="voicelive.connection")
    samples = array.array("h", [1, -2, 3])  # 3 whole samples, 6 bytes
    async with wired() as (wire, conn):
        await conn.input_audio_buffer.append(audio=bytearray(b"\x01\x00\x02\x00"))
        assert await wire.next_audio() == b"\x01\x00\x02\x00"
        await conn.input_audio_buffer.append(audio=memoryview(samples))
        assert await wire.next_audio() == samples.tobytes()
    assert _warnings(caplog) == []  # a memoryview's size is counted in bytes, not items


async def test_exactly_15_mib_is_accepted_and_one_byte_more_is_refused() -> None:
    frames: asyncio.Queue[str | bytes] = asyncio.Queue()

    async def handler(transport: ServerTransport) -> None:
        while True:
            frames.put_nowait(await transport.receive())

    # the base64 of 15 MiB is 20 MiB: over the mock server's limit, so a bigger one here
    server = WebSocketServer(handler, max_msg_size=32 << 20)
    await server.start()
    try:
        async with connect(endpoint=f"http://127.0.0.1:{server.port}", credential=KEY) as conn:
            await conn.input_audio_buffer.append(audio=bytes(MIB15))
            frame = json.loads(await asyncio.wait_for(frames.get(), 10))
            assert len(base64.b64decode(frame["audio"])) == MIB15
            with pytest.raises(LocalProtocolError) as refused:
                await conn.input_audio_buffer.append(audio=bytes(MIB15 + 2))
    finally:
        await server.stop()
    assert str(refused.value) == (
        f"one input_audio_buffer.append may carry at most 15 MiB of audio, got {MIB15 + 2} "
        "bytes; split it into smaller chunks (e.g. voicelive.audio.frames)"
    )


async def test_the_partial_sample_warning_says_what_happens(
    caplog: pytest.LogCaptureFixture,
) -> None:
    caplog.set_level(logging.WARNING, logger="voicelive.connection")
    async with wired() as (wire, conn):
        await conn.input_audio_buffer.append(audio=b"\x01\x02\x03")
        assert await wire.next_audio() == b"\x01\x02\x03"
    assert _warnings(caplog) == [
        "input_audio_buffer.append(audio=<3 bytes>): not a whole number of samples (2 bytes "
        "per sample frame) of the session's input format pcm16 24000 Hz mono (the protocol "
        "default: no session event yet); sent as given, as the official SDK does. Fine for a "
        "byte stream cut anywhere; if a byte was lost every following sample is shifted "
        "(logged once per connection)"
    ]


async def test_the_origin_names_every_field_from_the_app_and_from_the_server(
    caplog: pytest.LogCaptureFixture,
) -> None:
    caplog.set_level(logging.WARNING, logger="voicelive.connection")
    server_session = {"input_audio_format": "pcm16", "input_audio_sampling_rate": 16000}
    async with wired(server_session) as (wire, conn):
        await conn.input_audio_buffer.append(audio=b"\x01")
        await wire.next_audio()
    (both_from_server,) = _warnings(caplog)
    assert both_from_server.endswith(
        "pcm16 16000 Hz mono (input_audio_format='pcm16', input_audio_sampling_rate=16000 "
        "from the server's session.created/updated); sent as given, as the official SDK does. "
        "Fine for a byte stream cut anywhere; if a byte was lost every following sample is "
        "shifted (logged once per connection)"
    )
    caplog.clear()
    async with wired(server_session) as (wire, conn):
        await conn.session.update(session={"input_audio_sampling_rate": 8000})
        await conn.input_audio_buffer.append(audio=b"\x01")
        await wire.next_audio()
    (mixed,) = _warnings(caplog)
    assert (
        "pcm16 8000 Hz mono (input_audio_sampling_rate=8000 from your session.update; "
        "input_audio_format='pcm16' from the server's session.created/updated)" in mixed
    )


async def test_an_unknown_session_format_sends_arrays_as_pcm16_and_checks_nothing(
    caplog: pytest.LogCaptureFixture,
) -> None:
    caplog.set_level(logging.WARNING, logger="voicelive.connection")
    async with wired({"input_audio_format": "opus"}) as (wire, conn):
        with pytest.raises(AudioFormatError):
            conn.input_audio_format  # noqa: B018 - the property raises
        await conn.input_audio_buffer.append(audio=np.array([1, -1], dtype=np.int16))
        assert await wire.next_audio() == b"\x01\x00\xff\xff"
        await conn.input_audio_buffer.append(audio=b"\x01")  # no format to check against
        assert await wire.next_audio() == b"\x01"
        with pytest.raises(AudioFormatError) as bad_shape:
            await conn.input_audio_buffer.append(audio=np.zeros((2, 2, 2), dtype=np.int16))
    assert _warnings(caplog) == []
    message = str(bad_shape.value)
    assert message.startswith("input_audio_buffer.append(audio=<array of shape (2, 2, 2)>): ")
    assert "session" not in message  # no known format to name


async def test_audio_of_another_type_is_refused_with_the_accepted_types() -> None:
    async with wired() as (_, conn):
        with pytest.raises(TypeError) as refused:
            await conn.input_audio_buffer.append(audio=[1, 2])  # type: ignore[arg-type]
    assert str(refused.value) == (
        "audio must be bytes, bytearray, memoryview, a numpy int16/float32 array or a base64 "
        "str, got list"
    )


async def test_base64_text_that_is_not_base64_is_refused_with_what_to_pass() -> None:
    async with wired() as (_, conn):
        with pytest.raises(LocalProtocolError) as refused:
            await conn.input_audio_buffer.append(audio="not base64!")
    assert str(refused.value) == (
        "audio given as str must be base64 text (the official SDK's form); pass raw PCM as "
        "bytes or a numpy array instead"
    )


async def test_decode_output_audio_takes_the_delta_event_or_its_bytes() -> None:
    pcm = np.array([5, -5, 300], dtype=np.int16)
    event = ServerEventResponseAudioDelta.model_validate(
        {
            "type": "response.audio.delta",
            "response_id": "r",
            "item_id": "i",
            "output_index": 0,
            "content_index": 0,
            "delta": base64.b64encode(pcm.tobytes()).decode(),
        }
    )
    async with wired() as (_, conn):
        assert conn.decode_output_audio(event).tolist() == [5, -5, 300]
        assert conn.decode_output_audio(pcm.tobytes()).tolist() == [5, -5, 300]


async def test_the_whole_sample_check_follows_each_format_change(
    caplog: pytest.LogCaptureFixture,
) -> None:
    caplog.set_level(logging.WARNING, logger="voicelive.connection")
    async with wired() as (wire, conn):
        await conn.session.update(session={"input_audio_format": "g711_ulaw"})
        await conn.input_audio_buffer.append(audio=b"\x01\x02\x03")  # whole G.711 samples
        await conn.input_audio_buffer.append(audio=base64.b64encode(b"\x04").decode())
        await conn.session.update(session={"input_audio_format": "pcm16"})
        await conn.input_audio_buffer.append(audio=b"\x05\x06")  # one PCM16 sample
        await conn.input_audio_buffer.append(audio=base64.b64encode(b"\x07\x08\x09").decode())
        for expected in (b"\x01\x02\x03", b"\x04", b"\x05\x06", b"\x07\x08\x09"):
            assert await wire.next_audio() == expected
    warnings = [w for w in _warnings(caplog) if "whole number of samples" in w]
    assert len(warnings) == 1
    assert warnings[0].startswith("input_audio_buffer.append(audio=<3 bytes>)")
    assert "(2 bytes per sample frame) of the session's input format pcm16 24000 Hz" in warnings[0]


async def test_the_whole_sample_check_follows_a_format_the_server_changes(
    caplog: pytest.LogCaptureFixture,
) -> None:
    """The server switches the input format (no session.update from the app): the next
    append is checked against the new format, not the one the connection last computed."""
    caplog.set_level(logging.WARNING, logger="voicelive.connection")
    audio: asyncio.Queue[bytes] = asyncio.Queue()

    def session_frame(kind: str, fmt: str) -> str:
        return json.dumps({"type": kind, "session": {"input_audio_format": fmt}})

    async def handler(server_side: MockServerConnection) -> None:
        await server_side.send_raw(session_frame("session.created", "g711_ulaw"))
        async for event in server_side:
            if event.type == "input_audio_buffer.append":
                audio.put_nowait(base64.b64decode(event.audio))
                if audio.qsize() == 1:
                    await server_side.send_raw(session_frame("session.updated", "pcm16"))

    async with (
        MockServer(handler) as server,
        connect(endpoint=server.endpoint, credential=KEY) as conn,
    ):
        await conn.wait_for("session.created", timeout=5)
        await conn.input_audio_buffer.append(audio=b"\x01\x02\x03")  # whole G.711 samples
        await conn.wait_for("session.updated", timeout=5)
        await conn.input_audio_buffer.append(audio=b"\x04\x05\x06")  # 1.5 PCM16 samples
        for expected in (b"\x01\x02\x03", b"\x04\x05\x06"):
            assert await asyncio.wait_for(audio.get(), 10) == expected
    (warning,) = [w for w in _warnings(caplog) if "whole number of samples" in w]
    assert "(2 bytes per sample frame) of the session's input format pcm16" in warning


async def test_base64_text_that_is_not_ascii_is_refused_like_any_other() -> None:
    async with wired() as (_, conn):
        with pytest.raises(LocalProtocolError, match="audio given as str must be base64 text"):
            await conn.input_audio_buffer.append(audio="AAé=")


async def test_base64_text_of_a_str_subclass_is_checked_and_sent_as_given(
    caplog: pytest.LogCaptureFixture,
) -> None:
    class Base64Text(str):
        pass

    caplog.set_level(logging.WARNING, logger="voicelive.connection")
    async with wired() as (wire, conn):
        await conn.input_audio_buffer.append(audio=Base64Text("AQIDBA=="), event_id="a1")
        assert await wire.next_audio() == b"\x01\x02\x03\x04"
        with pytest.raises(LocalProtocolError, match="base64"):
            await conn.input_audio_buffer.append(audio=Base64Text("not base64!"))
        await conn.input_audio_buffer.append(audio=Base64Text("AQID"))  # 3 bytes: warned
        assert await wire.next_audio() == b"\x01\x02\x03"
    assert len(_warnings(caplog)) == 1


async def test_the_internal_base64_path_keeps_the_append_checks(
    caplog: pytest.LogCaptureFixture,
) -> None:
    """``_send_audio_base64`` (the phone bridge's path, for text it already checked) sends
    what the public append sends and keeps its 15 MiB limit and partial-sample warning."""
    frames: asyncio.Queue[str | bytes] = asyncio.Queue()

    async def handler(transport: ServerTransport) -> None:
        while True:
            frames.put_nowait(await transport.receive())

    caplog.set_level(logging.WARNING, logger="voicelive.connection")
    server = WebSocketServer(handler)
    await server.start()
    try:
        async with connect(endpoint=f"http://127.0.0.1:{server.port}", credential=KEY) as conn:
            sent: list[tuple[str, int]] = []
            conn.add_send_observer(lambda kind, size: sent.append((kind, size)))
            await conn._send_audio_base64("AQIDBA==", 4)
            internal = await asyncio.wait_for(frames.get(), 10)
            await conn.input_audio_buffer.append(audio="AQIDBA==")
            assert internal == await asyncio.wait_for(frames.get(), 10)
            assert sent[0] == sent[1] == ("input_audio_buffer.append", len(internal))
            assert json.loads(internal) == {
                "type": "input_audio_buffer.append",
                "audio": "AQIDBA==",
            }
            assert _warnings(caplog) == []
            await conn._send_audio_base64("AQID", 3)
            assert json.loads(await asyncio.wait_for(frames.get(), 10))["audio"] == "AQID"
            assert len(_warnings(caplog)) == 1  # not a whole number of pcm16 samples
            with pytest.raises(LocalProtocolError, match="15 MiB"):
                await conn._send_audio_base64("AAAA", MIB15 + 1)
    finally:
        await server.stop()
