"""ConversationView: items in order, text and transcripts assembled from deltas."""

from __future__ import annotations

from typing import Any

from azure.core.credentials import AzureKeyCredential

from voicelive.aio import connect
from voicelive.audio import PCM16_24K
from voicelive.conversation import ConversationView
from voicelive.models import SERVER_EVENT_ADAPTER, ServerEvent
from voicelive.testing import MockServer, synthesize_speech


def ev(payload: dict[str, Any]) -> ServerEvent:
    return SERVER_EVENT_ADAPTER.validate_python(payload)


def delta(kind: str, item: str, text: str, index: int = 0) -> ServerEvent:
    return ev(
        {
            "type": kind,
            "response_id": "r1",
            "item_id": item,
            "output_index": 0,
            "content_index": index,
            "delta": text,
        }
    )


def test_items_in_order_with_assembled_text_and_transcripts() -> None:
    view = ConversationView()
    events = [
        {
            "type": "conversation.item.created",
            "previous_item_id": None,
            "item": {
                "id": "u1",
                "type": "message",
                "role": "user",
                "content": [{"type": "input_audio", "transcript": None}],
            },
        },
        {"type": "response.created", "response": {"id": "r1"}},
        {
            "type": "response.output_item.added",
            "response_id": "r1",
            "output_index": 0,
            "item": {
                "id": "a1",
                "type": "message",
                "role": "assistant",
                "status": "in_progress",
                "content": [],
            },
        },
        {
            "type": "conversation.item.created",
            "previous_item_id": "u1",
            "item": {"id": "a1", "type": "message", "role": "assistant", "content": []},
        },
        {
            "type": "response.content_part.added",
            "response_id": "r1",
            "item_id": "a1",
            "output_index": 0,
            "content_index": 0,
            "part": {"type": "audio", "transcript": ""},
        },
    ]
    for payload in events:
        view.observe(ev(payload))
    for text in ("Hel", "lo ", "there"):
        view.observe(delta("response.audio_transcript.delta", "a1", text))
    # the user's transcript arrives after the assistant started answering
    view.observe(
        ev(
            {
                "type": "conversation.item.input_audio_transcription.delta",
                "item_id": "u1",
                "content_index": 0,
                "delta": "hi",
            }
        )
    )
    view.observe(
        ev(
            {
                "type": "conversation.item.input_audio_transcription.completed",
                "item_id": "u1",
                "content_index": 0,
                "transcript": "hi bot",
            }
        )
    )
    view.observe(
        ev(
            {
                "type": "response.output_item.done",
                "response_id": "r1",
                "output_index": 0,
                "item": {
                    "id": "a1",
                    "type": "message",
                    "role": "assistant",
                    "status": "completed",
                    "content": [{"type": "audio", "transcript": "Hello there"}],
                },
            }
        )
    )
    assert [item.id for item in view] == ["u1", "a1"]
    assert view.get("u1") is not None
    assert view.get("u1").text == "hi bot"  # type: ignore[union-attr]
    assistant = view.get("a1")
    assert assistant is not None
    assert assistant.text == "Hello there"
    assert assistant.status == "completed"
    assert assistant.response_id == "r1"
    assert assistant.has_audio
    assert str(view) == "user: hi bot\nassistant: Hello there"
    assert len(view) == 2
    assert repr(view) == "<ConversationView items=2>"


def test_text_function_calls_truncation_delete_and_insert_position() -> None:
    view = ConversationView()
    view.observe(
        ev(
            {
                "type": "conversation.item.created",
                "item": {
                    "id": "a",
                    "type": "message",
                    "role": "system",
                    "content": [{"type": "input_text", "text": "be nice"}],
                },
            }
        )
    )
    view.observe(
        ev(
            {
                "type": "conversation.item.created",
                "item": {
                    "id": "c",
                    "type": "message",
                    "role": "user",
                    "content": [{"type": "input_text", "text": "third"}],
                },
            }
        )
    )
    view.observe(
        ev(
            {
                "type": "conversation.item.created",
                "previous_item_id": "a",
                "item": {
                    "id": "b",
                    "type": "message",
                    "role": "user",
                    "content": [{"type": "input_text", "text": "second"}],
                },
            }
        )
    )
    view.observe(
        ev(
            {
                "type": "conversation.item.created",
                "previous_item_id": "root",
                "item": {"id": "z", "type": "message", "role": "user", "content": []},
            }
        )
    )
    assert [item.id for item in view] == ["z", "a", "b", "c"]
    view.observe(delta("response.text.delta", "t", "4"))
    view.observe(delta("response.text.delta", "t", "2"))
    assert view.get("t").text == "42"  # type: ignore[union-attr]
    view.observe(
        ev(
            {
                "type": "response.text.done",
                "response_id": "r",
                "item_id": "t",
                "output_index": 0,
                "content_index": 0,
                "text": "42!",
            }
        )
    )
    assert view.get("t").text == "42!"  # type: ignore[union-attr]
    view.observe(
        ev(
            {
                "type": "response.function_call_arguments.delta",
                "response_id": "r",
                "item_id": "f",
                "output_index": 1,
                "call_id": "c1",
                "delta": '{"a":',
            }
        )
    )
    view.observe(
        ev(
            {
                "type": "response.function_call_arguments.done",
                "response_id": "r",
                "item_id": "f",
                "output_index": 1,
                "call_id": "c1",
                "name": "add",
                "arguments": '{"a": 1}',
            }
        )
    )
    view.observe(
        ev(
            {
                "type": "conversation.item.created",
                "item": {"id": "o", "type": "function_call_output", "call_id": "c1", "output": "1"},
            }
        )
    )
    f = view.get("f")
    assert f is not None
    assert (f.type, f.name, f.arguments) == ("function_call", "add", '{"a": 1}')
    assert str(f) == 'function_call add({"a": 1}) [c1]'
    assert str(view.get("o")) == "function_call_output [c1]: 1"
    view.observe(
        ev(
            {
                "type": "conversation.item.truncated",
                "item_id": "t",
                "content_index": 0,
                "audio_end_ms": 120,
            }
        )
    )
    assert view.get("t").truncated_ms == 120  # type: ignore[union-attr]
    view.observe(ev({"type": "conversation.item.deleted", "item_id": "z"}))
    assert view.get("z") is None
    view.observe(
        ev(
            {
                "type": "conversation.item.input_audio_transcription.failed",
                "item_id": "b",
                "content_index": 0,
                "error": {"message": "no"},
            }
        )
    )
    assert view.get("b").parts[0].transcription_failed  # type: ignore[union-attr]
    view.observe(
        ev(
            {
                "type": "response.done",
                "response": {
                    "id": "r",
                    "status": "cancelled",
                    "output": [
                        {
                            "id": "t",
                            "type": "message",
                            "role": "assistant",
                            "status": "incomplete",
                            "content": [],
                        }
                    ],
                },
            }
        )
    )
    assert view.get("t").status == "incomplete"  # type: ignore[union-attr]
    view.observe(
        ev(
            {
                "type": "conversation.item.retrieved",
                "item": {
                    "id": "t",
                    "type": "message",
                    "role": "assistant",
                    "content": [{"type": "text", "text": "42!"}],
                },
            }
        )
    )
    view.rename("t", "t2")
    assert view.get("t2") is not None
    assert view.get("t") is None
    view.observe(ev({"type": "mcp_list_tools.in_progress", "item_id": "m"}))  # ignored
    assert str(ConversationView()) == ""


def test_max_items_drops_oldest_and_clear() -> None:
    view = ConversationView(max_items=2)
    for i in range(4):
        view.observe(
            ev(
                {
                    "type": "conversation.item.created",
                    "item": {
                        "id": f"i{i}",
                        "type": "message",
                        "role": "user",
                        "content": [{"type": "input_text", "text": str(i)}],
                    },
                }
            )
        )
    assert [item.id for item in view.items] == ["i2", "i3"]
    view.clear()
    assert len(view) == 0


async def test_against_emulator_text_and_spoken_turns() -> None:
    async with (
        MockServer(emulator_options={"ms_per_char": 10}) as server,
        connect(
            endpoint=server.endpoint, credential=AzureKeyCredential("k"), model="gpt-realtime"
        ) as conn,
    ):
        view = ConversationView().attach(conn)
        await conn.session.update(
            session={"input_audio_transcription": {"model": "whisper-1"}, "turn_detection": None},
            wait=True,
        )
        await conn.conversation.item.create(
            item={
                "type": "message",
                "role": "user",
                "content": [{"type": "input_text", "text": "hello"}],
            },
            wait=True,
        )
        done = conn.expect("response.done")
        await conn.response.create()
        await conn.wait_future(done, timeout=5)
        speech, _ = synthesize_speech("what time is it", PCM16_24K)
        await conn.input_audio_buffer.append(audio=speech)
        committed = await conn.input_audio_buffer.commit(wait=True)
        await conn.wait_for(
            "conversation.item.input_audio_transcription.completed",
            predicate=lambda e: getattr(e, "item_id", None) == committed.item_id,
            timeout=5,
        )
        done = conn.expect("response.done")
        await conn.response.create()
        await conn.wait_future(done, timeout=5)
        lines = view.lines()
        assert lines[0] == "user: hello"
        assert lines[1] == "assistant: You said: hello"
        assert lines[2].startswith("user: ")
        assert lines[2] != "user: (audio)"
        assert lines[3].startswith("assistant: You said: ")
        assert view.items[3].has_audio
