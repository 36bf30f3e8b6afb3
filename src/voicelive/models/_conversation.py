"""Conversation items, content parts, responses and the other nested server objects
(PROTOCOL.md §5.9-§5.15).

Two item hierarchies, as on the wire:

* **Request items** (client -> server: ``conversation.item.create``, ``response.create``
  ``input_items``): :class:`ConversationRequestItem` and its subclasses, with
  :class:`MessageContentPart` content. They derive from :class:`VoiceLiveModel` (unknown keys
  rejected). Messages are dispatched on ``type`` and then on ``role``
  (:class:`SystemMessageItem`, :class:`UserMessageItem`, :class:`AssistantMessageItem`; an
  unknown role falls back to the generic :class:`MessageItem`).
* **Response items** (server -> client: ``conversation.item.*``, ``response.output_item.*``,
  ``response.output``): :class:`ResponseItem` and its subclasses, with :class:`ContentPart`
  content. They derive from :class:`ServerModel` (unknown keys kept) and every field except
  the discriminator is optional: the SDK never enforces "required" on server data and the
  documentation's own examples omit fields.

Every hierarchy has an ``Unknown*`` fallback variant selected for ``type`` values this library
does not know, so a new service variant never fails a whole event.
"""

import base64
from typing import Annotated, Any, Literal

from pydantic import BaseModel, BeforeValidator, ConfigDict, Tag

from ._base import ServerModel, VoiceLiveModel
from ._enums import (
    ItemParamStatus,
    MessageRole,
    RequestImageContentPartDetail,
    ResponseItemStatus,
    ResponseStatus,
)
from ._session import (
    _LTR,
    _UNKNOWN_TAG,
    Animation,
    InterimResponseConfig,
    ToolChoice,
    ToolUnion,
    Voice,
    _discriminator,
    _MaxTokens,
    _ModalityT,
    _OutputAudioFormatT,
    _ReasoningEffortT,
    _tag_by,
    _WireBytes,
)

__all__ = [
    "ActionFind",
    "ActionOpenPage",
    "ActionSearch",
    "ActionSearchSource",
    "AssistantMessageItem",
    "CachedTokenDetails",
    "ContentPart",
    "ContentPartUnion",
    "ConversationItemBase",
    "ConversationRequestItem",
    "ConversationRequestItemUnion",
    "ErrorResponse",
    "FileSearchResult",
    "FunctionCallItem",
    "FunctionCallOutputItem",
    "InputAudioContentPart",
    "InputTextContentPart",
    "InputTokenDetails",
    "LogProbProperties",
    "MCPApprovalResponseRequestItem",
    "MCPTool",
    "MessageContentPart",
    "MessageContentPartUnion",
    "MessageItem",
    "OutputTextContentPart",
    "OutputTokenDetails",
    "RateLimit",
    "RealtimeConversation",
    "RequestAudioContentPart",
    "RequestImageContentPart",
    "RequestTextContentPart",
    "Response",
    "ResponseAudioContentPart",
    "ResponseCancelledDetails",
    "ResponseCreateParams",
    "ResponseFailedDetails",
    "ResponseFileSearchCallItem",
    "ResponseFoundryAgentCallItem",
    "ResponseFunctionCallItem",
    "ResponseFunctionCallOutputItem",
    "ResponseIncompleteDetails",
    "ResponseItem",
    "ResponseItemUnion",
    "ResponseMCPApprovalRequestItem",
    "ResponseMCPApprovalResponseItem",
    "ResponseMCPCallItem",
    "ResponseMCPListToolItem",
    "ResponseMessageItem",
    "ResponseStatusDetails",
    "ResponseStatusDetailsUnion",
    "ResponseTextContentPart",
    "ResponseWebSearchCallItem",
    "ServerEventErrorDetails",
    "ServerEventWarningDetails",
    "SystemMessageItem",
    "TokenUsage",
    "TranscriptionPhrase",
    "TranscriptionWord",
    "UnknownContentPart",
    "UnknownConversationRequestItem",
    "UnknownResponseItem",
    "UnknownResponseStatusDetails",
    "UserMessageItem",
    "VoiceLiveErrorDetails",
]


def _base64_text(value: Any) -> Any:
    """Raw audio (``bytes``/``bytearray``/``memoryview``) -> base64 text; ``str`` untouched."""
    if isinstance(value, (bytes, bytearray, memoryview)):
        return base64.b64encode(value).decode("ascii")
    return value


_Base64Audio = Annotated[str, BeforeValidator(_base64_text)]
"""Client-side audio: base64 text on the wire; raw bytes are encoded on the way in."""

_ItemParamStatusT = Annotated[ItemParamStatus | str, _LTR]
_ResponseItemStatusT = Annotated[ResponseItemStatus | str, _LTR]

# --------------------------------------------------------------------------------------------
# Content parts
# --------------------------------------------------------------------------------------------


class MessageContentPart(VoiceLiveModel):
    """Base of content parts of client-sent message items, selected by ``type``."""

    type: str
    """Discriminator: ``"input_text"``, ``"input_audio"``, ``"text"`` (or ``"input_image"``)."""


class InputTextContentPart(MessageContentPart):
    """Text in a user or system message."""

    type: Literal["input_text"] = "input_text"
    """Discriminator, always ``"input_text"``."""
    text: str
    """The text."""


class InputAudioContentPart(MessageContentPart):
    """Audio in a user message (base64 text; raw ``bytes`` are encoded for you)."""

    type: Literal["input_audio"] = "input_audio"
    """Discriminator, always ``"input_audio"``."""
    audio: _Base64Audio
    """Base64 audio in the session's input format (``bytes`` accepted and encoded)."""
    transcript: str | None = None
    """Transcript of the audio, if known."""


class OutputTextContentPart(MessageContentPart):
    """Text in an assistant message."""

    type: Literal["text"] = "text"
    """Discriminator, always ``"text"``."""
    text: str
    """The text."""


class ContentPart(ServerModel):
    """Base of content parts of server-sent items, selected by ``type``."""

    type: str
    """Discriminator: ``"input_text"``, ``"input_audio"``, ``"input_image"``, ``"text"``,
    ``"audio"``."""


class RequestTextContentPart(ContentPart):
    """User or system text, as reported by the server."""

    type: Literal["input_text"] = "input_text"
    """Discriminator, always ``"input_text"``."""
    text: str | None = None
    """The text."""


class RequestAudioContentPart(ContentPart):
    """User audio, as reported by the server."""

    type: Literal["input_audio"] = "input_audio"
    """Discriminator, always ``"input_audio"``."""
    audio: _WireBytes | None = None
    """The audio (base64 on the wire, decoded to bytes)."""
    transcript: str | None = None
    """Transcript of the audio."""


class RequestImageContentPart(ContentPart):
    """An image in a user message (also accepted in client-sent messages)."""

    type: Literal["input_image"] = "input_image"
    """Discriminator, always ``"input_image"``."""
    image_url: str | None = None
    """Image URL or data URL (api-version 2026-06-01-preview and later)."""
    url: str | None = None
    """Image URL under its name before 2026-06-01-preview."""
    detail: Annotated[RequestImageContentPartDetail | str, _LTR] | None = None
    """Detail level: ``"auto"``, ``"low"`` or ``"high"``."""


class ResponseTextContentPart(ContentPart):
    """Assistant text."""

    type: Literal["text"] = "text"
    """Discriminator, always ``"text"``."""
    text: str | None = None
    """The text."""


class ResponseAudioContentPart(ContentPart):
    """Assistant audio (``response.done`` omits the raw audio)."""

    type: Literal["audio"] = "audio"
    """Discriminator, always ``"audio"``."""
    transcript: str | None = None
    """Transcript of the audio."""
    audio: _WireBytes | None = None
    """The audio when the server includes it (base64 on the wire; not in SDK 1.3.1)."""


class UnknownContentPart(ContentPart):
    """A content part whose ``type`` this library does not know; all keys are kept."""


_CONTENT_PART_TAGS = frozenset({"input_text", "input_audio", "input_image", "text", "audio"})

ContentPartUnion = Annotated[
    Annotated[RequestTextContentPart, Tag("input_text")]
    | Annotated[RequestAudioContentPart, Tag("input_audio")]
    | Annotated[RequestImageContentPart, Tag("input_image")]
    | Annotated[ResponseTextContentPart, Tag("text")]
    | Annotated[ResponseAudioContentPart, Tag("audio")]
    | Annotated[UnknownContentPart, Tag(_UNKNOWN_TAG)],
    _discriminator(
        _tag_by("type", _CONTENT_PART_TAGS, UnknownContentPart),
        "a content part object such as {'type': 'text', 'text': '...'}",
    ),
]
"""A content part of a server item, selected by ``type``."""

MessageContentPartUnion = Annotated[
    Annotated[InputTextContentPart, Tag("input_text")]
    | Annotated[InputAudioContentPart, Tag("input_audio")]
    | Annotated[OutputTextContentPart, Tag("text")]
    | Annotated[RequestImageContentPart, Tag("input_image")]
    | Annotated[UnknownContentPart, Tag(_UNKNOWN_TAG)],
    _discriminator(
        _tag_by(
            "type",
            frozenset({"input_text", "input_audio", "text", "input_image"}),
            UnknownContentPart,
        ),
        "a content part object such as {'type': 'input_text', 'text': '...'}",
    ),
]
"""A content part of a client message, selected by ``type`` (``input_image`` included)."""

# --------------------------------------------------------------------------------------------
# Request items (client -> server)
# --------------------------------------------------------------------------------------------


class ConversationItemBase(VoiceLiveModel):
    """Marker base (no fields; kept for parity with the official SDK)."""


class ConversationRequestItem(VoiceLiveModel):
    """Base of items the client adds to the conversation, selected by ``type``."""

    type: str
    """Discriminator: the item type."""
    id: str | None = None
    """Item id; the server generates one when omitted."""


class MessageItem(ConversationRequestItem):
    """A message item; dispatched again on ``role`` (use the role-specific subclasses)."""

    type: Literal["message"] = "message"
    """Discriminator, always ``"message"``."""
    role: str
    """Second discriminator: ``"system"``, ``"user"`` or ``"assistant"``."""
    content: list[MessageContentPartUnion]
    """The content parts."""
    status: _ItemParamStatusT | None = None
    """Item status: ``"completed"`` or ``"incomplete"``."""


class SystemMessageItem(MessageItem):
    """A system message (``input_text`` parts only)."""

    role: Literal["system"] = "system"
    """Always ``"system"``."""


class UserMessageItem(MessageItem):
    """A user message (``input_text``, ``input_audio`` and ``input_image`` parts)."""

    role: Literal["user"] = "user"
    """Always ``"user"``."""


class AssistantMessageItem(MessageItem):
    """An assistant message (``text`` parts; assistant *audio* cannot be added)."""

    role: Literal["assistant"] = "assistant"
    """Always ``"assistant"``."""


class FunctionCallItem(ConversationRequestItem):
    """A function call made by the model, added to the history by the client."""

    type: Literal["function_call"] = "function_call"
    """Discriminator, always ``"function_call"``."""
    name: str
    """Function name."""
    call_id: str
    """Id of the call."""
    arguments: str
    """Arguments as JSON text."""
    status: _ItemParamStatusT | None = None
    """Item status: ``"completed"`` or ``"incomplete"``."""


class FunctionCallOutputItem(ConversationRequestItem):
    """The result of a function call."""

    type: Literal["function_call_output"] = "function_call_output"
    """Discriminator, always ``"function_call_output"``."""
    call_id: str
    """Id of the call this answers."""
    output: str
    """The result, free-form text (usually JSON)."""
    status: _ItemParamStatusT | None = None
    """Item status: ``"completed"`` or ``"incomplete"``."""


class MCPApprovalResponseRequestItem(ConversationRequestItem):
    """Answer to a server ``mcp_approval_request`` item."""

    type: Literal["mcp_approval_response"] = "mcp_approval_response"
    """Discriminator, always ``"mcp_approval_response"``."""
    approval_request_id: str
    """Id of the approval request item."""
    approve: bool
    """Whether the call is approved."""


class UnknownConversationRequestItem(ConversationRequestItem, ServerModel):
    """A request item whose ``type`` this library does not know; all keys are kept (and sent)."""

    model_config = ConfigDict(extra="allow")


_MESSAGE_ROLE_TAGS = {
    "system": "message:system",
    "user": "message:user",
    "assistant": "message:assistant",
}
_REQUEST_ITEM_TAGS = frozenset({"function_call", "function_call_output", "mcp_approval_response"})


def _request_item_tag(value: Any) -> str | None:
    """``type`` selects the item class; messages are selected again by ``role``."""
    if isinstance(value, dict):
        item_type = value.get("type")
        role = value.get("role")
    elif isinstance(value, UnknownConversationRequestItem):
        return _UNKNOWN_TAG
    elif type(value) is MessageItem:
        return "message"
    elif not isinstance(value, BaseModel):
        return None
    else:
        item_type = getattr(value, "type", None)
        role = getattr(value, "role", None)
    if not isinstance(item_type, str):
        return _UNKNOWN_TAG
    if item_type == "message":
        return _MESSAGE_ROLE_TAGS.get(role, "message") if isinstance(role, str) else "message"
    return item_type if item_type in _REQUEST_ITEM_TAGS else _UNKNOWN_TAG


ConversationRequestItemUnion = Annotated[
    Annotated[SystemMessageItem, Tag("message:system")]
    | Annotated[UserMessageItem, Tag("message:user")]
    | Annotated[AssistantMessageItem, Tag("message:assistant")]
    | Annotated[MessageItem, Tag("message")]
    | Annotated[FunctionCallItem, Tag("function_call")]
    | Annotated[FunctionCallOutputItem, Tag("function_call_output")]
    | Annotated[MCPApprovalResponseRequestItem, Tag("mcp_approval_response")]
    | Annotated[UnknownConversationRequestItem, Tag(_UNKNOWN_TAG)],
    _discriminator(
        _request_item_tag,
        "a conversation item object such as "
        "{'type': 'message', 'role': 'user', 'content': [{'type': 'input_text', 'text': '...'}]}",
    ),
]
"""A client-sent item, selected by ``type`` (and ``role`` for messages)."""

# --------------------------------------------------------------------------------------------
# Response items (server -> client)
# --------------------------------------------------------------------------------------------


class MCPTool(ServerModel):
    """A tool listed by an MCP server."""

    name: str | None = None
    """Tool name."""
    description: str | None = None
    """Tool description."""
    input_schema: Any = None
    """JSON Schema of the tool's input."""
    annotations: Any = None
    """Tool annotations."""


class FileSearchResult(ServerModel):
    """One result of a file search call."""

    attributes: dict[str, Any] | None = None
    """Attributes of the file."""
    file_id: str | None = None
    """File id."""
    filename: str | None = None
    """File name."""
    score: float | None = None
    """Relevance score."""
    text: str | None = None
    """Matching text."""


class ActionSearchSource(ServerModel):
    """A source of a web search action."""

    type: Literal["url"] = "url"
    """Always ``"url"``."""
    url: str | None = None
    """Source URL."""


class ActionSearch(ServerModel):
    """Web search action: a query (defined by the SDK; no field references it)."""

    type: Literal["search"] = "search"
    """Always ``"search"``."""
    query: str | None = None
    """Search query."""
    sources: list[ActionSearchSource] | None = None
    """Sources consulted."""


class ActionOpenPage(ServerModel):
    """Web search action: open a page (defined by the SDK; no field references it)."""

    type: Literal["open_page"] = "open_page"
    """Always ``"open_page"``."""
    url: str | None = None
    """Page URL."""


class ActionFind(ServerModel):
    """Web search action: find text in a page (defined by the SDK; no field references it)."""

    type: Literal["find"] = "find"
    """Always ``"find"``."""
    pattern: str | None = None
    """Text searched for."""
    url: str | None = None
    """Page URL."""


class ResponseItem(ServerModel):
    """Base of items returned by the server, selected by ``type``."""

    type: str
    """Discriminator: the item type."""
    id: str | None = None
    """Item id."""
    object: str | None = None
    """Object type, ``"realtime.item"``."""


class ResponseMessageItem(ResponseItem):
    """A message item."""

    type: Literal["message"] = "message"
    """Discriminator, always ``"message"``."""
    role: Annotated[MessageRole | str, _LTR] | None = None
    """``"system"``, ``"user"`` or ``"assistant"``."""
    content: list[ContentPartUnion] | None = None
    """The content parts."""
    status: _ResponseItemStatusT | None = None
    """``"in_progress"``, ``"completed"`` or ``"incomplete"``."""


class ResponseFunctionCallItem(ResponseItem):
    """A function call by the model."""

    type: Literal["function_call"] = "function_call"
    """Discriminator, always ``"function_call"``."""
    name: str | None = None
    """Function name."""
    call_id: str | None = None
    """Id of the call (answer with a ``function_call_output`` item)."""
    arguments: str | None = None
    """Arguments as JSON text."""
    status: _ResponseItemStatusT | None = None
    """``"in_progress"``, ``"completed"`` or ``"incomplete"``."""


class ResponseFunctionCallOutputItem(ResponseItem):
    """The result of a function call."""

    type: Literal["function_call_output"] = "function_call_output"
    """Discriminator, always ``"function_call_output"``."""
    call_id: str | None = None
    """Id of the call."""
    output: str | None = None
    """The result."""


class ResponseMCPListToolItem(ResponseItem):
    """Tools listed by an MCP server."""

    type: Literal["mcp_list_tools"] = "mcp_list_tools"
    """Discriminator, always ``"mcp_list_tools"``."""
    tools: list[MCPTool] | None = None
    """The tools."""
    server_label: str | None = None
    """Label of the MCP server."""


class ResponseMCPCallItem(ResponseItem):
    """A call to an MCP tool."""

    type: Literal["mcp_call"] = "mcp_call"
    """Discriminator, always ``"mcp_call"``."""
    approval_request_id: str | None = None
    """Id of the approval request, when one was needed."""
    arguments: str | None = None
    """Arguments as JSON text."""
    server_label: str | None = None
    """Label of the MCP server."""
    name: str | None = None
    """Tool name."""
    output: str | None = None
    """Tool output."""
    error: Any = None
    """Error, free-form, if the call failed."""


class ResponseMCPApprovalRequestItem(ResponseItem):
    """The server asks the client to approve an MCP tool call."""

    type: Literal["mcp_approval_request"] = "mcp_approval_request"
    """Discriminator, always ``"mcp_approval_request"``."""
    arguments: str | None = None
    """Arguments as JSON text."""
    name: str | None = None
    """Tool name."""
    server_label: str | None = None
    """Label of the MCP server."""


class ResponseMCPApprovalResponseItem(ResponseItem):
    """An answer to an MCP approval request."""

    type: Literal["mcp_approval_response"] = "mcp_approval_response"
    """Discriminator, always ``"mcp_approval_response"``."""
    approval_request_id: str | None = None
    """Id of the approval request."""
    approve: bool | None = None
    """Whether the call was approved."""
    reason: str | None = None
    """Reason given."""


class ResponseWebSearchCallItem(ResponseItem):
    """A web search call."""

    type: Literal["web_search_call"] = "web_search_call"
    """Discriminator, always ``"web_search_call"``."""
    status: str | None = None
    """``"in_progress"``, ``"searching"``, ``"completed"`` or ``"failed"``."""


class ResponseFileSearchCallItem(ResponseItem):
    """A file search call."""

    type: Literal["file_search_call"] = "file_search_call"
    """Discriminator, always ``"file_search_call"``."""
    queries: list[str] | None = None
    """Queries run."""
    status: str | None = None
    """``"in_progress"``, ``"searching"``, ``"completed"``, ``"incomplete"`` or ``"failed"``."""
    results: list[FileSearchResult] | None = None
    """Results (with session ``include`` ``"file_search_call.results"``)."""


class ResponseFoundryAgentCallItem(ResponseItem):
    """A call to a Foundry agent tool (documented; not in SDK 1.3.1)."""

    type: Literal["foundry_agent_call"] = "foundry_agent_call"
    """Discriminator, always ``"foundry_agent_call"``."""
    name: str | None = None
    """Agent tool name."""
    call_id: str | None = None
    """Id of the call."""
    arguments: str | None = None
    """Arguments as JSON text."""
    agent_response_id: str | None = None
    """Id of the agent's response."""
    output: str | None = None
    """The agent's output."""
    error: Any = None
    """Error, free-form, if the call failed."""


class UnknownResponseItem(ResponseItem):
    """An item whose ``type`` this library does not know; all keys are kept."""


_RESPONSE_ITEM_TAGS = frozenset(
    {
        "message",
        "function_call",
        "function_call_output",
        "mcp_list_tools",
        "mcp_call",
        "mcp_approval_request",
        "mcp_approval_response",
        "web_search_call",
        "file_search_call",
        "foundry_agent_call",
    }
)

ResponseItemUnion = Annotated[
    Annotated[ResponseMessageItem, Tag("message")]
    | Annotated[ResponseFunctionCallItem, Tag("function_call")]
    | Annotated[ResponseFunctionCallOutputItem, Tag("function_call_output")]
    | Annotated[ResponseMCPListToolItem, Tag("mcp_list_tools")]
    | Annotated[ResponseMCPCallItem, Tag("mcp_call")]
    | Annotated[ResponseMCPApprovalRequestItem, Tag("mcp_approval_request")]
    | Annotated[ResponseMCPApprovalResponseItem, Tag("mcp_approval_response")]
    | Annotated[ResponseWebSearchCallItem, Tag("web_search_call")]
    | Annotated[ResponseFileSearchCallItem, Tag("file_search_call")]
    | Annotated[ResponseFoundryAgentCallItem, Tag("foundry_agent_call")]
    | Annotated[UnknownResponseItem, Tag(_UNKNOWN_TAG)],
    _discriminator(
        _tag_by("type", _RESPONSE_ITEM_TAGS, UnknownResponseItem),
        "a conversation item object such as {'type': 'message', ...}",
    ),
]
"""A server item, selected by ``type``."""

# --------------------------------------------------------------------------------------------
# Response status, usage
# --------------------------------------------------------------------------------------------


class ResponseStatusDetails(ServerModel):
    """Base of response status details, selected by ``type``."""

    type: str
    """Discriminator: ``"cancelled"``, ``"incomplete"`` or ``"failed"``."""


class ResponseCancelledDetails(ResponseStatusDetails):
    """Why a response was cancelled."""

    type: Literal["cancelled"] = "cancelled"
    """Discriminator, always ``"cancelled"``."""
    reason: str | None = None
    """``"turn_detected"`` or ``"client_cancelled"``."""


class ResponseIncompleteDetails(ResponseStatusDetails):
    """Why a response is incomplete."""

    type: Literal["incomplete"] = "incomplete"
    """Discriminator, always ``"incomplete"``."""
    reason: str | None = None
    """``"max_output_tokens"`` or ``"content_filter"``."""


class ResponseFailedDetails(ResponseStatusDetails):
    """Why a response failed."""

    type: Literal["failed"] = "failed"
    """Discriminator, always ``"failed"``."""
    error: Any = None
    """The error, free-form."""


class UnknownResponseStatusDetails(ResponseStatusDetails):
    """Status details whose ``type`` this library does not know; all keys are kept."""


ResponseStatusDetailsUnion = Annotated[
    Annotated[ResponseCancelledDetails, Tag("cancelled")]
    | Annotated[ResponseIncompleteDetails, Tag("incomplete")]
    | Annotated[ResponseFailedDetails, Tag("failed")]
    | Annotated[UnknownResponseStatusDetails, Tag(_UNKNOWN_TAG)],
    _discriminator(
        _tag_by(
            "type", frozenset({"cancelled", "incomplete", "failed"}), UnknownResponseStatusDetails
        ),
        "a status-details object such as {'type': 'cancelled', 'reason': '...'}",
    ),
]
"""Response status details, selected by ``type``."""


class CachedTokenDetails(ServerModel):
    """Cached input tokens by kind."""

    text_tokens: int | None = None
    """Cached text tokens."""
    audio_tokens: int | None = None
    """Cached audio tokens."""
    image_tokens: int | None = None
    """Cached image tokens."""


class InputTokenDetails(ServerModel):
    """Input tokens by kind."""

    cached_tokens: int | None = None
    """Cached tokens."""
    text_tokens: int | None = None
    """Text tokens."""
    audio_tokens: int | None = None
    """Audio tokens."""
    image_tokens: int | None = None
    """Image tokens."""
    cached_tokens_details: CachedTokenDetails | None = None
    """Cached tokens by kind."""


class OutputTokenDetails(ServerModel):
    """Output tokens by kind."""

    text_tokens: int | None = None
    """Text tokens."""
    audio_tokens: int | None = None
    """Audio tokens."""
    reasoning_tokens: int | None = None
    """Reasoning tokens."""


class TokenUsage(ServerModel):
    """Token usage of a response."""

    total_tokens: int | None = None
    """Input plus output tokens."""
    input_tokens: int | None = None
    """Input tokens."""
    output_tokens: int | None = None
    """Output tokens."""
    input_token_details: InputTokenDetails | None = None
    """Input tokens by kind."""
    output_token_details: OutputTokenDetails | None = None
    """Output tokens by kind."""


class Response(ServerModel):
    """A response (``response.created`` / ``response.done``)."""

    id: str | None = None
    """Response id."""
    object: str | None = None
    """Object type, ``"realtime.response"``."""
    status: Annotated[ResponseStatus | str, _LTR] | None = None
    """``"in_progress"``, ``"completed"``, ``"cancelled"``, ``"incomplete"`` or ``"failed"``."""
    status_details: ResponseStatusDetailsUnion | None = None
    """Why the response is not ``completed``."""
    output: list[ResponseItemUnion] | None = None
    """Output items."""
    usage: TokenUsage | None = None
    """Token usage (in ``response.done``)."""
    conversation_id: str | None = None
    """Conversation id, e.g. ``"conv_1234"``; ``None`` for out-of-band responses."""
    voice: Voice | None = None
    """Voice used."""
    modalities: list[_ModalityT] | None = None
    """Output modalities."""
    output_audio_format: _OutputAudioFormatT | None = None
    """Output audio format."""
    temperature: float | None = None
    """Sampling temperature."""
    max_output_tokens: _MaxTokens | None = None
    """Token limit, an integer or ``"inf"``."""
    metadata: dict[str, str] | None = None
    """Metadata given in ``response.create``."""


class ResponseCreateParams(VoiceLiveModel):
    """Payload of ``response.create``: overrides of the session for this response only."""

    commit: bool | None = None
    """Commit the input audio buffer first."""
    cancel_previous: bool | None = None
    """Cancel the response in progress first."""
    append_input_items: list[ConversationRequestItemUnion] | None = None
    """Items appended to the conversation before responding."""
    input_items: list[ConversationRequestItemUnion] | None = None
    """Items used as the input of this response instead of the conversation."""
    conversation: str | None = None
    """``"auto"`` (default: part of the conversation) or ``"none"`` (out of band; documented,
    not in SDK 1.3.1)."""
    modalities: list[_ModalityT] | None = None
    """Output modalities."""
    instructions: str | None = None
    """Instructions for this response (replace the session's)."""
    voice: Voice | None = None
    """Voice for this response."""
    output_audio_format: _OutputAudioFormatT | None = None
    """Output audio format for this response."""
    tools: list[ToolUnion] | None = None
    """Tools for this response."""
    tool_choice: ToolChoice | None = None
    """Tool choice for this response (the SDK types it as a string only)."""
    temperature: float | None = None
    """Sampling temperature, 0.6-1.2 (default 0.8)."""
    max_output_tokens: _MaxTokens | None = None
    """Token limit, 1-4096 or ``"inf"`` (the SDK's key)."""
    max_response_output_tokens: _MaxTokens | None = None
    """Token limit, 1-4096 or ``"inf"`` (the documented key; not in SDK 1.3.1)."""
    pre_generated_assistant_message: AssistantMessageItem | None = None
    """Speak this assistant message instead of generating one."""
    reasoning_effort: _ReasoningEffortT | None = None
    """Reasoning effort of reasoning models."""
    metadata: dict[str, str] | None = None
    """Up to 16 key/value pairs echoed in the response."""
    interim_response: InterimResponseConfig | None = None
    """Interim-response configuration for this response."""
    invoke_input: dict[str, Any] | None = None
    """Input for a hosted agent (Invocations protocol)."""
    animation: Animation | None = None
    """Animation output for this response (shown in a documentation example)."""


# --------------------------------------------------------------------------------------------
# Errors, warnings, rate limits
# --------------------------------------------------------------------------------------------


class ServerEventErrorDetails(ServerModel):
    """Details of an ``error`` event."""

    type: str | None = None
    """Error type, e.g. ``"invalid_request_error"`` or ``"server_error"``."""
    code: str | None = None
    """Error code."""
    message: str | None = None
    """Human-readable message."""
    param: str | None = None
    """Parameter the error is about."""
    event_id: str | None = None
    """Id of the client event that caused the error."""


class VoiceLiveErrorDetails(ServerModel):
    """Error details (transcription failures, REST errors)."""

    code: str | None = None
    """Error code."""
    message: str | None = None
    """Human-readable message."""
    param: str | None = None
    """Parameter the error is about."""
    type: str | None = None
    """Error type."""
    event_id: str | None = None
    """Id of the client event that caused the error."""


class ErrorResponse(ServerModel):
    """REST-style error envelope (not a WebSocket event)."""

    error: VoiceLiveErrorDetails | None = None
    """The error."""


class ServerEventWarningDetails(ServerModel):
    """Details of a ``warning`` event."""

    message: str | None = None
    """Human-readable message."""
    code: str | None = None
    """Warning code."""
    param: str | None = None
    """Parameter the warning is about."""


class RateLimit(ServerModel):
    """One rate limit of ``rate_limits.updated`` (documented; not in SDK 1.3.1)."""

    name: str | None = None
    """Limit name, e.g. ``"requests"`` or ``"tokens"``."""
    limit: int | None = None
    """Maximum allowed."""
    remaining: int | None = None
    """Remaining before the limit is hit."""
    reset_seconds: float | None = None
    """Seconds until the limit resets."""


class RealtimeConversation(ServerModel):
    """The conversation of ``conversation.created`` (OpenAI event; not in SDK 1.3.1)."""

    id: str | None = None
    """Conversation id."""
    object: str | None = None
    """Object type, ``"realtime.conversation"``."""


# --------------------------------------------------------------------------------------------
# Transcription details
# --------------------------------------------------------------------------------------------


class LogProbProperties(ServerModel):
    """Log probability of one transcription token."""

    token: str | None = None
    """The token."""
    logprob: float | None = None
    """Its log probability."""
    bytes: list[int] | None = None
    """UTF-8 bytes of the token."""


class TranscriptionWord(ServerModel):
    """A word of a transcription phrase."""

    text: str | None = None
    """The word."""
    offset_milliseconds: int | None = None
    """Start, in ms from the start of the audio."""
    duration_milliseconds: int | None = None
    """Duration in ms."""


class TranscriptionPhrase(ServerModel):
    """A phrase of an input transcription (session ``include`` phrases)."""

    offset_milliseconds: int | None = None
    """Start, in ms from the start of the audio."""
    duration_milliseconds: int | None = None
    """Duration in ms."""
    text: str | None = None
    """The phrase."""
    words: list[TranscriptionWord] | None = None
    """Its words."""
    locale: str | None = None
    """Detected locale."""
    confidence: float | None = None
    """Recognition confidence."""
