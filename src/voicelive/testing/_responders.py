"""What the emulated model says: :class:`Reply`, :class:`FunctionCall`, responders, transcribers.

A *responder* is any callable ``responder(context) -> Reply | str`` (a ``str`` is short for
``Reply(text=...)``). The emulator calls it once per response with a
:class:`ResponseContext` and streams the reply with the service's event sequence:

* :class:`EchoResponder` (the default) answers deterministically from the last input:
  ``"You said: <text>"`` for a user text, ``"You said: <transcript>"`` for user audio (the
  transcriber's text, by default a stand-in such as ``"(audio 1.4 s)"``),
  ``"The function returned: <output>"`` after a ``function_call_output`` item, and a greeting
  when there is no input yet.
* :class:`ScriptedResponder` plays a list of replies in order, for tests. The same script can
  be written as JSON (or YAML) data and loaded with :meth:`ScriptedResponder.from_script` /
  :meth:`ScriptedResponder.from_file` -- the format ``voicelive mock-server --script`` reads.

Besides text and function calls, a :class:`Reply` can ask for the service's other response
features: server-side tool calls (:class:`McpCall`, :class:`AgentCall`,
:class:`SearchCall`), an interim response, a failed or incomplete ``response.done``
(:class:`Failure`), a ``warning`` and a ``rate_limits.updated`` event.

A *transcriber* is a callable ``transcriber(samples, sample_rate) -> str`` (int16 mono
samples). The default, :func:`stand_in_transcript`, says how long the audio is.
"""

from __future__ import annotations

import json
import os
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Literal

import numpy as np
from numpy.typing import NDArray

__all__ = [
    "AgentCall",
    "EchoResponder",
    "Failure",
    "FunctionCall",
    "McpCall",
    "Reply",
    "Responder",
    "ResponderExhaustedError",
    "ResponseContext",
    "ScriptedResponder",
    "SearchCall",
    "Transcriber",
    "stand_in_transcript",
]


@dataclass(frozen=True)
class FunctionCall:
    """A function call the emulated model makes.

    Args:
        name: the function; it must be a ``function`` tool of the session (or of the
            ``response.create`` overrides), else the response fails with an ``error``.
        arguments: a mapping (JSON-encoded for the wire) or ready JSON text.
        call_id: the call id; default: a deterministic ``call_0001``-style id.
    """

    name: str
    arguments: Mapping[str, Any] | str = field(default_factory=dict)
    call_id: str | None = None

    def arguments_json(self) -> str:
        """The arguments as the JSON text sent on the wire."""
        if isinstance(self.arguments, str):
            return self.arguments
        return json.dumps(dict(self.arguments), separators=(", ", ": "))


def _arguments_json(arguments: Mapping[str, Any] | str) -> str:
    if isinstance(arguments, str):
        return arguments
    return json.dumps(dict(arguments), separators=(", ", ": "))


@dataclass(frozen=True)
class McpCall:
    """A call the emulated model makes to a tool of a remote MCP server (run by the service).

    Args:
        name: the MCP tool.
        arguments: a mapping (JSON-encoded for the wire) or ready JSON text.
        server_label: the ``mcp`` tool of the session that serves it; default: the first one.
        output: what the MCP tool returns (``mcp_call`` item ``output``).
        error: when set, the call fails (``response.mcp_call.failed``, item ``error``).
        denied_text: the assistant's answer when the client denies the approval
            (default: a sentence saying the call was not approved).

    Whether the call needs approval follows the server's ``require_approval`` (default
    ``"always"``, as the service).
    """

    name: str
    arguments: Mapping[str, Any] | str = field(default_factory=dict)
    server_label: str | None = None
    output: str = ""
    error: str | None = None
    denied_text: str | None = None

    def arguments_json(self) -> str:
        """The arguments as the JSON text sent on the wire."""
        return _arguments_json(self.arguments)


@dataclass(frozen=True)
class AgentCall:
    """A call the emulated model makes to a Foundry agent tool (``foundry_agent`` tool).

    Args:
        agent_name: the ``agent_name`` of a ``foundry_agent`` tool of the session.
        arguments: a mapping (JSON-encoded for the wire) or ready JSON text.
        output: what the agent answers.
        error: when set, the call fails (``response.foundry_agent_call.failed``).
    """

    agent_name: str
    arguments: Mapping[str, Any] | str = field(default_factory=dict)
    output: str = ""
    error: str | None = None

    def arguments_json(self) -> str:
        """The arguments as the JSON text sent on the wire."""
        return _arguments_json(self.arguments)


@dataclass(frozen=True)
class SearchCall:
    """A web search or file search the service runs for the model.

    Args:
        kind: ``"web_search"`` or ``"file_search"``.
        queries: the queries (file search items list them).
        results: file search results (wire dicts such as ``{"file_id": ..., "text": ...}``).
    """

    kind: Literal["web_search", "file_search"] = "web_search"
    queries: Sequence[str] = ()
    results: Sequence[Mapping[str, Any]] = ()


@dataclass(frozen=True)
class Failure:
    """A response that ends ``failed`` or ``incomplete`` instead of ``completed``.

    Args:
        status: ``"failed"`` (nothing is streamed; an ``error`` event precedes
            ``response.done``) or ``"incomplete"`` (the reply streams, then stops).
        code: the error code (failed; e.g. ``"rate_limit_exceeded"``) or the reason
            (incomplete; e.g. ``"content_filter"``, ``"max_output_tokens"``).
        message: the error message (failed).
        error_type: the ``error.type`` (failed), e.g. ``"server_error"``.
    """

    status: Literal["failed", "incomplete"] = "failed"
    code: str = "server_error"
    message: str = "The response failed (emulated)."
    error_type: str = "server_error"


@dataclass(frozen=True)
class Reply:
    """What the emulated model answers in one response.

    Args:
        text: the assistant message (spoken as audio with a transcript when the response's
            modalities include ``audio``, streamed as text otherwise). ``None``: no message.
        function_call: one call or a list of calls, made after the message.
        mcp_call: MCP tool calls, run before the message (approval first when required:
            the response then ends with an ``mcp_approval_request`` item and the rest of
            this reply waits for the client's ``mcp_approval_response``).
        agent_call: Foundry agent calls, run before the message.
        search: web/file searches, run before the message.
        interim: an interim response (a short assistant message such as "One moment")
            streamed first; default: the session's ``interim_response`` text when it is
            configured and the reply calls a tool.
        failure: end the response ``failed`` or ``incomplete`` (:class:`Failure`).
        warning: send a ``warning`` event with this message before ``response.done``.
        rate_limits: send ``rate_limits.updated`` with these entries after ``response.done``
            (``{"name", "limit", "remaining", "reset_seconds"}``).
    """

    text: str | None = None
    function_call: FunctionCall | Sequence[FunctionCall] | None = None
    mcp_call: McpCall | Sequence[McpCall] | None = None
    agent_call: AgentCall | Sequence[AgentCall] | None = None
    search: SearchCall | Sequence[SearchCall] | None = None
    interim: str | None = None
    failure: Failure | None = None
    warning: str | None = None
    rate_limits: Sequence[Mapping[str, Any]] | None = None

    @property
    def function_calls(self) -> list[FunctionCall]:
        """The function calls as a list."""
        if self.function_call is None:
            return []
        if isinstance(self.function_call, FunctionCall):
            return [self.function_call]
        return list(self.function_call)

    @property
    def mcp_calls(self) -> list[McpCall]:
        """The MCP calls as a list."""
        return _as_list(self.mcp_call, McpCall)

    @property
    def agent_calls(self) -> list[AgentCall]:
        """The Foundry agent calls as a list."""
        return _as_list(self.agent_call, AgentCall)

    @property
    def searches(self) -> list[SearchCall]:
        """The searches as a list."""
        return _as_list(self.search, SearchCall)


def _as_list(value: Any, kind: type[Any]) -> list[Any]:
    if value is None:
        return []
    if isinstance(value, kind):
        return [value]
    return list(value)


@dataclass(frozen=True)
class ResponseContext:
    """Everything a responder may look at to decide its reply.

    Attributes:
        response_id: id of the response being produced (``resp_0001``...).
        conversation: the conversation items (wire dicts, oldest first), copies.
        input_items: the items this response answers: ``response.input_items`` when given,
            else the conversation.
        last_user_text: text of the last user message in ``input_items`` (input text, or
            the transcript of input audio), ``None`` if there is none.
        last_item: the last item of ``input_items`` (e.g. a ``function_call_output``).
        instructions: session instructions (or the response override) plus
            ``additional_instructions``.
        tools: the function/MCP tools available to this response (wire dicts).
        tool_choice: ``"auto"``, ``"none"``, ``"required"``, a function name or a dict.
        modalities: the response's modalities.
        session: the effective session (wire dict).
        metadata: the response's ``metadata``.
        response_index: 0 for the first response of the connection, then 1, 2, ...
    """

    response_id: str
    conversation: list[dict[str, Any]]
    input_items: list[dict[str, Any]]
    last_user_text: str | None
    last_item: dict[str, Any] | None
    instructions: str
    tools: list[dict[str, Any]]
    tool_choice: Any
    modalities: list[str]
    session: dict[str, Any]
    metadata: dict[str, str] | None
    response_index: int


Responder = Callable[[ResponseContext], Reply | str]
"""A callable deciding what the emulated model says: ``(context) -> Reply | str``."""

Transcriber = Callable[[NDArray[np.int16], int], str]
"""A callable turning user audio into text: ``(int16 mono samples, sample_rate) -> str``."""


def stand_in_transcript(samples: NDArray[np.int16], sample_rate: int) -> str:
    """The default transcriber: ``"(audio 1.4 s)"`` -- the duration, to one decimal."""
    seconds = samples.shape[0] / float(sample_rate) if sample_rate else 0.0
    return f"(audio {seconds:.1f} s)"


class EchoResponder:
    """The default responder: answers the last input deterministically.

    Args:
        prefix: put before the user's text (default ``"You said: "``).
        greeting: the answer when there is no user input yet.
    """

    def __init__(
        self, prefix: str = "You said: ", greeting: str = "Hello! How can I help you?"
    ) -> None:
        self.prefix = prefix
        self.greeting = greeting

    def __repr__(self) -> str:
        return f"EchoResponder(prefix={self.prefix!r})"

    def __call__(self, context: ResponseContext) -> Reply:
        last = context.last_item
        if last is not None and last.get("type") == "function_call_output":
            return Reply(text=f"The function returned: {last.get('output', '')}")
        if context.last_user_text is not None:
            return Reply(text=f"{self.prefix}{context.last_user_text}")
        return Reply(text=self.greeting)


class ResponderExhaustedError(LookupError):
    """A :class:`ScriptedResponder` was asked for more replies than it has."""


ScriptStep = Reply | str | Responder


class ScriptedResponder:
    """Replies from a script, one per response, in order.

    Args:
        replies: :class:`Reply` objects, plain strings (a text reply) or responder callables
            (called with the context for that response).

    When the script is used up, the next response fails (``response.done`` with status
    ``failed`` and an ``error`` event saying so), which makes a test that expected fewer
    responses fail loudly.

    Attributes:
        contexts: the :class:`ResponseContext` of every response asked for, in order.
    """

    def __init__(self, replies: Iterable[ScriptStep]) -> None:
        self.replies: list[ScriptStep] = list(replies)
        self.contexts: list[ResponseContext] = []

    def __repr__(self) -> str:
        return f"ScriptedResponder({len(self.replies)} replies, {len(self.contexts)} used)"

    @classmethod
    def from_script(cls, data: Mapping[str, Any] | Sequence[Any]) -> ScriptedResponder:
        """A responder playing a script given as data (the format of
        :mod:`voicelive.testing._script`, the one ``voicelive mock-server --script`` reads)."""
        from ._script import load_script

        return load_script(data).responder()

    @classmethod
    def from_file(cls, path: str | os.PathLike[str]) -> ScriptedResponder:
        """A responder playing a script file (``.json``; ``.yaml``/``.yml`` with PyYAML)."""
        from ._script import load_script

        return load_script(path).responder()

    @property
    def remaining(self) -> int:
        """Replies not used yet."""
        return max(0, len(self.replies) - len(self.contexts))

    def __call__(self, context: ResponseContext) -> Reply | str:
        index = len(self.contexts)
        self.contexts.append(context)
        if index >= len(self.replies):
            raise ResponderExhaustedError(
                f"ScriptedResponder has {len(self.replies)} replies, but response "
                f"#{index + 1} ({context.response_id}) asked for another"
            )
        step = self.replies[index]
        if isinstance(step, (Reply, str)):
            return step
        return step(context)
