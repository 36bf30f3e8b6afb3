"""``input_audio_buffer.append_audio``: what it holds back without ``flush`` and the errors that
name the call and the session."""

from __future__ import annotations

import asyncio
import base64
import json

import numpy as np
import pytest
from azure.core.credentials import AzureKeyCredential

from voicelive.aio import connect
from voicelive.audio import AudioFormatError
from voicelive.testing import MockServer, MockServerConnection

KEY = AzureKeyCredential("k")


async def test_without_flush_the_resampler_holds_back_the_last_samples() -> None:
    appended: asyncio.Queue[int] = asyncio.Queue()

    async def handler(conn: MockServerConnection) -> None:
        async for event in conn:
            if event.type == "input_audio_buffer.append":
                appended.put_nowait(len(base64.b64decode(event.audio)))

    tone = (np.sin(np.arange(1600) / 8) * 8000).astype(np.int16)  # 100 ms at 16 kHz
    async with (
        MockServer(handler) as server,
        connect(endpoint=server.endpoint, credential=KEY) as conn,
    ):
        await conn.input_audio_buffer.append_audio(tone, sample_rate=16000)
        held = await asyncio.wait_for(appended.get(), 5)
        await conn.input_audio_buffer.append_audio(tone[:0], sample_rate=16000, flush=True)
        rest = await asyncio.wait_for(appended.get(), 5)
    assert held < 2 * 2400  # less than 100 ms at 24 kHz: some is held back
    assert held + rest == 2 * 2400  # the flush sends the rest


async def test_an_append_audio_error_names_the_channels_it_was_given() -> None:
    async with MockServer() as server, connect(endpoint=server.endpoint, credential=KEY) as conn:
        with pytest.raises(AudioFormatError) as refused:
            await conn.input_audio_buffer.append_audio(
                np.zeros((4, 3), dtype=np.int16), sample_rate=16000, channels=2
            )
    assert str(refused.value).startswith("append_audio(sample_rate=16000, channels=2): ")


async def test_an_append_audio_error_with_an_unknown_session_format_names_its_origin() -> None:
    async def handler(conn: MockServerConnection) -> None:
        created = {"type": "session.created", "session": {"input_audio_format": "opus"}}
        await conn.send_raw(json.dumps(created))
        async for _ in conn:
            pass

    async with (
        MockServer(handler) as server,
        connect(endpoint=server.endpoint, credential=KEY) as conn,
    ):
        await conn.wait_for("session.created", timeout=5)
        with pytest.raises(AudioFormatError) as refused:
            await conn.input_audio_buffer.append_audio(
                np.zeros(4, dtype=np.int16), sample_rate=16000
            )
    message = str(refused.value)
    assert message.startswith("append_audio(sample_rate=16000): unknown input_audio_format 'opus'")
    assert message.endswith(
        "; (input_audio_format='opus' from the server's session.created/updated)"
    )
