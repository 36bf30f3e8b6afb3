"""Server-side tools: MCP servers (tool listing, calls, approvals), Foundry agents, searches.

Unlike function calls, these tools run *in the service*: the app only watches the events
(and, for MCP calls that need approval, answers an ``mcp_approval_request`` item). Facts
follow the public references:

* MCP -- "How to add an MCP server to Voice Live"
  (https://learn.microsoft.com/azure/ai-services/speech-service/how-to-voice-live-mcp-server):
  tools are listed when the session gets an ``mcp`` tool (``mcp_list_tools`` events);
  ``require_approval`` is ``"always"`` by default, ``"never"``, or a per-tool
  ``{"always": [...], "never": [...]}`` map; with approval the client receives an
  ``mcp_approval_request`` item and the call does not run until the client answers with an
  ``mcp_approval_response`` item (``conn.mcp.respond_to_approval``) with ``approve=true``.
* Event and item fields -- Voice Live API reference
  (https://learn.microsoft.com/azure/ai-services/speech-service/voice-live-api-reference-2026-07-15):
  ``response.mcp_call_arguments.delta/done`` carry ``response_id``, ``item_id``,
  ``output_index``; ``response.mcp_call.in_progress/completed/failed`` carry only
  ``item_id`` and ``output_index``; ``response.foundry_agent_call.*`` add
  ``agent_response_id``; search events carry a ``sequence_number``.

Emulated ordering of one server-side call (the service documents the events, not every
interleaving; this is the order of the OpenAI realtime protocol Voice Live derives from):
``response.output_item.added`` -> ``conversation.item.created`` -> arguments ``delta``\\* ->
arguments ``done`` -> ``<call>.in_progress`` -> ``<call>.completed`` | ``<call>.failed`` ->
``response.output_item.done`` (the item with its ``output`` or ``error``).

An approval ends the response with the ``mcp_approval_request`` item; the client's
``mcp_approval_response`` item then starts the next response on its own (or is used by the
next ``response.create`` if a response is active): approved -> the ``mcp_call`` runs and the
rest of the scripted reply follows; denied -> no call, and an assistant message saying so.

A server whose ``server_url`` host ends in ``.invalid`` (a name reserved by RFC 2606 never
to resolve) fails its tool listing (``mcp_list_tools.failed``).
"""

from __future__ import annotations

import copy
from collections.abc import Iterator, Mapping
from typing import Any
from urllib.parse import urlsplit

from .._responders import AgentCall, McpCall, SearchCall
from ._base import TEXT_DELTA_MS, EmulatorState, PendingApproval, PlannedOutput, Refused
from ._base import ResponseState as _Resp

__all__ = ["ToolsPart"]


class ToolsPart(EmulatorState):
    """MCP, Foundry agent and search calls (planned by the response part, streamed here)."""

    # -- MCP tool listing ------------------------------------------------------------------

    def _list_mcp_tools(self) -> None:
        """After ``session.updated``: list the tools of every MCP server not listed yet."""
        for tool in self.session.get("tools") or []:
            if not isinstance(tool, Mapping) or tool.get("type") != "mcp":
                continue
            label = str(tool.get("server_label"))
            if label in self._mcp_listed:
                continue
            item: dict[str, Any] = {
                "id": self._ids.next("item"),
                "object": "realtime.item",
                "type": "mcp_list_tools",
                "server_label": label,
                "tools": [],
            }
            previous = self._insert_item(item)
            self._mcp_listed[label] = item
            self._emit("conversation.item.created", previous_item_id=previous, item=dict(item))
            self._emit("mcp_list_tools.in_progress", item_id=item["id"])
            host = urlsplit(str(tool.get("server_url") or "")).hostname or ""
            if host.endswith(".invalid"):
                self._emit("mcp_list_tools.failed", item_id=item["id"])
                continue
            item["tools"] = self._mcp_server_tools(label, tool)
            self._emit("mcp_list_tools.completed", item_id=item["id"])
            self._emit(
                "conversation.item.done", previous_item_id=previous, item=copy.deepcopy(item)
            )

    def _mcp_server_tools(self, label: str, tool: Mapping[str, Any]) -> list[dict[str, Any]]:
        listed = self.mcp_tools.get(label)
        if listed is not None:
            return copy.deepcopy(listed)
        return [
            {"name": str(name), "input_schema": {"type": "object"}}
            for name in tool.get("allowed_tools") or []
        ]

    # -- planning --------------------------------------------------------------------------

    def _mcp_server(self, call: McpCall, tools: list[dict[str, Any]]) -> dict[str, Any]:
        servers = [t for t in tools if t.get("type") == "mcp"]
        for server in servers:
            if call.server_label in (None, server.get("server_label")):
                allowed = server.get("allowed_tools")
                if allowed is not None and call.name not in allowed:
                    raise Refused(
                        "invalid_function_call",
                        f"The responder called MCP tool '{call.name}', which is not in the "
                        f"allowed_tools of server '{server.get('server_label')}' ({allowed}).",
                    )
                return server
        raise Refused(
            "invalid_function_call",
            f"The responder called MCP tool '{call.name}' on server "
            f"'{call.server_label or '(any)'}', but this response has no such mcp tool "
            f"(servers: {[s.get('server_label') for s in servers]}).",
        )

    def _agent_tool(self, call: AgentCall, tools: list[dict[str, Any]]) -> dict[str, Any]:
        agents = [t for t in tools if t.get("type") == "foundry_agent"]
        for agent in agents:
            if agent.get("agent_name") == call.agent_name:
                return agent
        raise Refused(
            "invalid_function_call",
            f"The responder called Foundry agent '{call.agent_name}', which is not a "
            f"foundry_agent tool of this response (agents: "
            f"{[a.get('agent_name') for a in agents]}).",
        )

    @staticmethod
    def _needs_approval(server: Mapping[str, Any], name: str) -> bool:
        mode = server.get("require_approval")
        if mode is None or mode == "always":
            return True
        if mode == "never":
            return False
        if isinstance(mode, Mapping):
            return name not in (mode.get("never") or [])
        return True

    # -- streaming -------------------------------------------------------------------------

    def _run_tool(self, response: _Resp, output: PlannedOutput) -> Iterator[float]:
        if output.kind == "mcp":
            yield from self._run_mcp(response, output)
        elif output.kind == "mcp_approval":
            yield from self._run_mcp_approval(response, output)
        elif output.kind == "agent":
            yield from self._run_agent(response, output)
        elif output.kind == "search":
            yield from self._run_search(response, output.call)

    def _run_mcp_approval(self, response: _Resp, output: PlannedOutput) -> Iterator[float]:
        pending: PendingApproval = output.call
        item: dict[str, Any] = {
            "id": pending.request_id,
            "object": "realtime.item",
            "type": "mcp_approval_request",
            "server_label": pending.server.get("server_label"),
            "name": pending.call.name,
            "arguments": pending.call.arguments_json(),
        }
        self._add_output_item(response, item)
        self._approvals[pending.request_id] = pending
        yield 0.0
        self._close_item(response, "completed")

    def _run_mcp(self, response: _Resp, output: PlannedOutput) -> Iterator[float]:
        call: McpCall = output.call
        server = output.server or {}
        item: dict[str, Any] = {
            "id": self._ids.next("item"),
            "object": "realtime.item",
            "type": "mcp_call",
            "server_label": server.get("server_label"),
            "name": call.name,
            "arguments": "",
            "approval_request_id": output.approval_request_id,
            "output": None,
            "error": None,
        }
        index = self._add_output_item(response, item)
        yield 0.0
        ids = {"response_id": response.id, "item_id": item["id"], "output_index": index}
        yield from self._stream_arguments(
            "response.mcp_call_arguments", ids, item, arguments=call.arguments_json()
        )
        self._emit("response.mcp_call.in_progress", item_id=item["id"], output_index=index)
        yield float(TEXT_DELTA_MS)
        if call.error is not None:
            item["error"] = {"type": "mcp_tool_error", "message": call.error}
            self._emit("response.mcp_call.failed", item_id=item["id"], output_index=index)
            self._close_item(response, "failed")
        else:
            item["output"] = call.output
            self._emit("response.mcp_call.completed", item_id=item["id"], output_index=index)
            self._close_item(response, "completed")

    def _run_agent(self, response: _Resp, output: PlannedOutput) -> Iterator[float]:
        call: AgentCall = output.call
        item: dict[str, Any] = {
            "id": self._ids.next("item"),
            "object": "realtime.item",
            "type": "foundry_agent_call",
            "name": call.agent_name,
            "call_id": self._ids.next("call"),
            "arguments": "",
            "agent_response_id": None,
            "output": None,
            "error": None,
        }
        index = self._add_output_item(response, item)
        yield 0.0
        ids = {"response_id": response.id, "item_id": item["id"], "output_index": index}
        yield from self._stream_arguments(
            "response.foundry_agent_call_arguments", ids, item, arguments=call.arguments_json()
        )
        agent_response_id = self._ids.next("agentresp")
        item["agent_response_id"] = agent_response_id
        where = {"item_id": item["id"], "output_index": index}
        self._emit(
            "response.foundry_agent_call.in_progress", **where, agent_response_id=agent_response_id
        )
        yield float(TEXT_DELTA_MS)
        if call.error is not None:
            item["error"] = {"type": "agent_error", "message": call.error}
            self._emit("response.foundry_agent_call.failed", **where)
            self._close_item(response, "failed")
        else:
            item["output"] = call.output
            self._emit(
                "response.foundry_agent_call.completed",
                **where,
                agent_response_id=agent_response_id,
            )
            self._close_item(response, "completed")

    def _run_search(self, response: _Resp, call: SearchCall) -> Iterator[float]:
        kind = call.kind
        item: dict[str, Any] = {
            "id": self._ids.next("item"),
            "object": "realtime.item",
            "type": f"{kind}_call",
            "status": "in_progress",
        }
        if kind == "file_search":
            item["queries"] = list(call.queries)
            item["results"] = None
        index = self._add_output_item(response, item)
        ids = {"response_id": response.id, "item_id": item["id"], "output_index": index}
        for number, stage in enumerate(("in_progress", "searching", "completed")):
            item["status"] = stage
            self._emit(f"response.{kind}_call.{stage}", **ids, sequence_number=number)
            yield float(TEXT_DELTA_MS)
        if kind == "file_search" and call.results:
            item["results"] = [dict(result) for result in call.results]
        self._close_item(response, "completed")

    # -- approvals -------------------------------------------------------------------------

    def _on_approval_item(self, item: dict[str, Any]) -> None:
        """A client ``mcp_approval_response`` item was added: continue the waiting call."""
        pending = self._approvals.pop(str(item.get("approval_request_id")), None)
        if pending is None:
            return
        pending.approved = bool(item.get("approve"))
        self._continuation = pending
        if self._active is None:
            self._start_response(None, None, None)

    def _mcp_outputs(
        self, pairs: list[tuple[McpCall, dict[str, Any]]], tail: list[PlannedOutput]
    ) -> list[PlannedOutput]:
        """MCP calls then ``tail``; the first call needing approval defers everything after it."""
        out: list[PlannedOutput] = []
        for index, (call, server) in enumerate(pairs):
            if self._needs_approval(server, call.name):
                pending = PendingApproval(
                    request_id=self._ids.next("mcpr"),
                    call=call,
                    server=server,
                    more=pairs[index + 1 :],
                    tail=tail,
                )
                out.append(PlannedOutput("mcp_approval", call=pending))
                return out
            out.append(PlannedOutput("mcp", call=call, server=server))
        return out + tail

    def _continuation_plan(self, pending: PendingApproval) -> list[PlannedOutput]:
        """What the response after an approval answer does."""
        if pending.approved:
            return [
                PlannedOutput(
                    "mcp",
                    call=pending.call,
                    server=pending.server,
                    approval_request_id=pending.request_id,
                ),
                *self._mcp_outputs(pending.more, pending.tail),
            ]
        text = pending.call.denied_text
        if text is None:
            text = f"I did not run {pending.call.name}: the call was not approved."
        return [PlannedOutput("message", text=text)]
