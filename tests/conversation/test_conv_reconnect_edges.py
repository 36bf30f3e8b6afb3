"""ResilientConnection edge paths: restore failures, broken sends, failed recycles, items."""

from __future__ import annotations

import asyncio
import json
import logging
from typing import Any

import pytest
from azure.core.credentials import AzureKeyCredential
from conversation_support import created, send_json, session_dict

from voicelive.aio import VoiceLiveConnection, connect
from voicelive.conversation import ConversationView, Reconnected, ResilientConnection
from voicelive.conversation._reconnect import _request_item
from voicelive.exceptions import ConnectionClosedError, LocalProtocolError
from voicelive.models import (
    SERVER_EVENT_ADAPTER,
    AssistantMessageItem,
    ClientEventConversationItemCreate,
    ClientEventSessionUpdate,
    FunctionCallItem,
    SystemMessageItem,
)
from voicelive.testing import Fault, MockServer, MockServerConnection

KEY = AzureKeyCredential("k")


async def no_sleep(_: float) -> None:
    return None


def view_with(*items: dict[str, Any]) -> ConversationView:
    view = ConversationView()
    for item in items:
        view.observe(
            SERVER_EVENT_ADAPTER.validate_python(
                {"type": "conversation.item.created", "item": item}
            )
        )
    return view


def test_request_items_from_the_transcript() -> None:
    view = view_with(
        {
            "id": "s",
            "type": "message",
            "role": "system",
            "content": [{"type": "input_text", "text": "rules"}],
        },
        {
            "id": "a",
            "type": "message",
            "role": "assistant",
            "content": [{"type": "audio", "transcript": "hi"}],
        },
        {"id": "f", "type": "function_call", "name": "f", "call_id": "c", "arguments": "{}"},
        {"id": "f2", "type": "function_call", "call_id": "c2"},
        {"id": "o", "type": "function_call_output", "output": "x"},
        {
            "id": "img",
            "type": "message",
            "role": "user",
            "content": [{"type": "input_image", "image_url": "u"}],
        },
        {
            "id": "e",
            "type": "message",
            "role": "user",
            "content": [{"type": "input_text", "text": ""}],
        },
        {"id": "m", "type": "mcp_call", "name": "x"},
        {
            "id": "r",
            "type": "message",
            "role": "critic",
            "content": [{"type": "input_text", "text": "x"}],
        },
    )
    results = {item.id: _request_item(item) for item in view}
    assert isinstance(results["s"], SystemMessageItem)
    assert isinstance(results["a"], AssistantMessageItem)
    assert results["a"].content[0].text == "hi"  # type: ignore[union-attr]
    assert isinstance(results["f"], FunctionCallItem)
    assert results["f2"] == "function call without name or call_id"
    assert results["o"] == "function output without call_id"
    assert results["img"] == "input_image content cannot be re-created"
    assert results["e"] == "empty message"
    assert results["m"] == "mcp_call items cannot be re-created"
    assert results["r"] == "message with role 'critic' cannot be re-created"


def second_connection_refuses(
    *, session_error: bool, item_error: bool, echo: dict[str, Any] | None = None
) -> Any:
    async def handler(c: MockServerConnection) -> None:
        index = c.index
        await send_json(c, created(session_dict(id=f"sess_{index}")))
        n = 0
        async for event in c:
            n += 1
            if isinstance(event, ClientEventSessionUpdate):
                if index > 1 and session_error:
                    await send_json(
                        c,
                        {
                            "type": "error",
                            "error": {
                                "code": "invalid_value",
                                "message": "no",
                                "event_id": event.event_id,
                            },
                        },
                    )
                    continue
                applied = {
                    **session_dict(),
                    **event.session.to_wire_dict(),
                    **((echo or {}) if index > 1 else {}),
                }
                await send_json(c, {"type": "session.updated", "session": applied})
            elif isinstance(event, ClientEventConversationItemCreate):
                if index > 1 and item_error:
                    await send_json(
                        c,
                        {
                            "type": "error",
                            "error": {
                                "code": "invalid_value",
                                "message": "bad item",
                                "event_id": event.event_id,
                            },
                        },
                    )
                    continue
                item = {**(event.item.to_wire_dict() if event.item else {}), "id": f"c{index}_{n}"}
                await send_json(c, {"type": "conversation.item.created", "item": item})
                if index == 1:
                    c.drop()
                    return

    return handler


async def run_until_reconnected(handler: Any, **kwargs: Any) -> Reconnected:
    async with MockServer(handler) as server:
        async with ResilientConnection(
            lambda: connect(endpoint=server.endpoint, credential=KEY), sleep=no_sleep, **kwargs
        ) as conn:
            await conn.session.update(session={"instructions": "x"}, wait=True)
            await conn.conversation.item.create(
                item={
                    "type": "message",
                    "role": "user",
                    "content": [{"type": "input_text", "text": "hi"}],
                }
            )
            async for event in conn:
                if isinstance(event, Reconnected):
                    return event
    raise AssertionError("no reconnect")


async def test_restore_reports_session_and_item_failures() -> None:
    notice = await run_until_reconnected(
        second_connection_refuses(session_error=True, item_error=False)
    )
    assert not notice.session_restored
    assert not notice.state_restored
    assert notice.restored_items == 1
    notice = await run_until_reconnected(
        second_connection_refuses(session_error=False, item_error=True)
    )
    assert notice.session_restored
    assert [lost.reason for lost in notice.lost] == ["re-creating it failed: bad item"]
    assert notice.restored_items == 0


async def test_restored_session_mismatch_follows_on_mismatch() -> None:
    handler = second_connection_refuses(
        session_error=False, item_error=False, echo={"voice": "alloy"}
    )

    async def with_voice(policy: str) -> Reconnected:
        async with MockServer(handler) as server:
            async with ResilientConnection(
                lambda: connect(endpoint=server.endpoint, credential=KEY),
                sleep=no_sleep,
                on_mismatch=policy,  # type: ignore[arg-type]
            ) as conn:
                await conn.session.update(session={"voice": "echo"})
                await conn.conversation.item.create(
                    item={
                        "type": "message",
                        "role": "user",
                        "content": [{"type": "input_text", "text": "hi"}],
                    }
                )
                async for event in conn:
                    if isinstance(event, Reconnected):
                        return event
        raise AssertionError

    assert (await with_voice("warn")).session_restored
    assert not (await with_voice("raise")).session_restored
    assert (await with_voice("ignore")).session_restored


async def test_broken_send_waits_for_a_reconnect_then_times_out() -> None:
    async with MockServer() as server:
        async with ResilientConnection(
            lambda: connect(endpoint=server.endpoint, credential=KEY), send_timeout=0.2
        ) as conn:
            current = conn.connection

            async def broken(event: Any) -> None:
                raise ConnectionClosedError(1006, "socket gone")

            current._send_event = broken  # type: ignore[method-assign]
            with pytest.raises(ConnectionClosedError, match="still reconnecting"):
                await conn.response.create()  # nobody reads, so no reconnect comes
            assert not conn.connected
            await conn.input_audio_buffer.append(audio=bytes(480))  # appends: dropped quietly
            assert conn.dropped_appends == 1


async def test_session_update_sent_as_raw_text_is_recorded_and_observer_errors_are_logged(
    caplog: pytest.LogCaptureFixture,
) -> None:
    async with MockServer() as server:
        async with ResilientConnection(
            lambda: connect(endpoint=server.endpoint, credential=KEY)
        ) as conn:
            await conn._send_text(
                json.dumps({"type": "session.update", "session": {"voice": "sage"}}),
                "session.update",
            )
            assert conn.session_config.voice == "sage"

            def broken(event: Any) -> None:
                raise ValueError("observer bug")

            conn.add_event_observer(broken)
            with caplog.at_level(logging.ERROR, logger="voicelive"):
                assert (await conn.recv()).type == "session.created"
            assert "observer" in caplog.text


async def test_failed_recycle_keeps_the_current_connection(
    caplog: pytest.LogCaptureFixture,
) -> None:
    async with MockServer(emulator_options={"session_lifetime_s": 2}) as server:
        calls = 0

        async def factory() -> VoiceLiveConnection:
            nonlocal calls
            calls += 1
            if calls > 1:
                raise LocalProtocolError("refused locally")  # fatal: no retries
            return await connect(endpoint=server.endpoint, credential=KEY)

        with caplog.at_level(logging.WARNING, logger="voicelive"):
            async with ResilientConnection(factory, recycle_before=1.9, sleep=no_sleep) as conn:
                assert (await conn.recv()).type == "session.created"
                await asyncio.sleep(0.4)
                assert "proactive reconnect failed" in caplog.text
                assert conn.connected
                item = await conn.conversation.item.create(
                    item={
                        "type": "message",
                        "role": "user",
                        "content": [{"type": "input_text", "text": "x"}],
                    },
                    wait=True,
                )
                assert item.id
        assert len(server.connections) == 1


async def test_reconnect_without_restoring_items() -> None:
    async with MockServer(faults=[Fault.drop().after("conversation.item.created")]) as server:
        async with ResilientConnection(
            lambda: connect(endpoint=server.endpoint, credential=KEY),
            sleep=no_sleep,
            restore_items=False,
        ) as conn:
            await conn.conversation.item.create(
                item={
                    "type": "message",
                    "role": "user",
                    "content": [{"type": "input_text", "text": "x"}],
                }
            )
            async for event in conn:
                if isinstance(event, Reconnected):
                    assert event.restored_items == 0
                    assert event.state_restored
                    break
        assert [e.type for e in server.connections[1].received] == []
