"""MCP tools with approval written for the official SDK, import-swapped, on the emulator.

Shape of the official MCP sample: two ``MCPServer`` tools (one ``require_approval="never"``,
one ``"always"``) on API version 2026-07-15; a handler per ``ServerEventType`` for the
``mcp_list_tools.*`` and ``response.mcp_call.*`` events; on ``CONVERSATION_ITEM_CREATED``
it branches on ``ItemType`` and checks item classes with ``isinstance``; an approval request
is answered with an ``MCPApprovalResponseRequestItem`` (the sample asks the user; here a
policy decides); a completed call's output is read from the ``RESPONSE_OUTPUT_ITEM_DONE``
that carries the ``ResponseMCPCallItem``.
"""

from __future__ import annotations

import asyncio
from typing import Any

import pytest
from azure.core.credentials import AzureKeyCredential

# The only change from code written for the official SDK: the import prefix.
from voicelive.aio import VoiceLiveConnection, connect
from voicelive.models import (
    ItemType,
    MCPApprovalResponseRequestItem,
    MCPServer,
    Modality,
    RequestSession,
    ResponseMCPApprovalRequestItem,
    ResponseMCPCallItem,
    ResponseMCPListToolItem,
    ServerEventConversationItemCreated,
    ServerEventResponseMcpCallCompleted,
    ServerEventResponseOutputItemDone,
    ServerEventType,
    Tool,
    ToolChoiceLiteral,
)
from voicelive.testing import McpCall, MockServer, Reply, ScriptedResponder


async def _wait_for_event(
    conn: VoiceLiveConnection, wanted: set[str], timeout_s: float = 10.0
) -> Any:
    async def _next() -> Any:
        while True:
            evt = await conn.recv()
            if evt.type in wanted:
                return evt

    return await asyncio.wait_for(_next(), timeout=timeout_s)


class McpClient:
    def __init__(self, approve: bool) -> None:
        self.approve = approve
        self.log: list[str] = []
        self.listed: list[str] = []
        self.approvals: list[tuple[str | None, str | None]] = []
        self.outputs: list[str | None] = []
        self.answers: list[str] = []

    async def run(self, endpoint: str) -> None:
        async with connect(
            endpoint=endpoint,
            credential=AzureKeyCredential("<key>"),
            model="gpt-realtime",
            api_version="2026-07-15",
        ) as connection:
            mcp_tools: list[Tool] = [
                MCPServer(
                    server_label="deepwiki",
                    server_url="https://mcp.deepwiki.example/mcp",
                    require_approval="never",
                ),
                MCPServer(
                    server_label="learn",
                    server_url="https://learn.example/api/mcp",
                    require_approval="always",
                ),
            ]
            await connection.session.update(
                session=RequestSession(
                    modalities=[Modality.TEXT],
                    instructions="You are a helpful AI assistant with access to some mcp servers.",
                    tools=mcp_tools,
                    tool_choice=ToolChoiceLiteral.AUTO,
                )
            )
            await self._process_events(connection)

    async def _process_events(self, connection: VoiceLiveConnection) -> None:
        responses_done = 0
        async for event in connection:
            self.log.append(event.type)
            if event.type == ServerEventType.SESSION_UPDATED:
                continue
            if event.type == ServerEventType.MCP_LIST_TOOLS_COMPLETED:
                if len(self.listed) == 2:  # both servers listed: ask the question
                    await connection.response.create()
            elif event.type == ServerEventType.MCP_LIST_TOOLS_FAILED:
                raise AssertionError(f"MCP list tools failed for {event.item_id}")
            elif event.type == ServerEventType.RESPONSE_MCP_CALL_COMPLETED:
                await self._handle_mcp_call_completed(event, connection)
            elif event.type == ServerEventType.RESPONSE_MCP_CALL_FAILED:
                raise AssertionError(f"MCP call failed for {event.item_id}")
            elif event.type == ServerEventType.CONVERSATION_ITEM_CREATED:
                if event.item.type == ItemType.MCP_LIST_TOOLS:
                    assert isinstance(event.item, ResponseMCPListToolItem)
                    self.listed.append(event.item.server_label)
                elif event.item.type == ItemType.MCP_APPROVAL_REQUEST:
                    await self._handle_mcp_approval_request(event, connection)
            elif event.type == ServerEventType.RESPONSE_TEXT_DONE:
                self.answers.append(event.text)
            elif event.type == ServerEventType.RESPONSE_DONE:
                responses_done += 1
                if responses_done == 2:  # the approval request, then the answer
                    return
            elif event.type == ServerEventType.ERROR:
                raise AssertionError(event.error.message)

    async def _handle_mcp_approval_request(
        self, created: Any, connection: VoiceLiveConnection
    ) -> None:
        assert isinstance(created, ServerEventConversationItemCreated)
        assert isinstance(created.item, ResponseMCPApprovalRequestItem)
        item = created.item
        assert item.id
        self.approvals.append((item.server_label, item.name))
        await connection.conversation.item.create(
            item=MCPApprovalResponseRequestItem(approval_request_id=item.id, approve=self.approve)
        )

    async def _handle_mcp_call_completed(
        self, completed: Any, connection: VoiceLiveConnection
    ) -> None:
        assert isinstance(completed, ServerEventResponseMcpCallCompleted)
        done = await _wait_for_event(connection, {ServerEventType.RESPONSE_OUTPUT_ITEM_DONE})
        assert isinstance(done, ServerEventResponseOutputItemDone)
        assert isinstance(done.item, ResponseMCPCallItem)
        assert done.item.id == completed.item_id
        self.outputs.append(done.item.output)


@pytest.mark.parametrize("approve", [True, False], ids=["approved", "denied"])
async def test_mcp_calls_with_approval_run_import_swapped(approve: bool) -> None:
    responder = ScriptedResponder(
        [
            Reply(
                mcp_call=McpCall(
                    name="microsoft_docs_search",
                    server_label="learn",
                    arguments={"query": "voice live"},
                    output="Voice Live is a speech-to-speech API.",
                ),
                text="Voice Live is a speech-to-speech API.",
            )
        ]
    )
    emulator_options = {
        "mcp_tools": {
            "deepwiki": [{"name": "ask_question", "input_schema": {}}],
            "learn": [{"name": "microsoft_docs_search", "input_schema": {}}],
        }
    }
    client = McpClient(approve)
    async with (
        asyncio.timeout(20),
        MockServer(responder=responder, emulator_options=emulator_options) as server,
    ):
        await client.run(server.endpoint)
        received = server.connections[0].received
    assert client.listed == ["deepwiki", "learn"]
    assert client.approvals == [("learn", "microsoft_docs_search")]
    (answer,) = [e for e in received if e.type == "conversation.item.create"]
    assert answer.item.type == "mcp_approval_response"
    assert answer.item.approve is approve
    if approve:
        assert client.outputs == ["Voice Live is a speech-to-speech API."]
        assert client.answers == ["Voice Live is a speech-to-speech API."]
    else:
        assert client.outputs == []
        assert "response.mcp_call.in_progress" not in client.log
        assert len(client.answers) == 1
        assert "not approved" in client.answers[0]
