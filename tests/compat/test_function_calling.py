"""Function calling written for the official SDK, import-swapped, against the emulator.

Shape of the official function-calling sample: ``FunctionTool`` definitions with
``ToolChoiceLiteral.AUTO``; on ``CONVERSATION_ITEM_CREATED`` with ``ItemType.FUNCTION_CALL``
it checks the event and item classes with ``isinstance``, waits with ``recv()`` loops for
``RESPONSE_FUNCTION_CALL_ARGUMENTS_DONE`` then ``RESPONSE_DONE``, sends a
``FunctionCallOutputItem`` after the call item, and waits for the answer's
``RESPONSE_OUTPUT_ITEM_DONE``.
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import Callable, Mapping
from typing import Any

from azure.core.credentials import AzureKeyCredential

# The only change from code written for the official SDK: the import prefix.
from voicelive.aio import VoiceLiveConnection, connect
from voicelive.models import (
    AudioInputTranscriptionOptions,
    FunctionCallOutputItem,
    FunctionTool,
    InputTextContentPart,
    ItemType,
    Modality,
    RequestSession,
    ResponseFunctionCallItem,
    ServerEventConversationItemCreated,
    ServerEventResponseFunctionCallArgumentsDone,
    ServerEventType,
    Tool,
    ToolChoiceLiteral,
    UserMessageItem,
)
from voicelive.testing import FunctionCall, MockServer, Reply, ScriptedResponder


async def _wait_for_event(
    conn: VoiceLiveConnection, wanted: set[str], timeout_s: float = 10.0
) -> Any:
    async def _next() -> Any:
        while True:
            evt = await conn.recv()
            if evt.type in wanted:
                return evt

    return await asyncio.wait_for(_next(), timeout=timeout_s)


async def _wait_for_match(
    conn: VoiceLiveConnection, predicate: Callable[[Any], bool], timeout_s: float = 10.0
) -> Any:
    async def _next() -> Any:
        while True:
            evt = await conn.recv()
            if predicate(evt):
                return evt

    return await asyncio.wait_for(_next(), timeout=timeout_s)


def get_current_weather(arguments: str | Mapping[str, Any]) -> dict[str, Any]:
    args = json.loads(arguments) if isinstance(arguments, str) else dict(arguments)
    return {"location": args["location"], "temperature": 22, "unit": args.get("unit", "celsius")}


class FunctionCallingAssistant:
    def __init__(self) -> None:
        self.available_functions: dict[str, Callable[[Any], dict[str, Any]]] = {
            "get_current_weather": get_current_weather
        }
        self.results: list[dict[str, Any]] = []
        self.final_transcript: str | None = None

    async def run(self, endpoint: str) -> None:
        async with connect(
            endpoint=endpoint, credential=AzureKeyCredential("<key>"), model="gpt-realtime"
        ) as connection:
            tools: list[Tool] = [
                FunctionTool(
                    name="get_current_weather",
                    description="Get the current weather in a given location",
                    parameters={
                        "type": "object",
                        "properties": {
                            "location": {"type": "string"},
                            "unit": {"type": "string", "enum": ["celsius", "fahrenheit"]},
                        },
                        "required": ["location"],
                    },
                )
            ]
            await connection.session.update(
                session=RequestSession(
                    modalities=[Modality.TEXT, Modality.AUDIO],
                    instructions="Use the weather tool when asked about weather.",
                    tools=tools,
                    tool_choice=ToolChoiceLiteral.AUTO,
                    input_audio_transcription=AudioInputTranscriptionOptions(model="whisper-1"),
                )
            )
            await connection.conversation.item.create(
                item=UserMessageItem(
                    content=[InputTextContentPart(text="What's the weather in Seattle?")]
                )
            )
            await connection.response.create()
            async for event in connection:
                if event.type == ServerEventType.CONVERSATION_ITEM_CREATED:
                    if event.item.type == ItemType.FUNCTION_CALL:
                        await self._handle_function_call(event, connection)
                        return
                elif event.type == ServerEventType.ERROR:
                    raise AssertionError(event.error.message)

    async def _handle_function_call(self, created: Any, connection: VoiceLiveConnection) -> None:
        assert isinstance(created, ServerEventConversationItemCreated)
        assert isinstance(created.item, ResponseFunctionCallItem)
        item = created.item
        function_name, call_id, previous_item_id = item.name, item.call_id, item.id

        function_done = await _wait_for_event(
            connection, {ServerEventType.RESPONSE_FUNCTION_CALL_ARGUMENTS_DONE}
        )
        assert isinstance(function_done, ServerEventResponseFunctionCallArgumentsDone)
        assert function_done.call_id == call_id
        await _wait_for_event(connection, {ServerEventType.RESPONSE_DONE})

        result = self.available_functions[function_name](function_done.arguments)
        self.results.append(result)
        await connection.conversation.item.create(
            previous_item_id=previous_item_id,
            item=FunctionCallOutputItem(call_id=call_id, output=json.dumps(result)),
        )
        await connection.response.create()
        response = await _wait_for_match(
            connection,
            lambda e: (
                e.type == ServerEventType.RESPONSE_OUTPUT_ITEM_DONE
                and hasattr(e, "item")
                and e.item.id != previous_item_id
            ),
        )
        content = getattr(response.item, "content", None)
        if content and hasattr(content[0], "transcript"):
            self.final_transcript = content[0].transcript


async def test_function_calling_runs_import_swapped() -> None:
    responder = ScriptedResponder(
        [
            Reply(function_call=FunctionCall("get_current_weather", {"location": "Seattle"})),
            lambda context: (
                f"It is {json.loads(context.last_item['output'])['temperature']} "
                "degrees in Seattle."
            ),
        ]
    )
    assistant = FunctionCallingAssistant()
    async with asyncio.timeout(20), MockServer(responder=responder) as server:
        await assistant.run(server.endpoint)
        received = server.connections[0].received
    assert assistant.results == [{"location": "Seattle", "temperature": 22, "unit": "celsius"}]
    assert assistant.final_transcript == "It is 22 degrees in Seattle."
    output = [e for e in received if e.type == "conversation.item.create"][-1]
    assert output.item.type == "function_call_output"
    assert output.previous_item_id is not None
    assert responder.contexts[1].last_item["type"] == "function_call_output"
