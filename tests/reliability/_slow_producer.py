"""A WebSocket server that pushes audio deltas as fast as TCP lets it (run as a subprocess).

Usage: ``python _slow_producer.py TOTAL_BYTES CHUNK_BYTES``. Prints ``PORT <port>`` once it
listens; for the first connection it sends ``session.created``, then ``response.audio.delta``
frames of ``CHUNK_BYTES`` of audio until ``TOTAL_BYTES`` were sent, closes with 1000, prints
``DONE <seconds spent sending> <frames>`` and exits. Running in its own process keeps its
buffers out of the measurements of the consuming process.
"""

from __future__ import annotations

import asyncio
import base64
import json
import sys
import time

from aiohttp import web


async def main(total: int, chunk: int) -> None:
    done = asyncio.Event()
    audio = base64.b64encode(bytes(range(256)) * (chunk // 256)).decode()
    tail = (
        '","response_id":"resp_1","item_id":"item_1","output_index":0,"content_index":0,'
        '"delta":"' + audio + '"}'
    )

    async def handler(request: web.Request) -> web.StreamResponse:
        ws = web.WebSocketResponse(max_msg_size=0)
        await ws.prepare(request)
        await ws.send_str(json.dumps({"type": "session.created", "event_id": "s", "session": {}}))
        started = time.monotonic()
        frames = 0
        sent = 0
        while sent < total:
            await ws.send_str('{"type":"response.audio.delta","event_id":"a' + str(frames) + tail)
            frames += 1
            sent += chunk
        elapsed = time.monotonic() - started
        await ws.close(code=1000)
        print(f"DONE {elapsed:.3f} {frames}", flush=True)
        done.set()
        return ws

    app = web.Application()
    app.router.add_get("/{tail:.*}", handler)
    runner = web.AppRunner(app, handle_signals=False, access_log=None)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    print(f"PORT {runner.addresses[0][1]}", flush=True)
    await done.wait()
    await runner.cleanup()


if __name__ == "__main__":
    asyncio.run(main(int(sys.argv[1]), int(sys.argv[2])))
