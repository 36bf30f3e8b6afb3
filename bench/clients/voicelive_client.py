"""voicelive, used exactly like the official SDK (the port is an import change), except
that appends pass raw PCM ``bytes`` and ``response.audio.delta`` already carries ``bytes``."""

from __future__ import annotations

import time
from typing import Any

from _common import API_KEY, MODEL, Window, dist_version, worker_main
from azure.core.credentials import AzureKeyCredential

from voicelive.aio import connect


class VoiceliveClient:
    name = "voicelive"

    def __init__(self) -> None:
        self._credential = AzureKeyCredential(API_KEY)

    def versions(self) -> dict[str, str]:
        return {
            "voicelive": dist_version("voicelive"),
            "pydantic": dist_version("pydantic"),
            "pydantic-core": dist_version("pydantic-core"),
            "aiohttp": dist_version("aiohttp"),
        }

    async def open(self, endpoint: str, query: dict[str, str]) -> Any:
        manager = connect(endpoint=endpoint, credential=self._credential, model=MODEL, query=query)
        conn = await manager.__aenter__()
        event = await conn.recv()
        if event.type != "session.created":
            raise RuntimeError(f"expected session.created, got {event.type!r}")
        return manager, conn

    async def close(self, conn: Any) -> None:
        await conn[0].__aexit__(None, None, None)

    async def receive_response(self, conn: Any) -> tuple[int, int]:
        connection = conn[1]
        await connection.response.create()
        events = 0
        audio_bytes = 0
        async for event in connection:
            events += 1
            kind = event.type
            if kind == "response.audio.delta":
                audio_bytes += len(event.delta)
            elif kind == "response.audio_transcript.delta":
                _text: str = event.delta
            elif kind == "response.done":
                break
        return events, audio_bytes

    async def send_audio(self, conn: Any, chunks: list[bytes]) -> int:
        connection = conn[1]
        for chunk in chunks:
            await connection.input_audio_buffer.append(audio=chunk)
        await connection.input_audio_buffer.commit()
        async for event in connection:
            if event.type == "input_audio_buffer.committed":
                return int(event.bench_appends)
        raise RuntimeError("connection closed before input_audio_buffer.committed")

    async def realtime(self, conn: Any, window: Window, lags: list[float]) -> int:
        connection = conn[1]
        await connection.response.create()
        seen = 0
        async for event in connection:
            kind = event.type
            if kind == "response.audio.delta":
                _audio: bytes = event.delta
                now = time.time()
                sent_at = event.sent_at
                if sent_at >= window.start:
                    lags.append(now - sent_at)
                seen += 1
            elif kind == "response.done":
                break
        return seen


if __name__ == "__main__":
    worker_main(VoiceliveClient)
