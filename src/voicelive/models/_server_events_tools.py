"""Server events of tool calls (PROTOCOL.md §4): function-call arguments, MCP listing and calls,
web and file search, Foundry agent calls, hosted-agent invocation passthrough and transcript
annotations (citations). Part of the :data:`~voicelive.models.ServerEvent` union; see
``_server_events`` for the rules every server event follows.
"""

from typing import Any, Literal

from ._base import ServerEventBase

__all__ = [
    "ServerEventMcpListToolsCompleted",
    "ServerEventMcpListToolsFailed",
    "ServerEventMcpListToolsInProgress",
    "ServerEventResponseAudioTranscriptAnnotationAdded",
    "ServerEventResponseFileSearchCallCompleted",
    "ServerEventResponseFileSearchCallInProgress",
    "ServerEventResponseFileSearchCallSearching",
    "ServerEventResponseFoundryAgentCallArgumentsDelta",
    "ServerEventResponseFoundryAgentCallArgumentsDone",
    "ServerEventResponseFoundryAgentCallCompleted",
    "ServerEventResponseFoundryAgentCallFailed",
    "ServerEventResponseFoundryAgentCallInProgress",
    "ServerEventResponseFunctionCallArgumentsDelta",
    "ServerEventResponseFunctionCallArgumentsDone",
    "ServerEventResponseInvocationDelta",
    "ServerEventResponseMcpCallArgumentsDelta",
    "ServerEventResponseMcpCallArgumentsDone",
    "ServerEventResponseMcpCallCompleted",
    "ServerEventResponseMcpCallFailed",
    "ServerEventResponseMcpCallInProgress",
    "ServerEventResponseWebSearchCallCompleted",
    "ServerEventResponseWebSearchCallInProgress",
    "ServerEventResponseWebSearchCallSearching",
]


class ServerEventResponseAudioTranscriptAnnotationAdded(ServerEventBase):
    """An annotation (e.g. a search citation) of the output transcript."""

    type: Literal["response.audio_transcript.annotation.added"] = (
        "response.audio_transcript.annotation.added"
    )
    """Always ``"response.audio_transcript.annotation.added"``."""
    response_id: str
    """Id of the response."""
    item_id: str
    """Id of the item."""
    output_index: int
    """Index of the item in the response's ``output``."""
    content_index: int
    """Index of the content part in the item's ``content``."""
    annotation_index: int
    """Index of the annotation."""
    annotation: Any
    """The annotation, free-form JSON."""


class ServerEventResponseInvocationDelta(ServerEventBase):
    """Hosted-agent (Invocations protocol) passthrough of a non-speech event."""

    type: Literal["response.invocation.delta"] = "response.invocation.delta"
    """Always ``"response.invocation.delta"``."""
    delta: dict[str, Any]
    """The raw event object."""


class ServerEventResponseFunctionCallArgumentsDelta(ServerEventBase):
    """A chunk of function-call arguments."""

    type: Literal["response.function_call_arguments.delta"] = (
        "response.function_call_arguments.delta"
    )
    """Always ``"response.function_call_arguments.delta"``."""
    response_id: str
    """Id of the response."""
    item_id: str
    """Id of the item."""
    output_index: int
    """Index of the item in the response's ``output``."""
    call_id: str
    """Id of the function call."""
    delta: str
    """Arguments JSON text chunk."""


class ServerEventResponseFunctionCallArgumentsDone(ServerEventBase):
    """Function-call arguments are done."""

    type: Literal["response.function_call_arguments.done"] = "response.function_call_arguments.done"
    """Always ``"response.function_call_arguments.done"``."""
    response_id: str
    """Id of the response."""
    item_id: str
    """Id of the item."""
    output_index: int
    """Index of the item in the response's ``output``."""
    call_id: str
    """Id of the function call."""
    arguments: str
    """Arguments as JSON text."""
    name: str | None = None
    """Function name (``None`` if the frame leaves it out, as every published Voice Live
    example does; the ``function_call`` item of ``response.output_item.added`` carries it)."""


class ServerEventMcpListToolsInProgress(ServerEventBase):
    """Listing the tools of an MCP server started."""

    type: Literal["mcp_list_tools.in_progress"] = "mcp_list_tools.in_progress"
    """Always ``"mcp_list_tools.in_progress"``."""
    item_id: str
    """Id of the ``mcp_list_tools`` item."""


class ServerEventMcpListToolsCompleted(ServerEventBase):
    """Listing the tools of an MCP server completed."""

    type: Literal["mcp_list_tools.completed"] = "mcp_list_tools.completed"
    """Always ``"mcp_list_tools.completed"``."""
    item_id: str
    """Id of the ``mcp_list_tools`` item."""


class ServerEventMcpListToolsFailed(ServerEventBase):
    """Listing the tools of an MCP server failed."""

    type: Literal["mcp_list_tools.failed"] = "mcp_list_tools.failed"
    """Always ``"mcp_list_tools.failed"``."""
    item_id: str
    """Id of the ``mcp_list_tools`` item."""


class ServerEventResponseMcpCallArgumentsDelta(ServerEventBase):
    """A chunk of MCP call arguments."""

    type: Literal["response.mcp_call_arguments.delta"] = "response.mcp_call_arguments.delta"
    """Always ``"response.mcp_call_arguments.delta"``."""
    delta: str
    """Arguments JSON text chunk."""
    item_id: str
    """Id of the item."""
    response_id: str
    """Id of the response."""
    output_index: int
    """Index of the item in the response's ``output``."""
    obfuscation: str | None = None
    """Padding that obfuscates the chunk size."""


class ServerEventResponseMcpCallArgumentsDone(ServerEventBase):
    """MCP call arguments are done."""

    type: Literal["response.mcp_call_arguments.done"] = "response.mcp_call_arguments.done"
    """Always ``"response.mcp_call_arguments.done"``."""
    item_id: str
    """Id of the item."""
    response_id: str
    """Id of the response."""
    output_index: int
    """Index of the item in the response's ``output``."""
    arguments: str | None = None
    """Arguments as JSON text."""


class ServerEventResponseMcpCallInProgress(ServerEventBase):
    """An MCP call is running."""

    type: Literal["response.mcp_call.in_progress"] = "response.mcp_call.in_progress"
    """Always ``"response.mcp_call.in_progress"``."""
    item_id: str
    """Id of the item."""
    output_index: int
    """Index of the item in the response's ``output``."""


class ServerEventResponseMcpCallCompleted(ServerEventBase):
    """An MCP call completed."""

    type: Literal["response.mcp_call.completed"] = "response.mcp_call.completed"
    """Always ``"response.mcp_call.completed"``."""
    item_id: str
    """Id of the item."""
    output_index: int
    """Index of the item in the response's ``output``."""


class ServerEventResponseMcpCallFailed(ServerEventBase):
    """An MCP call failed."""

    type: Literal["response.mcp_call.failed"] = "response.mcp_call.failed"
    """Always ``"response.mcp_call.failed"``."""
    item_id: str
    """Id of the item."""
    output_index: int
    """Index of the item in the response's ``output``."""


class ServerEventResponseWebSearchCallSearching(ServerEventBase):
    """A web search call is searching."""

    type: Literal["response.web_search_call.searching"] = "response.web_search_call.searching"
    """Always ``"response.web_search_call.searching"``."""
    response_id: str
    """Id of the response."""
    item_id: str
    """Id of the item."""
    output_index: int
    """Index of the item in the response's ``output``."""
    sequence_number: int
    """Sequence number of this event within the call."""


class ServerEventResponseWebSearchCallInProgress(ServerEventBase):
    """A web search call is in progress."""

    type: Literal["response.web_search_call.in_progress"] = "response.web_search_call.in_progress"
    """Always ``"response.web_search_call.in_progress"``."""
    response_id: str
    """Id of the response."""
    item_id: str
    """Id of the item."""
    output_index: int
    """Index of the item in the response's ``output``."""
    sequence_number: int
    """Sequence number of this event within the call."""


class ServerEventResponseWebSearchCallCompleted(ServerEventBase):
    """A web search call completed."""

    type: Literal["response.web_search_call.completed"] = "response.web_search_call.completed"
    """Always ``"response.web_search_call.completed"``."""
    response_id: str
    """Id of the response."""
    item_id: str
    """Id of the item."""
    output_index: int
    """Index of the item in the response's ``output``."""
    sequence_number: int
    """Sequence number of this event within the call."""


class ServerEventResponseFileSearchCallSearching(ServerEventBase):
    """A file search call is searching."""

    type: Literal["response.file_search_call.searching"] = "response.file_search_call.searching"
    """Always ``"response.file_search_call.searching"``."""
    response_id: str
    """Id of the response."""
    item_id: str
    """Id of the item."""
    output_index: int
    """Index of the item in the response's ``output``."""
    sequence_number: int
    """Sequence number of this event within the call."""


class ServerEventResponseFileSearchCallInProgress(ServerEventBase):
    """A file search call is in progress."""

    type: Literal["response.file_search_call.in_progress"] = "response.file_search_call.in_progress"
    """Always ``"response.file_search_call.in_progress"``."""
    response_id: str
    """Id of the response."""
    item_id: str
    """Id of the item."""
    output_index: int
    """Index of the item in the response's ``output``."""
    sequence_number: int
    """Sequence number of this event within the call."""


class ServerEventResponseFileSearchCallCompleted(ServerEventBase):
    """A file search call completed."""

    type: Literal["response.file_search_call.completed"] = "response.file_search_call.completed"
    """Always ``"response.file_search_call.completed"``."""
    response_id: str
    """Id of the response."""
    item_id: str
    """Id of the item."""
    output_index: int
    """Index of the item in the response's ``output``."""
    sequence_number: int
    """Sequence number of this event within the call."""


class ServerEventResponseFoundryAgentCallArgumentsDelta(ServerEventBase):
    """A chunk of Foundry agent call arguments (documented; not in SDK 1.3.1)."""

    type: Literal["response.foundry_agent_call_arguments.delta"] = (
        "response.foundry_agent_call_arguments.delta"
    )
    """Always ``"response.foundry_agent_call_arguments.delta"``."""
    response_id: str | None = None
    """Id of the response."""
    item_id: str | None = None
    """Id of the item."""
    output_index: int | None = None
    """Index of the item in the response's ``output``."""
    delta: str | None = None
    """Arguments JSON text chunk."""


class ServerEventResponseFoundryAgentCallArgumentsDone(ServerEventBase):
    """Foundry agent call arguments are done (documented; not in SDK 1.3.1)."""

    type: Literal["response.foundry_agent_call_arguments.done"] = (
        "response.foundry_agent_call_arguments.done"
    )
    """Always ``"response.foundry_agent_call_arguments.done"``."""
    response_id: str | None = None
    """Id of the response."""
    item_id: str | None = None
    """Id of the item."""
    output_index: int | None = None
    """Index of the item in the response's ``output``."""
    arguments: str | None = None
    """Arguments as JSON text."""


class ServerEventResponseFoundryAgentCallInProgress(ServerEventBase):
    """A Foundry agent call is running (documented; not in SDK 1.3.1)."""

    type: Literal["response.foundry_agent_call.in_progress"] = (
        "response.foundry_agent_call.in_progress"
    )
    """Always ``"response.foundry_agent_call.in_progress"``."""
    item_id: str | None = None
    """Id of the item."""
    output_index: int | None = None
    """Index of the item in the response's ``output``."""
    agent_response_id: str | None = None
    """Id of the agent's response."""


class ServerEventResponseFoundryAgentCallCompleted(ServerEventBase):
    """A Foundry agent call completed (documented; not in SDK 1.3.1)."""

    type: Literal["response.foundry_agent_call.completed"] = "response.foundry_agent_call.completed"
    """Always ``"response.foundry_agent_call.completed"``."""
    item_id: str | None = None
    """Id of the item."""
    output_index: int | None = None
    """Index of the item in the response's ``output``."""
    agent_response_id: str | None = None
    """Id of the agent's response."""


class ServerEventResponseFoundryAgentCallFailed(ServerEventBase):
    """A Foundry agent call failed (documented; not in SDK 1.3.1)."""

    type: Literal["response.foundry_agent_call.failed"] = "response.foundry_agent_call.failed"
    """Always ``"response.foundry_agent_call.failed"``."""
    item_id: str | None = None
    """Id of the item."""
    output_index: int | None = None
    """Index of the item in the response's ``output``."""
