"""Shared helpers for the conversation tests: a scripted server and a connect shortcut."""

from __future__ import annotations

import asyncio
import contextlib
import json
from collections.abc import AsyncIterator, Awaitable, Callable
from typing import Any

from azure.core.credentials import AzureKeyCredential

from voicelive.aio import VoiceLiveConnection, connect
from voicelive.testing import MockServer, MockServerConnection

KEY = AzureKeyCredential("test-key")

Handler = Callable[[MockServerConnection], Awaitable[None]]


def session_dict(**overrides: Any) -> dict[str, Any]:
    """A full session as the service reports it."""
    session: dict[str, Any] = {
        "id": "sess_1",
        "model": "gpt-realtime",
        "modalities": ["text", "audio"],
        "voice": {"type": "azure-standard", "name": "en-US-AvaNeural"},
        "input_audio_format": "pcm16",
        "output_audio_format": "pcm16",
        "input_audio_sampling_rate": 24000,
        "turn_detection": {"type": "server_vad", "threshold": 0.5, "silence_duration_ms": 500},
        "tools": [],
    }
    session.update(overrides)
    return session


@contextlib.asynccontextmanager
async def serve(handler: Handler) -> AsyncIterator[tuple[MockServer, VoiceLiveConnection]]:
    """A MockServer running ``handler`` and a client connected to it."""
    async with (
        MockServer(handler) as server,
        connect(endpoint=server.endpoint, credential=KEY, model="gpt-realtime") as client,
    ):
        yield server, client


async def send_json(conn: MockServerConnection, payload: dict[str, Any]) -> None:
    await conn.send_raw(json.dumps(payload))


async def idle(conn: MockServerConnection) -> None:
    """Record client events until the client leaves."""
    async for _ in conn:
        pass


def created(session: dict[str, Any] | None = None) -> dict[str, Any]:
    return {"type": "session.created", "event_id": "e0", "session": session or session_dict()}


async def settle(delay: float = 0.05) -> None:
    await asyncio.sleep(delay)
