"""The delivery model of wait_for / expect: observe, never consume; nothing lost or doubled."""

from __future__ import annotations

import asyncio
import json
import logging

import pytest
from azure.core.credentials import AzureKeyCredential
from conversation_support import Handler, serve
from typing_extensions import assert_type

from shared_support import text_frame
from voicelive.aio import connect
from voicelive.exceptions import WaitTimeoutError
from voicelive.models import (
    ServerEvent,
    ServerEventResponseTextDelta,
    ServerEventSessionUpdated,
)
from voicelive.testing import MockServerConnection

KEY = AzureKeyCredential("k")


def burst(n: int, *, then_close: bool = True, gap: float = 0.0) -> Handler:
    async def handler(conn: MockServerConnection) -> None:
        for i in range(n):
            await conn.send_raw(text_frame(i))
            if gap:
                await asyncio.sleep(gap)
        await asyncio.sleep(0.05)
        if then_close:
            await conn.close(1000)
        else:
            async for _ in conn:
                pass

    return handler


async def test_result_is_narrowed_to_the_class_given() -> None:
    async def handler(conn: MockServerConnection) -> None:
        await conn.send_raw(json.dumps({"type": "session.updated", "session": {"voice": "alloy"}}))
        await conn.send_raw(json.dumps({"type": "session.updated", "session": {"voice": "echo"}}))
        await asyncio.sleep(0.2)

    async with serve(handler) as (_, client):
        by_class = await client.wait_for(ServerEventSessionUpdated, timeout=2)
        assert_type(by_class, ServerEventSessionUpdated)
        assert by_class.session.voice == "alloy"
        by_name = await client.wait_for("session.updated", timeout=2)
        assert_type(by_name, ServerEvent)
        assert by_name is not by_class  # a queued event is never returned twice
        assert by_name.session.voice == "echo"  # type: ignore[union-attr]


async def test_concurrent_waiters_see_the_same_event_and_recv_still_gets_it() -> None:
    async with serve(burst(5)) as (_, client):
        waits = [
            client.wait_for("response.text.delta", predicate=lambda e: e.event_id == "ev3")
            for _ in range(3)
        ]
        results = await asyncio.gather(*waits)
        assert {id(r) for r in results} == {id(results[0])}
        assert [e.event_id async for e in client] == [f"ev{i}" for i in range(5)]


async def test_failing_predicate_fails_only_its_waiter() -> None:
    async with serve(burst(3)) as (_, client):

        def broken(event: ServerEventResponseTextDelta) -> bool:
            raise KeyError("bug in predicate")

        with pytest.raises(KeyError):
            await client.wait_for(ServerEventResponseTextDelta, predicate=broken, timeout=2)
        ok = await client.wait_for(ServerEventResponseTextDelta, timeout=2)
        assert ok.event_id == "ev0"
        assert [e.event_id async for e in client] == ["ev0", "ev1", "ev2"]


async def test_timeout_loses_nothing_and_keeps_order() -> None:
    async with serve(burst(20, gap=0.002, then_close=False)) as (_, client):
        with pytest.raises(WaitTimeoutError):
            await client.wait_for("session.updated", timeout=0.1)
        got = [(await client.recv()).event_id for _ in range(20)]
        assert got == [f"ev{i}" for i in range(20)]


async def test_cancelled_waiter_loses_nothing() -> None:
    async with serve(burst(10, gap=0.005)) as (_, client):
        task = asyncio.create_task(client.wait_for("session.updated", timeout=None))
        await asyncio.sleep(0.02)
        task.cancel()
        with pytest.raises(asyncio.CancelledError):
            await task
        assert [e.event_id async for e in client] == [f"ev{i}" for i in range(10)]


async def test_wait_for_inside_the_loop_body_does_not_skip_events() -> None:
    async with serve(burst(6)) as (_, client):
        seen: list[str] = []
        async for event in client:
            seen.append(event.event_id or "")
            if event.event_id == "ev1":
                ahead = await client.wait_for(
                    "response.text.delta", predicate=lambda e: e.event_id == "ev4"
                )
                assert ahead.event_id == "ev4"
        assert seen == [f"ev{i}" for i in range(6)]


async def test_observers_see_each_event_once_whoever_reads_it() -> None:
    async with serve(burst(4)) as (_, client):
        observed: list[str] = []
        client.add_event_observer(lambda e: observed.append(e.event_id or ""))
        await client.wait_for("response.text.delta", predicate=lambda e: e.event_id == "ev2")
        consumed = [e.event_id async for e in client]
        assert observed == consumed == ["ev0", "ev1", "ev2", "ev3"]


async def test_expect_registered_before_sending_catches_a_reply_another_reader_consumed() -> None:
    async def echo(conn: MockServerConnection) -> None:
        async for event in conn:
            await conn.send_raw(
                json.dumps({"type": "session.updated", "session": {"instructions": event.type}})
            )

    async with serve(echo) as (_, client):
        consumed: list[str] = []

        async def loop() -> None:
            async for event in client:
                consumed.append(event.type)

        reader = asyncio.create_task(loop())
        future = client.expect(ServerEventSessionUpdated)
        await client.session.update(session={"voice": "alloy"})
        await asyncio.sleep(0.1)  # the loop has long consumed the reply
        reply = await client.wait_future(future, timeout=1)
        assert reply.session.instructions == "session.update"
        assert consumed == ["session.updated"]
        reader.cancel()


async def test_queued_events_are_searched_first_but_never_returned_twice() -> None:
    # Events read by wait_for but not yet consumed stay queued; a later wait_for finds the
    # next *unreturned* queued one first, then reads on.
    async with serve(burst(3, then_close=False)) as (_, client):
        first = await client.wait_for("response.text.delta", timeout=2)
        second = await client.wait_for("response.text.delta", timeout=2)
        assert (first.event_id, second.event_id) == ("ev0", "ev1")
        assert [(await client.recv()).event_id for _ in range(3)] == ["ev0", "ev1", "ev2"]


async def test_pending_queue_is_bounded(caplog: pytest.LogCaptureFixture) -> None:
    async with serve(burst(8)) as (server, _):
        async with connect(
            endpoint=server.endpoint, credential=KEY, connection_options={"max_pending_events": 3}
        ) as client:
            with caplog.at_level(logging.WARNING, logger="voicelive"):
                await client.wait_for(
                    "response.text.delta", predicate=lambda e: e.event_id == "ev7", timeout=2
                )
            assert [e.event_id async for e in client] == ["ev5", "ev6", "ev7"]
            assert "oldest are being dropped" in caplog.text
