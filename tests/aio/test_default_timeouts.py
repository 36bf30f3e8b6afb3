"""The documented 30 s default of every waiting call, observed on the event loop's clock.

The loop's clock is moved forward by the test (``loop.time`` plus an offset), so a 30 s
default is checked without waiting 30 s: at +29 s the wait is still pending, at +30.5 s it
has timed out and says "within 30.0 s".
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Awaitable, Callable, Iterator
from contextlib import contextmanager
from typing import Any

import pytest
from azure.core.credentials import AzureKeyCredential

from voicelive.aio import VoiceLiveConnection, connect
from voicelive.exceptions import WaitTimeoutError
from voicelive.testing import MockServer, MockServerConnection

KEY = AzureKeyCredential("k")


@contextmanager
def movable_clock() -> Iterator[list[float]]:
    """``loop.time()`` plus ``offset[0]`` seconds for as long as the block runs."""
    loop = asyncio.get_running_loop()
    real = loop.time
    offset = [0.0]
    loop.time = lambda: real() + offset[0]  # type: ignore[method-assign]
    try:
        yield offset
    finally:
        del loop.time  # back to the class's method


async def _silent(conn: MockServerConnection) -> None:
    async for _ in conn:
        pass


@pytest.fixture
async def client() -> AsyncIterator[VoiceLiveConnection]:
    async with (
        MockServer(_silent) as server,
        connect(
            endpoint=server.endpoint, credential=KEY, connection_options={"heartbeat": None}
        ) as conn,
    ):
        yield conn


Wait = Callable[[VoiceLiveConnection], Awaitable[Any]]

WAITS: list[tuple[str, Wait]] = [
    ("wait_for", lambda c: c.wait_for("response.done")),
    ("wait_future", lambda c: c.wait_future(c.expect("response.done"))),
    ("session.update", lambda c: c.session.update(session={"voice": "alloy"}, wait=True)),
    ("commit", lambda c: c.input_audio_buffer.commit(wait=True)),
    (
        "item.create",
        lambda c: c.conversation.item.create(
            item={
                "type": "message",
                "role": "user",
                "content": [{"type": "input_text", "text": "x"}],
            },
            wait=True,
        ),
    ),
]


@pytest.mark.parametrize("wait", [w for _, w in WAITS], ids=[name for name, _ in WAITS])
async def test_waiting_calls_time_out_after_30_s_by_default(
    client: VoiceLiveConnection, wait: Wait
) -> None:
    with movable_clock() as offset:
        task = asyncio.ensure_future(wait(client))
        for _ in range(20):  # sent, and waiting for the reply
            await asyncio.sleep(0)
        offset[0] = 29.0
        for _ in range(5):
            await asyncio.sleep(0)
        assert not task.done()
        offset[0] = 30.5
        with pytest.raises(WaitTimeoutError, match=r"within 30\.0 s"):
            await asyncio.wait_for(task, 5)
