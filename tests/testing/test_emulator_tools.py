"""Server-side tools over real loopback connections: MCP (listing, calls, approval), Foundry
agents, web/file search, interim responses.

The app side is written the way the official samples write it: one ``async for event in
conn`` loop dispatching on ``event.type``, answering approvals from inside the loop.
"""

from __future__ import annotations

import asyncio
from typing import Any

import pytest
from testing_helpers import collect, open_client, squash, types

from voicelive.aio import VoiceLiveConnection
from voicelive.models import (
    FoundryAgentTool,
    FunctionTool,
    MCPApprovalResponseRequestItem,
    MCPServer,
    RequestSession,
    ServerEventType,
)
from voicelive.testing import (
    AgentCall,
    FunctionCall,
    McpCall,
    MockServer,
    Reply,
    ScriptedResponder,
    SearchCall,
)

DOCS = MCPServer(
    server_label="docs",
    server_url="https://docs.example.com/mcp",
    allowed_tools=["search_docs"],
)


async def _run_app(
    conn: VoiceLiveConnection, approve: bool, *, responses: int
) -> tuple[list[str], list[Any]]:
    """A sample-style event loop: approve (or deny) every MCP approval request."""
    seen: list[str] = []
    items: list[Any] = []
    done = 0

    async def loop() -> None:
        nonlocal done
        async for event in conn:
            seen.append(event.type)
            if event.type == ServerEventType.RESPONSE_OUTPUT_ITEM_DONE:
                items.append(event.item)
                if event.item.type == "mcp_approval_request":
                    await conn.conversation.item.create(
                        item=MCPApprovalResponseRequestItem(
                            approval_request_id=event.item.id, approve=approve
                        )
                    )
            elif event.type == ServerEventType.RESPONSE_DONE:
                done += 1
                if done == responses:
                    return

    await asyncio.wait_for(loop(), 5.0)
    return seen, items


async def test_mcp_tools_are_listed_when_the_session_gets_an_mcp_server() -> None:
    emulator_options = {"mcp_tools": {"docs": [{"name": "search_docs", "input_schema": {}}]}}
    broken = MCPServer(server_label="down", server_url="https://mcp.example.invalid/")
    async with MockServer(emulator_options=emulator_options) as server:
        async with open_client(server.endpoint) as conn:
            await conn.recv()
            await conn.session.update(session=RequestSession(tools=[DOCS, broken]))
            events = await collect(conn, "mcp_list_tools.failed")
    assert types(events) == [
        "session.updated",
        "conversation.item.created",
        "mcp_list_tools.in_progress",
        "mcp_list_tools.completed",
        "conversation.item.done",
        "conversation.item.created",
        "mcp_list_tools.in_progress",
        "mcp_list_tools.failed",
    ]
    listed = events[4].item
    assert listed.type == "mcp_list_tools"
    assert listed.server_label == "docs"
    assert [tool.name for tool in listed.tools] == ["search_docs"]
    assert events[2].item_id == events[1].item.id == listed.id
    assert events[7].item_id == events[5].item.id != listed.id


@pytest.mark.parametrize("approve", [True, False])
async def test_mcp_approval_answer_decides_whether_the_call_runs(approve: bool) -> None:
    responder = ScriptedResponder(
        [
            Reply(
                mcp_call=McpCall(
                    name="search_docs", arguments={"q": "vad"}, output="VAD = voice detection"
                ),
                text="VAD means voice activity detection.",
            )
        ]
    )
    async with MockServer(responder=responder) as server:
        async with open_client(server.endpoint) as conn:
            await conn.recv()
            await conn.session.update(session=RequestSession(modalities=["text"], tools=[DOCS]))
            await collect(conn, "mcp_list_tools.completed")
            await conn.response.create()
            seen, items = await _run_app(conn, approve, responses=2)
    first_done = seen.index("response.done")
    # the first response ends with the approval request, nothing ran yet
    assert "response.mcp_call.in_progress" not in seen[:first_done]
    assert items[0].type == "mcp_approval_request"
    assert items[0].name == "search_docs"
    assert items[0].arguments == '{"q": "vad"}'
    after = seen[first_done + 1 :]
    assert after[:2] == ["conversation.item.created", "response.created"]
    if approve:
        assert squash(after) == [
            "conversation.item.created",
            "response.created",
            "response.output_item.added",
            "conversation.item.created",
            "response.mcp_call_arguments.delta",
            "response.mcp_call_arguments.done",
            "response.mcp_call.in_progress",
            "response.mcp_call.completed",
            "response.output_item.done",
            "response.output_item.added",
            "conversation.item.created",
            "response.content_part.added",
            "<deltas: response.text.delta>",
            "response.text.done",
            "response.content_part.done",
            "response.output_item.done",
            "response.done",
        ]
        call = items[1]
        assert call.type == "mcp_call"
        assert call.approval_request_id == items[0].id
        assert call.output == "VAD = voice detection"
        assert items[2].content[0].text == "VAD means voice activity detection."
    else:
        assert not any(name.startswith("response.mcp_call") for name in after)
        assert [item.type for item in items[1:]] == ["message"]
        assert "not approved" in items[1].content[0].text


async def test_mcp_never_approval_runs_at_once_and_a_failing_call_reports_failed() -> None:
    server_tool = MCPServer(
        server_label="docs", server_url="https://docs.example.com/mcp", require_approval="never"
    )
    responder = ScriptedResponder(
        [Reply(mcp_call=McpCall(name="search_docs", error="upstream 500"), text="Sorry.")]
    )
    async with MockServer(responder=responder) as server:
        async with open_client(server.endpoint) as conn:
            await conn.recv()
            await conn.session.update(
                session=RequestSession(modalities=["text"], tools=[server_tool])
            )
            await collect(conn, "mcp_list_tools.completed")
            await conn.response.create()
            seen, items = await _run_app(conn, True, responses=1)
    assert "response.mcp_call.failed" in seen
    assert "response.mcp_call.completed" not in seen
    assert items[0].type == "mcp_call"
    assert items[0].error == {"type": "mcp_tool_error", "message": "upstream 500"}
    assert items[1].content[0].text == "Sorry."


async def test_an_approval_for_an_unknown_request_is_refused() -> None:
    async with MockServer() as server, open_client(server.endpoint) as conn:
        await conn.recv()
        await conn.mcp.respond_to_approval(approval_request_id="mcpr_9999", approve=True)
        event = await conn.recv()
    assert event.type == "error"
    assert event.error.param == "item.approval_request_id"


async def test_a_call_to_an_unconfigured_mcp_server_fails_the_response() -> None:
    responder = ScriptedResponder([Reply(mcp_call=McpCall(name="x", server_label="nope"))])
    async with MockServer(responder=responder) as server, open_client(server.endpoint) as conn:
        await conn.recv()
        await conn.response.create()
        events = await collect(conn)
    assert types(events) == ["response.created", "error", "response.done"]
    assert "no such mcp tool" in events[1].error.message
    assert events[2].response.status == "failed"


async def test_foundry_agent_call_streams_its_events_and_output() -> None:
    agent = FoundryAgentTool(agent_name="billing", project_name="contoso")
    responder = ScriptedResponder(
        [
            Reply(
                agent_call=AgentCall(
                    agent_name="billing", arguments={"invoice": 7}, output="Invoice 7 is paid."
                ),
                text="Your invoice is paid.",
            ),
            Reply(agent_call=AgentCall(agent_name="billing", error="agent timed out")),
        ]
    )
    async with MockServer(responder=responder) as server, open_client(server.endpoint) as conn:
        await conn.recv()
        await conn.session.update(session=RequestSession(modalities=["text"], tools=[agent]))
        await conn.recv()
        await conn.response.create()
        ok = await collect(conn)
        await conn.response.create()
        failed = await collect(conn)
    assert squash(types(ok))[:9] == [
        "response.created",
        "response.output_item.added",
        "conversation.item.created",
        "response.foundry_agent_call_arguments.delta",
        "response.foundry_agent_call_arguments.done",
        "response.foundry_agent_call.in_progress",
        "response.foundry_agent_call.completed",
        "response.output_item.done",
        "response.output_item.added",
    ]
    done = [e for e in ok if e.type == "response.output_item.done"]
    assert done[0].item.output == "Invoice 7 is paid."
    assert done[0].item.arguments == '{"invoice": 7}'
    in_progress = next(e for e in ok if e.type == "response.foundry_agent_call.in_progress")
    completed = next(e for e in ok if e.type == "response.foundry_agent_call.completed")
    assert in_progress.agent_response_id == completed.agent_response_id is not None
    assert "response.foundry_agent_call.failed" in types(failed)
    assert "response.foundry_agent_call.completed" not in types(failed)


async def test_agent_mode_session_reports_the_agent() -> None:
    async with MockServer() as server:
        async with open_client(
            server.endpoint, model=None, agent_name="helper", project_name="contoso"
        ) as conn:
            created = await conn.recv()
    assert created.session.agent is not None
    assert created.session.agent.name == "helper"
    assert created.session.agent.agent_id.startswith("asst_")


async def test_web_and_file_search_calls() -> None:
    responder = ScriptedResponder(
        [
            Reply(
                search=[
                    SearchCall(kind="web_search"),
                    SearchCall(
                        kind="file_search",
                        queries=["refund policy"],
                        results=[{"file_id": "f1", "filename": "policy.md", "score": 0.9}],
                    ),
                ],
                text="Refunds take 5 days.",
            )
        ]
    )
    async with MockServer(responder=responder) as server, open_client(server.endpoint) as conn:
        await conn.recv()
        await conn.response.create(response={"modalities": ["text"]})
        events = await collect(conn)
    names = types(events)
    for kind in ("web_search", "file_search"):
        stages = [n for n in names if n.startswith(f"response.{kind}_call.")]
        assert stages == [
            f"response.{kind}_call.in_progress",
            f"response.{kind}_call.searching",
            f"response.{kind}_call.completed",
        ]
    seq = [e.sequence_number for e in events if e.type.startswith("response.web_search_call.")]
    assert seq == [0, 1, 2]
    file_item = next(
        e.item
        for e in events
        if e.type == "response.output_item.done" and e.item.type == "file_search_call"
    )
    assert file_item.queries == ["refund policy"]
    assert file_item.results[0].file_id == "f1"
    assert names.index("response.web_search_call.completed") < names.index("response.text.delta")


async def test_interim_response_precedes_a_tool_call_when_configured() -> None:
    tool = FunctionTool(name="lookup", parameters={"type": "object"})
    interim = {"type": "static_interim_response", "texts": ["Hold on."], "triggers": ["tool"]}
    responder = ScriptedResponder(
        [
            Reply(function_call=FunctionCall("lookup")),
            Reply(text="no tool, no interim"),
        ]
    )
    async with MockServer(responder=responder) as server, open_client(server.endpoint) as conn:
        await conn.recv()
        await conn.session.update(
            session=RequestSession(modalities=["text"], tools=[tool], interim_response=interim)
        )
        await conn.recv()
        await conn.response.create()
        first = await collect(conn)
        await conn.response.create()
        second = await collect(conn)
    added = [e.item for e in first if e.type == "response.output_item.done"]
    assert [item.type for item in added] == ["message", "function_call"]
    assert added[0].content[0].text == "Hold on."
    messages = [e.item for e in second if e.type == "response.output_item.done"]
    assert [m.content[0].text for m in messages] == ["no tool, no interim"]
