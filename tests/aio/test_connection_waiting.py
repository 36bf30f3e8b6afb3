"""One reader at a time, and what ``wait_for`` / ``expect`` / ``wait_future`` queue and claim.

Concurrency is arranged with loop turns and events (a task is started, the loop runs until it
is parked on the socket or in the reader queue), never with sleeps.
"""

from __future__ import annotations

import asyncio
import gc
import json
import logging
import weakref
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

import pytest
from azure.core.credentials import AzureKeyCredential

from shared_support import text_frame
from voicelive.aio import VoiceLiveConnection, connect
from voicelive.exceptions import ConnectionClosedError, WaitTimeoutError
from voicelive.models import (
    ServerEvent,
    ServerEventError,
    ServerEventResponseTextDelta,
    ServerEventSessionUpdated,
)
from voicelive.testing import MockServer, MockServerConnection

KEY = AzureKeyCredential("test-key")
UPDATED = json.dumps({"type": "session.updated", "event_id": "s", "session": {"voice": "alloy"}})


class Feed:
    """A server whose frames are released by the test: ``await feed.send(frame)``."""

    def __init__(self) -> None:
        self.frames: asyncio.Queue[str | int] = asyncio.Queue()  # an int closes with that code
        self.sent: asyncio.Queue[str] = asyncio.Queue()

    async def handler(self, conn: MockServerConnection) -> None:
        pump = asyncio.create_task(self._pump(conn))
        try:
            async for _ in conn:  # read, so that a close from the client is answered
                pass
        finally:
            pump.cancel()

    async def _pump(self, conn: MockServerConnection) -> None:
        while True:
            frame = await self.frames.get()
            if isinstance(frame, int):
                await conn.close(frame, "closed by test")
                return
            await conn.send_raw(frame)
            self.sent.put_nowait(frame)

    async def send(self, *frames: str) -> None:
        for frame in frames:
            self.frames.put_nowait(frame)
            await asyncio.wait_for(self.sent.get(), 5)

    def close(self, code: int) -> None:
        self.frames.put_nowait(code)


@asynccontextmanager
async def fed(**options: object) -> AsyncIterator[tuple[Feed, VoiceLiveConnection]]:
    feed = Feed()
    async with (
        MockServer(feed.handler) as server,
        connect(
            endpoint=server.endpoint, credential=KEY, connection_options=options or None
        ) as client,
    ):
        yield feed, client


async def turns(n: int = 5) -> None:
    """Let the loop run ``n`` times (other tasks reach their next await)."""
    for _ in range(n):
        await asyncio.sleep(0)


async def test_concurrent_recv_bytes_calls_take_turns_on_the_socket() -> None:
    async with fed() as (feed, client):
        both = asyncio.gather(client.recv_bytes(), client.recv_bytes())
        await turns()  # the first reads the socket, the second waits for the reader gate
        await feed.send(text_frame(1), text_frame(2))
        first, second = await asyncio.wait_for(both, 5)
    assert [json.loads(first)["event_id"], json.loads(second)["event_id"]] == ["ev1", "ev2"]


async def test_the_connection_is_its_own_iterator_so_two_loops_share_one_stream() -> None:
    """``aiter(conn)`` is ``conn`` (the official SDK makes a new async generator per loop):
    two tasks iterating at once take turns on one stream, each event reaching one of them,
    and both end quietly on a normal close (docs/migration.md)."""
    async with fed() as (feed, client):
        assert aiter(client) is client
        got: dict[str, list[str | None]] = {"a": [], "b": []}

        async def loop(name: str) -> None:
            async for event in client:
                got[name].append(event.event_id)

        first = asyncio.create_task(loop("a"))
        await turns()  # "a" owns the socket
        second = asyncio.create_task(loop("b"))
        await turns()  # "b" waits for the reader gate
        await feed.send(*(text_frame(i) for i in range(6)))
        feed.close(1000)
        await asyncio.wait_for(asyncio.gather(first, second), 5)
    assert got == {"a": ["ev0", "ev2", "ev4"], "b": ["ev1", "ev3", "ev5"]}


async def test_a_cancelled_queued_reader_does_not_let_two_readers_in() -> None:
    async with fed() as (feed, client):
        reading = asyncio.create_task(client.recv_bytes())
        await turns()  # reading owns the socket
        queued = asyncio.create_task(client.recv_bytes())
        await turns()  # queued waits for the reader gate
        queued.cancel()
        with pytest.raises(asyncio.CancelledError):
            await queued
        later = asyncio.create_task(client.recv())
        await turns()  # must wait for the gate, not read the socket beside `reading`
        await feed.send(text_frame(1), text_frame(2))
        first = await asyncio.wait_for(reading, 5)
        second = await asyncio.wait_for(later, 5)
    assert json.loads(first)["event_id"] == "ev1"
    assert second.event_id == "ev2"


async def test_a_reader_cancelled_as_the_gate_is_handed_to_it_passes_it_on() -> None:
    async with fed() as (feed, client):
        reading = asyncio.create_task(client.recv_bytes())
        await turns()
        queued = asyncio.create_task(client.recv_bytes())
        third = asyncio.create_task(client.recv_bytes())
        await turns()
        await feed.send(text_frame(1))
        # `reading` returns and hands the gate to `queued` in the same loop turn; cancel
        # `queued` before it runs: it must pass the gate on to `third`
        first = await asyncio.wait_for(reading, 5)
        queued.cancel()
        with pytest.raises(asyncio.CancelledError):
            await queued
        await feed.send(text_frame(2))
        last = await asyncio.wait_for(third, 5)
    assert json.loads(first)["event_id"] == "ev1"
    assert json.loads(last)["event_id"] == "ev2"


async def test_wait_for_returns_an_event_completed_while_it_queued_for_the_socket() -> None:
    async with fed() as (feed, client):
        reading = asyncio.create_task(client.recv())
        await turns()  # recv() owns the socket
        waiting = asyncio.create_task(client.wait_for("response.text.delta", timeout=5))
        await turns()  # wait_for waits for the reader gate
        await feed.send(text_frame(1))
        event = await asyncio.wait_for(reading, 5)
        assert await asyncio.wait_for(waiting, 5) is event


async def test_wait_for_searches_the_queue_and_never_returns_a_claimed_event() -> None:
    async with fed() as (feed, client):
        await feed.send(text_frame(1), text_frame(2), UPDATED)
        first = await client.wait_for(
            "response.text.delta", predicate=lambda e: e.event_id == "ev1", timeout=5
        )
        # reads ev2 (not a match: left unclaimed) and session.updated
        updated = await client.wait_for(ServerEventSessionUpdated, timeout=5)
        # from the queue: ev1 was returned already, ev2 was not
        second = await client.wait_for("response.text.delta", timeout=5)
        assert (first.event_id, updated.event_id, second.event_id) == ("ev1", "s", "ev2")
        with pytest.raises(WaitTimeoutError):  # both queued deltas are taken
            await client.wait_for("response.text.delta", timeout=0.05)
        with pytest.raises(WaitTimeoutError):
            await client.wait_for(ServerEventSessionUpdated, timeout=0.05)
        # recv() still gets all three, in order
        assert [(await client.recv()).event_id for _ in range(3)] == ["ev1", "ev2", "s"]


async def test_wait_for_matches_a_class_with_its_predicate() -> None:
    async with fed() as (feed, client):
        await feed.send(text_frame(1), text_frame(2))
        event = await client.wait_for(
            ServerEventResponseTextDelta, predicate=lambda e: e.delta == "d2", timeout=5
        )
        assert event.event_id == "ev2"


async def test_a_raising_predicate_fails_its_own_wait_only() -> None:
    def broken(event: ServerEvent) -> bool:
        raise ValueError("predicate bug")

    async with fed() as (feed, client):
        await feed.send(text_frame(1))
        bad = client.expect("response.text.delta", predicate=broken)
        good = await client.wait_for("response.text.delta", timeout=5)
        assert good.event_id == "ev1"
        assert isinstance(bad.exception(), ValueError)

        await feed.send(text_frame(2))
        with pytest.raises(ValueError, match="predicate bug"):
            await client.wait_for("response.text.delta", predicate=broken, timeout=5)
        # ev2 failed that wait, so no wait_for has returned it yet
        again = await client.wait_for("response.text.delta", timeout=5)
        assert again.event_id == "ev2"
        with pytest.raises(WaitTimeoutError):
            await client.wait_for("response.text.delta", timeout=0.05)


async def test_expect_honours_its_predicate() -> None:
    async with fed() as (feed, client):
        future = client.expect("response.text.delta", predicate=lambda e: e.event_id == "ev2")
        await feed.send(text_frame(1), text_frame(2))
        event = await client.wait_future(future, timeout=5)
        assert event.event_id == "ev2"
        assert await client.wait_future(future) is event  # again: the future's result


async def test_wait_future_reads_the_socket_itself_when_nobody_else_does() -> None:
    async with fed() as (feed, client):
        future = client.expect("response.text.delta")
        await feed.send(text_frame(1))
        event = await asyncio.wait_for(client.wait_future(future, timeout=None), 5)
        assert event.event_id == "ev1"


async def test_wait_for_without_timeout_reads_until_the_event_comes() -> None:
    async with fed() as (feed, client):
        await feed.send(text_frame(1))
        event = await asyncio.wait_for(client.wait_for("response.text.delta", timeout=None), 5)
        assert event.event_id == "ev1"


@pytest.mark.parametrize(
    ("event_type", "name"),
    [(ServerEventError, "ServerEventError"), ("response.done", "response.done")],
)
async def test_wait_timeouts_say_what_did_not_arrive(event_type: object, name: str) -> None:
    async with fed() as (_, client):
        with pytest.raises(WaitTimeoutError) as timed_out:
            await client.wait_for(event_type, timeout=0.05)  # type: ignore[call-overload]
        assert str(timed_out.value) == (
            f"no {name} event arrived within 0.05 s; the connection is unaffected"
        )
        future = client.expect(event_type)  # type: ignore[arg-type]
        with pytest.raises(WaitTimeoutError) as timed_out:
            await client.wait_future(future, timeout=0.05)
        assert str(timed_out.value) == (
            "the awaited event did not arrive within 0.05 s; the connection is unaffected"
        )


async def test_wait_for_refuses_an_event_type_that_is_neither_class_nor_string() -> None:
    async with fed() as (_, client):
        with pytest.raises(TypeError) as refused:
            await client.wait_for(42, timeout=1)  # type: ignore[call-overload]
    assert str(refused.value) == "event_type must be an event class or a type string, got 42"


async def test_a_finished_wait_for_keeps_no_reference_to_its_predicate() -> None:
    class Predicate:
        def __call__(self, event: ServerEvent) -> bool:
            return True

    async with fed() as (feed, client):
        predicate = Predicate()
        ref = weakref.ref(predicate)
        await feed.send(text_frame(1))
        await client.wait_for("response.text.delta", predicate=predicate, timeout=5)
        with pytest.raises(WaitTimeoutError):
            await client.wait_for("session.updated", predicate=predicate, timeout=0.05)
        del predicate
        gc.collect()
        assert ref() is None


async def test_recv_fails_pending_expect_futures_when_it_finds_the_socket_closed() -> None:
    async with fed() as (feed, client):
        future = client.expect("response.done")
        feed.close(4004)
        with pytest.raises(ConnectionClosedError):
            await asyncio.wait_for(client.recv(), 5)
        failed = future.exception()
    assert isinstance(failed, ConnectionClosedError)
    assert failed.code == 4004


async def test_the_wait_for_queue_is_bounded_and_warns_once(
    caplog: pytest.LogCaptureFixture,
) -> None:
    caplog.set_level(logging.WARNING, logger="voicelive.connection")
    async with fed(max_pending_events=2) as (feed, client):
        await feed.send(*(text_frame(i) for i in range(1, 6)))
        await client.wait_for(
            "response.text.delta", predicate=lambda e: e.event_id == "ev5", timeout=5
        )
        # ev1..ev5 were read by wait_for and nobody consumed them: the two newest are kept
        assert [(await client.recv()).event_id for _ in range(2)] == ["ev4", "ev5"]
        await feed.send(text_frame(6))
        assert (await asyncio.wait_for(client.recv(), 5)).event_id == "ev6"
    warnings = [r.getMessage() for r in caplog.records if r.levelno == logging.WARNING]
    assert warnings == [
        "more than 2 events were read by wait_for() but never consumed by recv() or async "
        "for; the oldest are being dropped"
    ]


async def test_a_queue_of_exactly_max_pending_events_drops_nothing() -> None:
    async with fed(max_pending_events=3) as (feed, client):
        await feed.send(*(text_frame(i) for i in range(1, 4)))
        await client.wait_for(
            "response.text.delta", predicate=lambda e: e.event_id == "ev3", timeout=5
        )
        assert [(await client.recv()).event_id for _ in range(3)] == ["ev1", "ev2", "ev3"]


async def test_an_expect_future_completed_for_the_reader_is_not_kept() -> None:
    async with fed() as (feed, client):
        future = client.expect("response.text.delta")
        ref = weakref.ref(future)
        await feed.send(text_frame(1))
        event = await asyncio.wait_for(client.recv(), 5)
        assert await asyncio.wait_for(future, 5) is event  # awaited directly, not wait_future
        del future
        gc.collect()
        assert ref() is None


async def test_a_cancelled_expect_future_is_dropped_at_the_next_event() -> None:
    async with fed() as (feed, client):
        future = client.expect("session.updated")
        ref = weakref.ref(future)
        future.cancel()
        del future
        behind = client.expect("response.text.delta")  # after the cancelled one in the list
        await feed.send(text_frame(1))
        assert (await asyncio.wait_for(client.recv(), 5)).event_id == "ev1"
        assert behind.result().event_id == "ev1"  # still told, past the finished waiter
        gc.collect()
        assert ref() is None
        # a later expect() still works after the list was pruned
        later = client.expect("session.updated")
        await feed.send(UPDATED)
        await asyncio.wait_for(client.recv(), 5)
        assert (await client.wait_future(later, timeout=5)).type == "session.updated"


async def test_a_pending_waiter_outlives_the_ones_an_event_finishes() -> None:
    async with fed() as (feed, client):
        later = client.expect("session.updated")
        await feed.send(text_frame(1))
        # wait_for's own waiter is finished and dropped by the event; `later` stays
        assert (await client.wait_for("response.text.delta", timeout=5)).event_id == "ev1"
        assert not later.done()
        await feed.send(UPDATED)
        updated = await asyncio.wait_for(client.wait_future(later, timeout=5), 10)
        assert updated.type == "session.updated"
