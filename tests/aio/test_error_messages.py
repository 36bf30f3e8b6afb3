"""Errors say what to do: TLS to a plain server, sends after close, audio format mismatches."""

from __future__ import annotations

import asyncio
import functools
import logging
from collections.abc import Awaitable, Callable
from typing import Any

import numpy as np
import pytest
from azure.core.credentials import AzureKeyCredential

from voicelive.aio import VoiceLiveConnection, connect
from voicelive.audio import AudioFormatError
from voicelive.exceptions import (
    ConnectionClosedError,
    ConnectionClosedOK,
    ConnectionError,
)
from voicelive.testing import Fault, MockServer

KEY = AzureKeyCredential("k")


def bounded(test: Callable[..., Awaitable[None]]) -> Callable[..., Awaitable[None]]:
    """Fail the test instead of hanging when an await never finishes."""

    @functools.wraps(test)
    async def run(*args: Any, **kwargs: Any) -> None:
        await asyncio.wait_for(test(*args, **kwargs), 10)

    return run


async def _read_until_closed(conn: VoiceLiveConnection) -> None:
    async for _ in conn:
        pass


async def _open_and_close(url: str) -> None:
    async with connect(endpoint=url, credential=KEY):
        pass


@pytest.mark.parametrize("scheme", ["https", "wss"])
async def test_tls_to_a_plain_server_says_it_does_not_speak_tls(scheme: str) -> None:
    async with MockServer() as server:
        url = server.endpoint.replace("http", scheme, 1)
        with pytest.raises(ConnectionError) as info:
            await asyncio.wait_for(_open_and_close(url), 10)
        port = server.port
    message = str(info.value)
    assert "the server does not speak TLS; use http:// or ws://" in message
    assert f"127.0.0.1:{port}" in message


async def test_a_refused_connection_is_not_called_a_tls_problem() -> None:
    async with MockServer() as server:
        port = server.port
    with pytest.raises(ConnectionError) as info:
        await asyncio.wait_for(_open_and_close(f"https://127.0.0.1:{port}"), 10)
    assert "TLS" not in str(info.value)


@bounded
async def test_send_after_the_app_closed_says_the_app_closed_it() -> None:
    async with MockServer() as server:
        conn = await connect(endpoint=server.endpoint, credential=KEY)
        await conn.close()
        with pytest.raises(ConnectionClosedOK) as info:
            await conn.response.create()
    assert "the app closed this connection (close() with code 1000)" in str(info.value)
    assert info.value.code == 1000


@bounded
async def test_send_after_the_server_closed_gives_its_code_and_reason() -> None:
    faults = [Fault.close(1001, "session expired").after("session.created")]
    async with MockServer(faults=faults) as server:
        async with connect(endpoint=server.endpoint, credential=KEY) as conn:
            with pytest.raises(ConnectionClosedError):
                await _read_until_closed(conn)
            with pytest.raises(ConnectionClosedError) as info:
                await conn.response.create()
    message = str(info.value)
    assert "the server closed the connection with code 1001: session expired" in message
    assert "app" not in message


def _partial_sample_warning(caplog: pytest.LogCaptureFixture) -> str:
    messages = [
        r.getMessage() for r in caplog.records if "whole number of samples" in r.getMessage()
    ]
    assert len(messages) == 1, messages
    return messages[0]


@bounded
async def test_append_names_the_session_update_the_rate_came_from(
    caplog: pytest.LogCaptureFixture,
) -> None:
    caplog.set_level(logging.WARNING, logger="voicelive.connection")
    async with MockServer() as server:
        async with connect(endpoint=server.endpoint, credential=KEY) as conn:
            await conn.session.update(session={"input_audio_sampling_rate": 16000})
            await conn.input_audio_buffer.append(audio=b"\x00" * 321)  # sent, with a warning
    message = _partial_sample_warning(caplog)
    assert message.startswith("input_audio_buffer.append(audio=<321 bytes>)")
    assert "pcm16 16000 Hz mono" in message
    assert "input_audio_sampling_rate=16000 from your session.update" in message


@bounded
async def test_append_before_any_session_event_names_the_default(
    caplog: pytest.LogCaptureFixture,
) -> None:
    caplog.set_level(logging.WARNING, logger="voicelive.connection")
    async with MockServer() as server:
        async with connect(endpoint=server.endpoint, credential=KEY) as conn:
            await conn.input_audio_buffer.append(audio=b"\x00" * 3)
    message = _partial_sample_warning(caplog)
    assert "pcm16 24000 Hz mono (the protocol default: no session event yet)" in message


@bounded
async def test_append_after_session_updated_names_the_server() -> None:
    async with MockServer() as server:
        async with connect(endpoint=server.endpoint, credential=KEY) as conn:
            await conn.session.update(session={"input_audio_format": "g711_ulaw"})
            await conn.wait_for("session.updated", timeout=5)
            with pytest.raises(AudioFormatError) as info:
                await conn.input_audio_buffer.append(audio=np.zeros((4, 2), dtype=np.int16))
    message = str(info.value)
    assert message.startswith("input_audio_buffer.append(audio=<array of shape (4, 2)>)")
    assert "input_audio_format='g711_ulaw'" in message
    assert "from the server's session.created/updated" in message


@bounded
async def test_append_audio_names_the_call_and_the_session_values() -> None:
    echo = {"type": "server_echo_cancellation", "channels": 2}
    async with MockServer() as server:
        async with connect(endpoint=server.endpoint, credential=KEY) as conn:
            await conn.session.update(
                session={"input_audio_sampling_rate": 24000, "input_audio_echo_cancellation": echo}
            )
            with pytest.raises(AudioFormatError) as info:
                await conn.input_audio_buffer.append_audio(
                    np.zeros((10, 3), dtype=np.int16), sample_rate=16000
                )
            assert not server.connections[0].received[1:]  # nothing but the session.update
    message = str(info.value)
    assert message.startswith("append_audio(sample_rate=16000): ")
    assert "the session's input format is pcm16 24000 Hz 2ch" in message
    assert (
        "input_audio_sampling_rate=24000, input_audio_echo_cancellation.channels=2 "
        "from your session.update" in message
    )
