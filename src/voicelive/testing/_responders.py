"""What the emulated model says: :class:`Reply`, :class:`FunctionCall`, responders, transcribers.

A *responder* is any callable ``responder(context) -> Reply | str`` (a ``str`` is short for
``Reply(text=...)``). The emulator calls it once per response with a
:class:`ResponseContext` and streams the reply with the service's event sequence:

* :class:`EchoResponder` (the default) answers deterministically from the last input:
  ``"You said: <text>"`` for a user text, ``"You said: <transcript>"`` for user audio (the
  transcriber's text, by default a stand-in such as ``"(audio 1.4 s)"``),
  ``"The function returned: <output>"`` after a ``function_call_output`` item, and a greeting
  when there is no input yet.
* :class:`ScriptedResponder` plays a list of replies in order, for tests.

A *transcriber* is a callable ``transcriber(samples, sample_rate) -> str`` (int16 mono
samples). The default, :func:`stand_in_transcript`, says how long the audio is.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
from numpy.typing import NDArray

__all__ = [
    "EchoResponder",
    "FunctionCall",
    "Reply",
    "Responder",
    "ResponderExhaustedError",
    "ResponseContext",
    "ScriptedResponder",
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


@dataclass(frozen=True)
class Reply:
    """What the emulated model answers in one response.

    Args:
        text: the assistant message (spoken as audio with a transcript when the response's
            modalities include ``audio``, streamed as text otherwise). ``None``: no message.
        function_call: one call or a list of calls, made after the message.
    """

    text: str | None = None
    function_call: FunctionCall | Sequence[FunctionCall] | None = None

    @property
    def function_calls(self) -> list[FunctionCall]:
        """The function calls as a list."""
        if self.function_call is None:
            return []
        if isinstance(self.function_call, FunctionCall):
            return [self.function_call]
        return list(self.function_call)


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
