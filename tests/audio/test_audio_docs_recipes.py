"""The connection recipes of docs/audio.md, run against voicelive.testing.MockServer."""

from __future__ import annotations

import base64
import re
from pathlib import Path
from typing import Any

import numpy as np
from azure.core.credentials import AzureKeyCredential

from voicelive.aio import connect
from voicelive.audio import (
    PCM16_16K,
    PCM16_24K,
    AudioFormat,
    array_to_pcm16,
    frames,
    load_wav_for_session,
    read_wav,
    wav_bytes,
)
from voicelive.testing import MockServer, MockServerConnection

DOCS = Path(__file__).resolve().parents[2] / "docs" / "audio.md"


def recipe(name: str) -> Any:
    """The function ``name`` defined by a python block of docs/audio.md."""
    for block in re.findall(r"```python\n(.*?)```", DOCS.read_text(encoding="utf-8"), re.DOTALL):
        if f"def {name}(" in block:
            namespace: dict[str, Any] = {}
            exec(compile(block, str(DOCS), "exec"), namespace)
            return namespace[name]
    raise LookupError(name)


t = np.arange(2400) / 24000
REPLY = (8000 * np.sin(2 * np.pi * 300 * t)).astype(np.int16)  # 100 ms the "model" says


async def fake_service(conn: MockServerConnection) -> None:
    session: dict[str, Any] = {"id": "sess_1", "input_audio_format": "pcm16"}
    await conn.send({"type": "session.created", "event_id": "e0", "session": session})
    async for event in conn:
        if event.type == "session.update":
            # The service confirms a different rate than the default: the recipe must use it.
            confirmed = {**session, "input_audio_sampling_rate": 16000}
            await conn.send({"type": "session.updated", "event_id": "e1", "session": confirmed})
        elif event.type == "response.create":
            for i, chunk in enumerate(frames(array_to_pcm16(REPLY), PCM16_24K, 40)):
                await conn.send(
                    {
                        "type": "response.audio.delta",
                        "event_id": f"d{i}",
                        "response_id": "resp_1",
                        "item_id": "item_1",
                        "output_index": 0,
                        "content_index": 0,
                        "delta": base64.b64encode(chunk).decode(),
                    }
                )
            await conn.send(
                {
                    "type": "response.done",
                    "event_id": "done",
                    "response": {"id": "resp_1", "status": "completed", "output": []},
                }
            )


async def test_file_to_session_and_save_reply(tmp_path: Path) -> None:
    send_file = recipe("send_file")
    save_reply = recipe("save_reply")
    t48 = np.arange(4800) / 48000
    stereo = np.stack([0.3 * np.sin(2 * np.pi * 440 * t48)] * 2, axis=1).astype(np.float32)
    source = tmp_path / "speech.wav"
    source.write_bytes(wav_bytes(stereo, AudioFormat("pcm16", 48000, 2)))
    out = tmp_path / "reply.wav"

    async with MockServer(fake_service) as server:
        async with connect(
            endpoint=server.endpoint, credential=AzureKeyCredential("k"), model="gpt-realtime"
        ) as conn:
            await send_file(conn, str(source))
            await conn.response.create()
            await save_reply(conn, {"output_audio_format": "pcm16"}, str(out))

    appends = [e.audio for e in server.received if e.type == "input_audio_buffer.append"]
    sent = b"".join(base64.b64decode(a) for a in appends)  # the server sees base64 text
    assert len(appends) == 5  # 100 ms in 20 ms frames
    assert sent == load_wav_for_session(source, PCM16_16K)  # the confirmed 16 kHz, mono
    samples, rate, channels = read_wav(out)
    assert (rate, channels) == (24000, 1)
    assert np.array_equal(samples, REPLY)


async def test_connection_converts_any_rate_and_decodes_replies() -> None:
    talk_at_48k = recipe("talk_at_48k")
    async with MockServer() as server:  # the emulator: G.711 input, default PCM16 output
        async with connect(endpoint=server.endpoint, credential=AzureKeyCredential("k")) as conn:
            reply = await talk_at_48k(conn)
            assert conn.input_audio_format.encoding == "g711_ulaw"
        sent = [
            base64.b64decode(e.audio)
            for e in server.received
            if e.type == "input_audio_buffer.append"  # type: ignore[union-attr]
        ]
    assert abs(sum(len(chunk) for chunk in sent) - 8000) <= 1  # 1 s at 8 kHz, 1 byte/sample
    assert reply.dtype == np.int16
    assert len(reply) > 0
