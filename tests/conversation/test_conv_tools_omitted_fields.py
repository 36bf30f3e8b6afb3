"""The tool runner copes with the fields published examples leave out: a
``response.function_call_arguments.done`` without ``name`` (taken from the function_call item
of ``response.output_item.added``) and a ``response.done`` without its response object."""

from __future__ import annotations

import json

from conversation_support import created, send_json, serve

from voicelive.conversation import ToolRegistry, ToolRunner
from voicelive.models import (
    ClientEventConversationItemCreate,
    ClientEventResponseCreate,
    FunctionCallOutputItem,
)
from voicelive.testing import MockServerConnection


def _registry() -> ToolRegistry:
    tools = ToolRegistry()

    @tools.tool
    def get_weather(city: str) -> dict[str, object]:
        """Weather for a city."""
        return {"city": city, "sky": "clear"}

    return tools


async def test_name_comes_from_the_item_and_done_without_response_finishes_the_call() -> None:
    async def handler(conn: MockServerConnection) -> None:
        await send_json(conn, created())
        creates = 0
        async for event in conn:
            if not isinstance(event, ClientEventResponseCreate):
                continue
            creates += 1
            if creates == 2:  # the runner's follow-up after the tool output
                await send_json(conn, {"type": "response.created", "response": {"id": "r2"}})
            if creates == 1:
                await send_json(conn, {"type": "response.created", "response": {"id": "r1"}})
                await send_json(
                    conn,
                    {
                        "type": "response.output_item.added",
                        "response_id": "r1",
                        "output_index": 0,
                        "item": {
                            "id": "f1",
                            "type": "function_call",
                            "call_id": "c1",
                            "name": "get_weather",
                            "arguments": "",
                        },
                    },
                )
                # as in the Voice Live reference: no "name" in the done event
                await send_json(
                    conn,
                    {
                        "type": "response.function_call_arguments.done",
                        "response_id": "r1",
                        "item_id": "f1",
                        "output_index": 0,
                        "call_id": "c1",
                        "arguments": '{"city": "Rome"}',
                    },
                )
                # as in the Azure OpenAI reference: no response object
                await send_json(conn, {"type": "response.done"})

    async with serve(handler) as (server, conn):
        runner = ToolRunner(_registry(), conn)
        follow_up = conn.expect(
            "response.created", predicate=lambda e: e.response is not None and e.response.id == "r2"
        )
        await conn.response.create()
        await conn.wait_future(follow_up, timeout=5)
        await runner.wait_idle(timeout=5)
        assert [(r.name, r.call_id, r.ok) for r in runner.history] == [("get_weather", "c1", True)]
        outputs = [e for e in server.received if isinstance(e, ClientEventConversationItemCreate)]
        assert len(outputs) == 1
        item = outputs[0].item
        assert isinstance(item, FunctionCallOutputItem)
        assert json.loads(item.output) == {"city": "Rome", "sky": "clear"}
        # the follow-up response.create was sent (and answered): the call counted as completed
        await runner.aclose()
