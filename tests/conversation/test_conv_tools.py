"""ToolRegistry schemas from type hints; ToolRunner answering calls (parallel, errors)."""

from __future__ import annotations

import asyncio
import json
import threading
from typing import Annotated, Literal

import pytest
from azure.core.credentials import AzureKeyCredential
from conversation_support import created, send_json, serve
from pydantic import BaseModel, Field

from voicelive.aio import connect
from voicelive.conversation import ResponseGuard, ToolRegistry, ToolRunner
from voicelive.models import (
    ClientEventConversationItemCreate,
    ClientEventResponseCreate,
    FunctionTool,
    RequestSession,
)
from voicelive.testing import (
    FunctionCall,
    MockServer,
    MockServerConnection,
    Reply,
    ScriptedResponder,
)

KEY = AzureKeyCredential("k")


class Address(BaseModel):
    street: str
    city: str


def make_registry() -> ToolRegistry:
    tools = ToolRegistry()

    @tools.tool
    async def get_weather(city: str, unit: Literal["c", "f"] = "c") -> dict[str, object]:
        """Current weather for a city.

        Args:
            city: the city name,
                as the user said it.
            unit: temperature unit.
        """
        return {"city": city, "temperature": 21 if unit == "c" else 70}

    @tools.tool(name="ship", description="Ship a parcel.", timeout=1.0)
    def ship_parcel(
        to: Address, weight_kg: Annotated[float, Field(gt=0, description="parcel weight")]
    ) -> str:
        return f"shipped {weight_kg} kg to {to.city} on {threading.current_thread().name}"

    return tools


def test_schema_from_type_hints_and_docstring() -> None:
    tools = make_registry()
    assert len(tools) == 2
    assert "get_weather" in tools
    weather, ship = tools.definitions()
    assert isinstance(weather, FunctionTool)
    assert weather.description == "Current weather for a city."
    assert weather.parameters == {
        "type": "object",
        "properties": {
            "city": {"type": "string", "description": "the city name, as the user said it."},
            "unit": {
                "type": "string",
                "enum": ["c", "f"],
                "default": "c",
                "description": "temperature unit.",
            },
        },
        "required": ["city"],
        "additionalProperties": False,
    }
    assert ship.name == "ship"
    assert ship.description == "Ship a parcel."
    params = ship.parameters
    assert params["required"] == ["to", "weight_kg"]
    assert params["properties"]["weight_kg"] == {
        "type": "number",
        "exclusiveMinimum": 0,
        "description": "parcel weight",
    }
    assert "$defs" in params  # nested model
    assert [t.name for t in tools] == ["get_weather", "ship"]
    assert repr(tools) == "<ToolRegistry ['get_weather', 'ship']>"


def test_add_to_session_keeps_other_tools_and_replaces_same_name() -> None:
    tools = make_registry()
    session = tools.add_to(
        {
            "instructions": "hi",
            "tools": [
                {"type": "function", "name": "get_weather", "parameters": {}},
                {"type": "function", "name": "other"},
            ],
        }
    )
    assert isinstance(session, RequestSession)
    assert session.instructions == "hi"
    assert [t.name for t in session.tools or []] == ["other", "get_weather", "ship"]  # type: ignore[union-attr]
    model = RequestSession(instructions="x")
    assert tools.add_to(model) is not model
    assert len(tools.add_to().tools or []) == 2


def test_registration_errors() -> None:
    tools = make_registry()
    with pytest.raises(ValueError, match="already registered"):
        tools.add(lambda city: city, name="get_weather")

    def star(*args: int) -> None:
        pass

    with pytest.raises(TypeError, match=r"\*args"):
        tools.add(star)


async def test_invoke_validates_and_turns_errors_into_outputs() -> None:
    tools = make_registry()
    assert json.loads(await tools.call("get_weather", '{"city": "Oslo"}')) == {
        "city": "Oslo",
        "temperature": 21,
    }
    assert (
        json.loads(await tools.call("get_weather", {"city": "Oslo", "unit": "f"}))["temperature"]
        == 70
    )
    bad = json.loads(await tools.call("get_weather", '{"unit": "k"}'))
    assert "city: Field required" in bad["error"]
    assert "unit" in bad["error"]
    assert "error" in json.loads(await tools.call("get_weather", "not json"))
    assert "unknown tool" in json.loads(await tools.call("nope", "{}"))["error"]
    shipped = await tools.call(
        "ship", '{"to": {"street": "Main", "city": "Bergen"}, "weight_kg": 2}'
    )
    assert shipped.startswith("shipped 2.0 kg to Bergen")
    assert "MainThread" not in shipped  # sync tools run in a worker thread
    negative = json.loads(
        await tools.call("ship", '{"to": {"street": "a", "city": "b"}, "weight_kg": -1}')
    )
    assert "greater than 0" in negative["error"]


async def test_tool_exception_and_timeout_become_error_outputs() -> None:
    tools = ToolRegistry()

    @tools.tool
    def explode(reason: str) -> None:
        """Raise."""
        raise RuntimeError(reason)

    @tools.tool(timeout=0.05)
    async def slow() -> str:
        await asyncio.sleep(5)
        return "never"

    @tools.tool
    def unserializable() -> object:
        return object()

    assert json.loads(await tools.call("explode", '{"reason": "kaput"}')) == {
        "error": "RuntimeError: kaput"
    }
    assert "timed out" in json.loads(await tools.call("slow", ""))["error"]
    assert (await tools.call("unserializable", "{}")).startswith('"<object object')


def weather_and_ship_server(**kwargs: object) -> MockServer:
    responder = ScriptedResponder(
        [
            Reply(
                text="Let me check.",
                function_call=[
                    FunctionCall("get_weather", {"city": "Paris"}),
                    FunctionCall("ship", {"to": {"street": "x", "city": "Lyon"}, "weight_kg": -3}),
                ],
            ),
            "It is 21 degrees in Paris, and the parcel weight was wrong.",
        ]
    )
    return MockServer(responder=responder, emulator_options={"ms_per_char": 2}, **kwargs)  # type: ignore[arg-type]


async def test_runner_answers_parallel_calls_then_one_response_create() -> None:
    tools = make_registry()
    async with (
        weather_and_ship_server() as server,
        connect(endpoint=server.endpoint, credential=KEY, model="m") as conn,
    ):
        runner = ToolRunner(tools, conn)
        await conn.session.update(session=tools.add_to({"turn_detection": None}), wait=True)
        await conn.conversation.item.create(
            item={
                "type": "message",
                "role": "user",
                "content": [{"type": "input_text", "text": "weather?"}],
            },
            wait=True,
        )
        await conn.response.create()
        final = None
        async for event in conn:
            if event.type == "response.done" and event.response.id == "resp_0002":
                final = event
                break
        assert final is not None
        await runner.wait_idle(timeout=5)
        outputs = [
            e.item
            for e in server.received
            if isinstance(e, ClientEventConversationItemCreate)
            and e.item
            and e.item.type == "function_call_output"
        ]
        assert [o.call_id for o in outputs] == ["call_0001", "call_0002"]  # type: ignore[union-attr]
        assert json.loads(outputs[0].output)["city"] == "Paris"  # type: ignore[union-attr]
        assert "greater than 0" in json.loads(outputs[1].output)["error"]  # type: ignore[union-attr]
        creates = [e for e in server.received if isinstance(e, ClientEventResponseCreate)]
        assert len(creates) == 2  # ours + exactly one follow-up
        assert [r.ok for r in runner.history] == [True, False]
        assert not runner.busy
        assert "ToolRunner" in repr(runner)


async def test_runner_with_guard_and_unknown_tool() -> None:
    tools = make_registry()
    started = asyncio.Event()
    release = asyncio.Event()

    @tools.tool
    async def wait_here() -> str:
        started.set()
        await release.wait()
        return "ok"

    responder = ScriptedResponder(
        [
            Reply(function_call=FunctionCall("wait_here")),
            "after tool",
            Reply(function_call=FunctionCall("nope")),
            "sorry",
        ]
    )
    async with (
        MockServer(responder=responder, emulator_options={"ms_per_char": 2}) as server,
        connect(endpoint=server.endpoint, credential=KEY, model="m") as conn,
    ):
        guard = ResponseGuard(conn)
        runner = ToolRunner(tools, conn, guard=guard)
        session = tools.add_to({"turn_detection": None})
        session.tools = [*(session.tools or []), FunctionTool(name="nope")]
        await conn.session.update(session=session, wait=True)
        await guard.create()
        await conn.wait_for("response.function_call_arguments.done", timeout=5)
        await asyncio.wait_for(started.wait(), 5)
        release.set()
        await conn.wait_for(
            "response.done", predicate=lambda e: e.response.id == "resp_0002", timeout=5
        )
        await runner.wait_idle(timeout=5)
        await guard.create()
        await conn.wait_for(
            "response.done", predicate=lambda e: e.response.id == "resp_0004", timeout=5
        )
        await runner.wait_idle(timeout=5)
        assert [(r.name, r.ok) for r in runner.history] == [("wait_here", True), ("nope", False)]
        assert "unknown tool" in runner.history[-1].output
        creates = [e for e in server.received if isinstance(e, ClientEventResponseCreate)]
        assert len(creates) == 4
        assert not [f for f in server.connections[0].sent if '"type":"error"' in f]


async def test_cancelled_response_gets_outputs_but_no_follow_up() -> None:
    tools = make_registry()

    async def handler(conn: MockServerConnection) -> None:
        await send_json(conn, created())
        async for event in conn:
            if isinstance(event, ClientEventResponseCreate):
                await send_json(conn, {"type": "response.created", "response": {"id": "r1"}})
                await send_json(
                    conn,
                    {
                        "type": "response.function_call_arguments.done",
                        "response_id": "r1",
                        "item_id": "f1",
                        "output_index": 0,
                        "call_id": "c1",
                        "name": "get_weather",
                        "arguments": '{"city": "Rome"}',
                    },
                )
                await send_json(
                    conn,
                    {"type": "response.done", "response": {"id": "r1", "status": "cancelled"}},
                )

    async with serve(handler) as (server, conn):
        runner = ToolRunner(tools, conn)
        done = conn.expect("response.done")
        await conn.response.create()
        await conn.wait_future(done, timeout=5)
        await runner.wait_idle(timeout=5)
        await asyncio.sleep(0.05)
        kinds = [e.type for e in server.received]
        assert kinds == ["response.create", "conversation.item.create"]


async def test_runner_leaves_unknown_tools_and_skips_follow_up_when_not_completed() -> None:
    tools = make_registry()
    responder = ScriptedResponder([Reply(function_call=FunctionCall("app_handles_this"))])
    async with (
        MockServer(responder=responder) as server,
        connect(endpoint=server.endpoint, credential=KEY, model="m") as conn,
    ):
        runner = ToolRunner(tools, conn, handle_unknown=False)
        await conn.session.update(
            session={
                "turn_detection": None,
                "tools": [{"type": "function", "name": "app_handles_this"}],
            },
            wait=True,
        )
        done = conn.expect("response.done")
        await conn.response.create()
        await conn.wait_future(done, timeout=5)
        await runner.wait_idle(timeout=1)
        assert list(runner.history) == []
        assert not any(isinstance(e, ClientEventConversationItemCreate) for e in server.received)
        await runner.aclose()


async def test_runner_reset_abandons_calls_of_unfinished_responses() -> None:
    tools = ToolRegistry()
    gate = asyncio.Event()

    @tools.tool
    async def hang() -> str:
        await gate.wait()
        return "late"

    responder = ScriptedResponder([Reply(function_call=FunctionCall("hang"))])
    async with (
        MockServer(responder=responder, pace="realtime") as server,
        connect(endpoint=server.endpoint, credential=KEY, model="m") as conn,
    ):
        runner = ToolRunner(tools, conn)
        await conn.session.update(session=tools.add_to({"turn_detection": None}), wait=True)
        await conn.response.create()
        await conn.wait_for("response.function_call_arguments.done", timeout=5)
        assert runner.busy
        runner.reset()
        await runner.wait_idle(timeout=1)
        assert list(runner.history) == []
        del server
