"""A large send with compression on: aiohttp compresses it in the loop's executor inside a
shielded task. Cancelling the send while that runs must end it with ``CancelledError`` (no
drain was waited for, so there is no cancelled drain future to drop), the frame still goes
out whole, and the connection stays usable."""

from __future__ import annotations

import asyncio
import json
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor
from typing import Any

import pytest
from azure.core.credentials import AzureKeyCredential

from voicelive.aio import connect
from voicelive.aio._transport import ServerTransport, WebSocketServer

KEY = AzureKeyCredential("compressed-send-key")


class HeldCompression(ThreadPoolExecutor):
    """The loop's default executor, holding back zlib ``compress`` calls until released (any
    other call runs as usual)."""

    def __init__(self) -> None:
        super().__init__(max_workers=1)
        self.submitted = asyncio.Event()
        self._held: list[tuple[Future[Any], Callable[..., Any], tuple[Any, ...]]] = []

    def submit(self, fn: Callable[..., Any], /, *args: Any, **kwargs: Any) -> Future[Any]:
        if getattr(fn, "__name__", "") != "compress" or kwargs:
            return super().submit(fn, *args, **kwargs)
        future: Future[Any] = Future()
        self._held.append((future, fn, args))
        self.submitted.set()
        return future

    def release(self) -> None:
        for future, fn, args in self._held:
            future.set_result(fn(*args))
        self._held.clear()


async def test_a_large_compressed_send_cancelled_mid_compression_still_goes_out_whole() -> None:
    received: asyncio.Queue[str | bytes] = asyncio.Queue()

    async def handler(transport: ServerTransport) -> None:
        while True:
            received.put_nowait(await transport.receive())

    server = WebSocketServer(handler)  # aiohttp's server side accepts permessage-deflate
    await server.start()
    loop = asyncio.get_running_loop()
    held = HeldCompression()
    try:
        conn = await asyncio.wait_for(
            connect(
                endpoint=f"http://127.0.0.1:{server.port}",
                credential=KEY,
                connection_options={"compression": True},
            ),
            10,
        )
        loop.set_default_executor(held)  # after connect: its address lookup used the default
        # ~43 KB of JSON: over aiohttp's 16 KiB limit for compressing in the loop
        send = asyncio.ensure_future(conn.input_audio_buffer.append(audio=bytes(32_000)))
        await asyncio.wait_for(held.submitted.wait(), 10)
        send.cancel()
        with pytest.raises(asyncio.CancelledError):
            await asyncio.wait_for(send, 10)
        held.release()
        appended = json.loads(await asyncio.wait_for(received.get(), 10))
        assert appended["type"] == "input_audio_buffer.append"
        assert len(appended["audio"]) == 42_668  # base64 of 32,000 bytes, whole
        await conn.input_audio_buffer.clear()
        cleared = json.loads(await asyncio.wait_for(received.get(), 10))
        assert cleared["type"] == "input_audio_buffer.clear"
        await asyncio.wait_for(conn.close(), 10)
    finally:
        held.release()
        loop.set_default_executor(ThreadPoolExecutor())
        held.shutdown(wait=False)
        await server.stop()
