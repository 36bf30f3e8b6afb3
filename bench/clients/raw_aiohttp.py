"""The baseline: a plain aiohttp WebSocket loop with ``json.loads`` / ``json.dumps`` and
``base64``, doing exactly the user work the SDK clients do (read ``type``, audio deltas
decoded to ``bytes``; appends start from raw PCM bytes)."""

from __future__ import annotations

import base64
import json
import time
from typing import Any
from urllib.parse import urlencode

import aiohttp
from _common import API_KEY, MODEL, Window, dist_version, worker_main


class RawClient:
    name = "raw aiohttp"

    def __init__(self) -> None:
        self._session: aiohttp.ClientSession | None = None

    def versions(self) -> dict[str, str]:
        return {"aiohttp": dist_version("aiohttp")}

    async def open(self, endpoint: str, query: dict[str, str]) -> Any:
        if self._session is None:
            # limit=0: every open WebSocket holds a pooled connection for its whole life
            self._session = aiohttp.ClientSession(connector=aiohttp.TCPConnector(limit=0))
        params = {"api-version": "2026-07-15", "model": MODEL, **query}
        url = endpoint.rstrip("/") + "/voice-live/realtime?" + urlencode(params)
        ws = await self._session.ws_connect(url, headers={"api-key": API_KEY})
        msg = await ws.receive()
        if json.loads(msg.data)["type"] != "session.created":
            raise RuntimeError(f"expected session.created, got {msg.data[:80]!r}")
        return ws

    async def close(self, conn: Any) -> None:
        await conn.close()

    async def aclose(self) -> None:
        if self._session is not None:
            await self._session.close()

    async def receive_response(self, conn: Any) -> tuple[int, int]:
        ws: aiohttp.ClientWebSocketResponse = conn
        await ws.send_str(json.dumps({"type": "response.create"}))
        events = 0
        audio_bytes = 0
        async for msg in ws:
            event = json.loads(msg.data)
            events += 1
            kind = event["type"]
            if kind == "response.audio.delta":
                audio_bytes += len(base64.b64decode(event["delta"]))
            elif kind == "response.audio_transcript.delta":
                _text: str = event["delta"]
            elif kind == "response.done":
                break
        return events, audio_bytes

    async def send_audio(self, conn: Any, chunks: list[bytes]) -> int:
        ws: aiohttp.ClientWebSocketResponse = conn
        for chunk in chunks:
            audio = base64.b64encode(chunk).decode("ascii")
            await ws.send_str(json.dumps({"type": "input_audio_buffer.append", "audio": audio}))
        await ws.send_str(json.dumps({"type": "input_audio_buffer.commit"}))
        async for msg in ws:
            event = json.loads(msg.data)
            if event["type"] == "input_audio_buffer.committed":
                return int(event["bench_appends"])
        raise RuntimeError("connection closed before input_audio_buffer.committed")

    async def realtime(self, conn: Any, window: Window, lags: list[float]) -> int:
        ws: aiohttp.ClientWebSocketResponse = conn
        await ws.send_str(json.dumps({"type": "response.create"}))
        seen = 0
        async for msg in ws:
            event = json.loads(msg.data)
            kind = event["type"]
            if kind == "response.audio.delta":
                _audio = base64.b64decode(event["delta"])
                now = time.time()
                sent_at = event["sent_at"]
                if sent_at >= window.start:
                    lags.append(now - sent_at)
                seen += 1
            elif kind == "response.done":
                break
        return seen


if __name__ == "__main__":
    worker_main(RawClient)
