"""A canary key and token never appear in any log record, repr or exception message."""

from __future__ import annotations

import asyncio
import logging

import pytest
from azure.core.credentials import AccessToken, AzureKeyCredential

from voicelive.aio import connect
from voicelive.exceptions import VoiceLiveError
from voicelive.testing import MockServer, MockServerConnection

CANARY_KEY = "canary-key-7f3a9c1e5b"
CANARY_TOKEN = "canary-token-2d8e4f6a0c"


class CanaryTokenCredential:
    async def get_token(self, *scopes: str) -> AccessToken:
        return AccessToken(CANARY_TOKEN, 0)


async def _chatty(conn: MockServerConnection) -> None:
    await conn.send({"type": "session.created", "event_id": "e0", "session": {"voice": "alloy"}})
    await conn.send_raw("{bad json")
    await conn.send_raw('{"type":"brand.new"}')
    await conn.send_raw('{"type":"response.text.delta","delta":7}')
    async for _event in conn:
        pass


@pytest.mark.parametrize("credential", [AzureKeyCredential(CANARY_KEY), CanaryTokenCredential()])
async def test_canary_never_leaks(caplog: pytest.LogCaptureFixture, credential: object) -> None:
    texts: list[str] = []
    with caplog.at_level(logging.DEBUG):
        async with MockServer(_chatty) as server:
            async with connect(endpoint=server.endpoint, credential=credential, model="m") as conn:
                texts.append(repr(conn))
                await conn.session.update(session={"instructions": "hi"})
                await conn.input_audio_buffer.append(audio=b"\x00\x00" * 100)
                for _ in range(4):
                    try:
                        event = await conn.recv()
                        texts.append(repr(event))
                    except VoiceLiveError as exc:
                        texts.extend([str(exc), repr(exc)])
                seen = await server.wait_for_connection()
                assert CANARY_KEY in seen.headers.get(
                    "api-key", ""
                ) or CANARY_TOKEN in seen.headers.get("Authorization", "")
            # Failed handshakes: wrong key against an api_key-protected server, unreachable host.
        async with MockServer(api_key="other") as locked:
            with pytest.raises(VoiceLiveError) as info:
                await connect(endpoint=locked.endpoint, credential=AzureKeyCredential(CANARY_KEY))
            texts.extend([str(info.value), repr(info.value), str(info.value.__cause__)])
        with pytest.raises(VoiceLiveError) as unreachable:
            await connect(endpoint="http://127.0.0.1:9", credential=credential)
        texts.extend([str(unreachable.value), repr(unreachable.value)])
        await asyncio.sleep(0)
    texts.extend(record.getMessage() for record in caplog.records)
    texts.extend(str(record.args) for record in caplog.records)
    assert any("send session.update" in record.getMessage() for record in caplog.records)
    for text in texts:
        assert CANARY_KEY not in text
        assert CANARY_TOKEN not in text


async def test_debug_log_shows_type_and_size_not_audio(caplog: pytest.LogCaptureFixture) -> None:
    audio = b"\x01\x02" * 500
    with caplog.at_level(logging.DEBUG, logger="voicelive"):
        async with MockServer() as server:
            async with connect(
                endpoint=server.endpoint, credential=AzureKeyCredential("k")
            ) as conn:
                await conn.input_audio_buffer.append(audio=audio)
                await conn.recv()
    messages = [
        record.getMessage() for record in caplog.records if record.name.startswith("voicelive")
    ]
    assert any(m.startswith("send input_audio_buffer.append (") for m in messages)
    assert any(m.startswith("recv session.created (") for m in messages)
    import base64

    encoded = base64.b64encode(audio).decode()
    assert not any(encoded[:40] in m for m in messages)
