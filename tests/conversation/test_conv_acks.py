"""Awaited acknowledgements: session.update / conversation.item.create / commit with wait=True."""

from __future__ import annotations

import asyncio
import warnings
from typing import Any

import pytest
from conversation_support import created, send_json, serve, session_dict
from typing_extensions import assert_type

from voicelive.conversation import (
    SessionMismatchError,
    SessionMismatchWarning,
    compare_session,
    create_item,
)
from voicelive.exceptions import ServerError, WaitTimeoutError
from voicelive.models import (
    AzureStandardVoice,
    ClientEventConversationItemCreate,
    ClientEventInputAudioBufferCommit,
    ClientEventSessionUpdate,
    RequestSession,
    ResponseItem,
    ResponseMessageItem,
    ResponseSession,
    ServerEventInputAudioBufferCommitted,
    ServerVad,
    UserMessageItem,
)
from voicelive.testing import MockServerConnection


def echo_server(
    *,
    override: dict[str, Any] | None = None,
    fail: set[str] = frozenset(),  # type: ignore[assignment]
    silent: set[str] = frozenset(),  # type: ignore[assignment]
    noise_first: bool = False,
) -> Any:
    """A server that acknowledges session.update, item.create and commit like the service."""

    async def handler(conn: MockServerConnection) -> None:
        session = session_dict()
        await send_json(conn, created(session))
        counter = 0
        async for event in conn:
            counter += 1
            if event.type in silent:
                continue
            if event.type in fail:
                await send_json(
                    conn,
                    {
                        "type": "error",
                        "event_id": f"s{counter}",
                        "error": {
                            "type": "invalid_request_error",
                            "code": "invalid_value",
                            "message": f"bad {event.type}",
                            "param": "session.voice",
                            "event_id": event.event_id,
                        },
                    },
                )
                continue
            if noise_first:  # an unrelated error and item before the real answer
                await send_json(
                    conn,
                    {"type": "error", "error": {"message": "other", "event_id": "someone-else"}},
                )
                await send_json(
                    conn,
                    {
                        "type": "conversation.item.created",
                        "item": {
                            "id": "vad_item",
                            "type": "message",
                            "role": "user",
                            "content": [{"type": "input_audio", "transcript": None}],
                        },
                    },
                )
            if isinstance(event, ClientEventSessionUpdate):
                session.update(event.session.to_wire_dict())
                session.update(override or {})
                await send_json(conn, {"type": "session.updated", "session": session})
            elif isinstance(event, ClientEventConversationItemCreate):
                assert event.item is not None
                item = event.item.to_wire_dict()
                item.setdefault("id", f"item_{counter}")
                item["object"] = "realtime.item"
                item["status"] = "completed"
                await send_json(conn, {"type": "conversation.item.created", "item": item})
            elif isinstance(event, ClientEventInputAudioBufferCommit):
                await send_json(
                    conn,
                    {
                        "type": "input_audio_buffer.committed",
                        "item_id": f"item_{counter}",
                        "previous_item_id": None,
                    },
                )

    return handler


async def test_session_update_wait_returns_applied_session_and_event_stays_in_stream() -> None:
    async with serve(echo_server()) as (server, client):
        applied = await client.session.update(
            session={"voice": {"type": "azure-standard", "name": "en-US-JennyNeural"}}, wait=True
        )
        assert_type(applied, ResponseSession)
        assert isinstance(applied.voice, AzureStandardVoice)
        assert applied.voice.name == "en-US-JennyNeural"
        # observed, not consumed: the loop still sees session.created then session.updated
        assert (await client.recv()).type == "session.created"
        assert (await client.recv()).type == "session.updated"
        assert client.protocol.session is not None
        sent = server.received[-1]
        assert isinstance(sent, ClientEventSessionUpdate)
        assert sent.event_id is not None  # generated so an error can be matched


async def test_wait_false_returns_none_and_sends_exactly_as_before() -> None:
    async with serve(echo_server()) as (server, client):
        result = await client.session.update(session={"instructions": "hi"})
        assert result is None
        assert await client.conversation.item.create(item={"type": "message", "role": "user", "content": [{"type": "input_text", "text": "x"}]}) is None  # fmt: skip
        assert await client.input_audio_buffer.commit() is None
        await asyncio.sleep(0.1)
        assert [e.event_id for e in server.received] == [None, None, None]


async def test_session_update_error_for_that_request_raises_server_error() -> None:
    async with serve(echo_server(fail={"session.update"}, noise_first=False)) as (_, client):
        with pytest.raises(ServerError) as info:
            await client.session.update(session={"voice": "nope"}, wait=True, event_id="mine")
        assert info.value.code == "invalid_value"
        assert info.value.event_id == "mine"
        assert info.value.param == "session.voice"
        assert "session.update failed" in str(info.value)


async def test_unrelated_error_and_item_are_not_mistaken_for_the_reply() -> None:
    async with serve(echo_server(noise_first=True)) as (_, client):
        session = await client.session.update(session={"instructions": "x"}, wait=True)
        assert session.instructions == "x"
        item = await client.conversation.item.create(
            item=UserMessageItem(content=[{"type": "input_text", "text": "hello"}]), wait=True
        )
        assert item.id != "vad_item"
        assert isinstance(item, ResponseMessageItem)


async def test_session_update_timeout_raises_wait_timeout() -> None:
    async with serve(echo_server(silent={"session.update"})) as (_, client):
        with pytest.raises(WaitTimeoutError, match=r"session\.update"):
            await client.session.update(session={"instructions": "x"}, wait=True, timeout=0.2)
        # the connection is fine afterwards
        assert (await client.recv()).type == "session.created"


async def test_mismatch_warns_by_default() -> None:
    override = {"voice": "alloy", "output_audio_format": "pcm16", "turn_detection": None}
    async with serve(echo_server(override=override)) as (_, client):
        with pytest.warns(SessionMismatchWarning) as record:
            await client.session.update(
                session=RequestSession(
                    voice=AzureStandardVoice(name="en-US-JennyNeural"),
                    output_audio_format="g711_ulaw",
                    turn_detection=ServerVad(threshold=0.7),
                ),
                wait=True,
            )
        warning = record[0].message
        assert isinstance(warning, SessionMismatchWarning)
        fields = {m.field for m in warning.mismatches}
        assert fields == {"voice", "output_audio_format", "turn_detection"}


async def test_mismatch_raise_and_ignore() -> None:
    async with serve(echo_server(override={"input_audio_sampling_rate": 24000})) as (_, client):
        with pytest.raises(SessionMismatchError) as info:
            await client.session.update(
                session={"input_audio_sampling_rate": 16000}, wait=True, on_mismatch="raise"
            )
        assert info.value.mismatches[0].field == "input_audio_sampling_rate"
        assert info.value.session.input_audio_sampling_rate == 24000
        with warnings.catch_warnings():
            warnings.simplefilter("error")
            await client.session.update(
                session={"input_audio_sampling_rate": 16000}, wait=True, on_mismatch="ignore"
            )
        with pytest.raises(ValueError, match="on_mismatch"):
            await client.session.update(session={}, wait=True, on_mismatch="loud")  # type: ignore[call-overload]


async def test_matching_echo_with_normalized_values_does_not_warn() -> None:
    # the server spells formats in the legacy form and adds nested defaults
    override = {
        "output_audio_format": "pcm16-16000hz",
        "turn_detection": {"type": "server_vad", "threshold": 0.70000001, "prefix_padding_ms": 300},
        "modalities": ["audio", "text"],
    }
    async with serve(echo_server(override=override)) as (_, client):
        with warnings.catch_warnings():
            warnings.simplefilter("error")
            await client.session.update(
                session={
                    "output_audio_format": "pcm16_16000hz",
                    "turn_detection": {"type": "server_vad", "threshold": 0.7},
                    "modalities": ["text", "audio"],
                },
                wait=True,
            )


async def test_item_create_wait_returns_created_item() -> None:
    async with serve(echo_server()) as (_, client):
        item = await client.conversation.item.create(
            item={
                "type": "message",
                "role": "user",
                "content": [{"type": "input_text", "text": "hi"}],
            },
            wait=True,
        )
        assert_type(item, ResponseItem)
        assert isinstance(item, ResponseMessageItem)
        assert item.id
        assert item.status == "completed"
        output = await client.conversation.item.create(
            item={"type": "function_call_output", "call_id": "c1", "output": "{}"}, wait=True
        )
        assert output.type == "function_call_output"
        with_id = await create_item(
            client,
            {
                "type": "message",
                "role": "system",
                "id": "sys1",
                "content": [{"type": "input_text", "text": "be nice"}],
            },
        )
        assert with_id.id == "sys1"


async def test_item_create_error_and_timeout() -> None:
    async with serve(echo_server(fail={"conversation.item.create"})) as (_, client):
        with pytest.raises(ServerError):
            await client.conversation.item.create(
                item={"type": "function_call_output", "call_id": "c1", "output": "x"}, wait=True
            )
    async with serve(echo_server(silent={"conversation.item.create"})) as (_, client):
        with pytest.raises(WaitTimeoutError):
            await client.conversation.item.create(
                item={"type": "function_call_output", "call_id": "c1", "output": "x"},
                wait=True,
                timeout=0.1,
            )


async def test_commit_wait_returns_committed_event_or_raises() -> None:
    async with serve(echo_server()) as (_, client):
        committed = await client.input_audio_buffer.commit(wait=True)
        assert_type(committed, ServerEventInputAudioBufferCommitted)
        assert committed.item_id.startswith("item_")
    async with serve(echo_server(fail={"input_audio_buffer.commit"})) as (_, client):
        with pytest.raises(ServerError):
            await client.input_audio_buffer.commit(wait=True)


async def test_validation_error_sends_nothing_and_leaves_no_waiter() -> None:
    async with serve(echo_server()) as (server, client):
        with pytest.raises(Exception, match=r"voise"):
            await client.session.update(session={"voise": "alloy"}, wait=True)
        await asyncio.sleep(0.05)
        assert server.received == []
        assert not client._waiters


async def test_send_failure_unregisters_waiter() -> None:
    async with serve(echo_server()) as (_, client):
        await client.close()
        with pytest.raises(Exception):  # noqa: B017 - ConnectionClosed
            await client.session.update(session={"instructions": "x"}, wait=True)
        assert not client._waiters


def test_compare_session_edge_cases() -> None:
    requested = RequestSession.model_validate(
        {"voice": "alloy", "turn_detection": None, "modalities": ["text"], "instructions": "x"}
    )
    applied = ResponseSession.model_validate({"voice": "ALLOY", "modalities": ["text"]})
    assert compare_session(requested, applied) == []  # None may come back absent
    applied = ResponseSession.model_validate(
        {"voice": {"type": "openai", "name": "alloy"}, "turn_detection": {"type": "server_vad"}}
    )
    fields = [m.field for m in compare_session(requested, applied)]
    assert fields == ["voice", "modalities", "turn_detection"]
    assert "requested" in str(compare_session(requested, applied)[0])


def test_compare_session_lists_bools_and_custom_fields() -> None:
    requested = RequestSession.model_validate(
        {
            "turn_detection": {"type": "server_vad", "create_response": False},
            "tools": [{"type": "function", "name": "a"}, {"type": "function", "name": "b"}],
            "output_audio_timestamp_types": ["word"],
            "temperature": 0.7,
        }
    )
    applied = ResponseSession.model_validate(
        {
            "turn_detection": {"type": "server_vad", "create_response": True},
            "tools": [{"type": "function", "name": "a"}],
            "output_audio_timestamp_types": None,
            "temperature": 0.9,
        }
    )
    fields = ("turn_detection", "tools", "output_audio_timestamp_types", "temperature")
    found = {m.field for m in compare_session(requested, applied, fields=fields)}
    assert found == {
        "turn_detection.create_response",
        "tools",
        "output_audio_timestamp_types",
        "temperature",
    }
    same = ResponseSession.model_validate(
        {"tools": [{"type": "function", "name": "a"}, {"type": "function", "name": "B"}]}
    )
    assert compare_session(requested, same, fields=("tools",)) == []


async def test_item_create_with_previous_item_and_own_event_id() -> None:
    async with serve(echo_server()) as (server, client):
        item = await create_item(
            client,
            UserMessageItem(content=[{"type": "input_text", "text": "x"}]),
            previous_item_id="root",
            event_id="my-id",
        )
        assert item.type == "message"
        sent = server.received[-1]
        assert isinstance(sent, ClientEventConversationItemCreate)
        assert (sent.previous_item_id, sent.event_id) == ("root", "my-id")
