"""A live view of the conversation: items in order, text and transcripts assembled from deltas.

Feed it every server event (``view.observe(event)``, or ``view.attach(conn)`` to do that
automatically for every event read) and read ``view.items``: one :class:`TranscriptItem` per
conversation item, in conversation order, with

* assistant text (``response.text.delta``) and audio transcripts
  (``response.audio_transcript.delta``) assembled as they stream;
* user audio transcripts (``conversation.item.input_audio_transcription.*``), which arrive
  asynchronously, usually after the assistant already answered;
* function calls (name, ``call_id``, arguments) and their outputs;
* truncation (``truncated_ms``) and deletion.

``str(view)`` gives a readable log (``user: ...`` / ``assistant: ...`` lines). The reconnect
wrapper uses the same view to re-create the conversation on a new connection.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

from ..models import (
    ResponseItem,
    ServerEvent,
    ServerEventConversationItemCreated,
    ServerEventConversationItemDeleted,
    ServerEventConversationItemInputAudioTranscriptionCompleted,
    ServerEventConversationItemInputAudioTranscriptionDelta,
    ServerEventConversationItemInputAudioTranscriptionFailed,
    ServerEventConversationItemRetrieved,
    ServerEventConversationItemTruncated,
    ServerEventResponseAudioTranscriptDelta,
    ServerEventResponseAudioTranscriptDone,
    ServerEventResponseContentPartAdded,
    ServerEventResponseContentPartDone,
    ServerEventResponseDone,
    ServerEventResponseFunctionCallArgumentsDelta,
    ServerEventResponseFunctionCallArgumentsDone,
    ServerEventResponseOutputItemAdded,
    ServerEventResponseOutputItemDone,
    ServerEventResponseTextDelta,
    ServerEventResponseTextDone,
)
from ._conn import ConnectionLike

__all__ = ["ConversationView", "TranscriptItem", "TranscriptPart"]


def _plain(value: Any) -> Any:
    return getattr(value, "value", value)


@dataclass
class TranscriptPart:
    """One content part of an item.

    Attributes:
        type: ``"input_text"``, ``"input_audio"``, ``"text"``, ``"audio"``, ...
        text: text content (``input_text`` / ``text`` parts), assembled from deltas.
        transcript: transcript of audio content (``input_audio`` / ``audio`` parts).
        transcription_failed: the service could not transcribe this user audio.
    """

    type: str
    text: str = ""
    transcript: str = ""
    transcription_failed: bool = False

    @property
    def content(self) -> str:
        """The text of this part: its text, else its transcript."""
        return self.text or self.transcript

    @property
    def is_audio(self) -> bool:
        """True for audio parts (``input_audio`` / ``audio``)."""
        return "audio" in self.type


@dataclass
class TranscriptItem:
    """One conversation item as assembled by :class:`ConversationView`.

    Attributes:
        id: the item id.
        type: ``"message"``, ``"function_call"``, ``"function_call_output"``, ...
        role: ``"user"`` / ``"assistant"`` / ``"system"`` for messages, else ``None``.
        status: ``"in_progress"``, ``"completed"`` or ``"incomplete"`` (when known).
        parts: content parts, by ``content_index``.
        name, call_id, arguments: for ``function_call`` items.
        output: for ``function_call_output`` items (``call_id`` set too).
        response_id: the response that produced the item (``None`` for client items).
        truncated_ms: ``audio_end_ms`` once the item's audio was truncated.
    """

    id: str
    type: str = "message"
    role: str | None = None
    status: str | None = None
    parts: list[TranscriptPart] = field(default_factory=list)
    name: str | None = None
    call_id: str | None = None
    arguments: str | None = None
    output: str | None = None
    response_id: str | None = None
    truncated_ms: int | None = None

    @property
    def text(self) -> str:
        """All parts' text (or transcripts), concatenated."""
        return "".join(part.content for part in self.parts)

    @property
    def has_audio(self) -> bool:
        """True when the item has audio content."""
        return any(part.is_audio for part in self.parts)

    def part(self, index: int, kind: str | None = None) -> TranscriptPart:
        """Part ``index``, created (with type ``kind``) if missing."""
        while len(self.parts) <= index:
            self.parts.append(TranscriptPart(type=kind or "text"))
        part = self.parts[index]
        if kind is not None:
            part.type = kind
        return part

    def __str__(self) -> str:
        if self.type == "message":
            text = self.text
            if not text and self.has_audio:
                text = "(audio)"
            return f"{self.role or 'message'}: {text}"
        if self.type == "function_call":
            return f"function_call {self.name}({self.arguments or ''}) [{self.call_id}]"
        if self.type == "function_call_output":
            return f"function_call_output [{self.call_id}]: {self.output or ''}"
        return f"{self.type} {self.id}"


class ConversationView:
    """Items of the conversation in order, assembled from server events.

    Args:
        max_items: keep at most this many items (oldest dropped); ``None``: no limit.
    """

    def __init__(self, *, max_items: int | None = None) -> None:
        self._items: list[TranscriptItem] = []
        self._index: dict[str, TranscriptItem] = {}
        self._max_items = max_items

    # ----------------------------------------------------------------- reading

    @property
    def items(self) -> list[TranscriptItem]:
        """The items, in conversation order (a copy)."""
        return list(self._items)

    def get(self, item_id: str) -> TranscriptItem | None:
        """The item with this id, if known."""
        return self._index.get(item_id)

    def __iter__(self) -> Iterator[TranscriptItem]:
        return iter(list(self._items))

    def __len__(self) -> int:
        return len(self._items)

    def lines(self) -> list[str]:
        """One readable line per item (``"user: ..."``, ``"assistant: ..."``, ...)."""
        return [str(item) for item in self._items]

    def __str__(self) -> str:
        return "\n".join(self.lines())

    def __repr__(self) -> str:
        return f"<ConversationView items={len(self._items)}>"

    # ----------------------------------------------------------------- feeding

    def attach(self, conn: ConnectionLike) -> ConversationView:
        """Observe every event ``conn`` reads (``conn.add_event_observer``); returns self."""
        conn.add_event_observer(self.observe)
        return self

    def observe(self, event: ServerEvent) -> None:
        """Update the view with one server event (other event types are ignored)."""
        handler = _HANDLERS.get(event.type)
        if handler is not None:
            handler(self, event)

    # ----------------------------------------------------------------- editing

    def rename(self, old_id: str, new_id: str) -> None:
        """Give an item a new id (the reconnect wrapper re-creates items under new ids)."""
        item = self._index.pop(old_id, None)
        if item is not None:
            item.id = new_id
            self._index[new_id] = item

    def remove(self, item_id: str) -> TranscriptItem | None:
        """Forget an item; returns it."""
        item = self._index.pop(item_id, None)
        if item is not None:
            self._items.remove(item)
        return item

    def clear(self) -> None:
        """Forget every item."""
        self._items.clear()
        self._index.clear()

    def _ensure(self, item_id: str, *, previous_item_id: str | None = None) -> TranscriptItem:
        item = self._index.get(item_id)
        if item is not None:
            return item
        item = TranscriptItem(id=item_id)
        self._index[item_id] = item
        position = len(self._items)
        if previous_item_id is not None:
            previous = self._index.get(previous_item_id)
            if previous is not None:
                position = self._items.index(previous) + 1
            elif previous_item_id == "root":
                position = 0
        self._items.insert(position, item)
        if self._max_items is not None and len(self._items) > self._max_items:
            oldest = self._items.pop(0)
            self._index.pop(oldest.id, None)
        return item

    def _merge(
        self,
        source: ResponseItem,
        *,
        previous_item_id: str | None = None,
        response_id: str | None = None,
    ) -> TranscriptItem | None:
        if not source.id:
            return None
        item = self._ensure(source.id, previous_item_id=previous_item_id)
        item.type = str(_plain(source.type))
        if response_id is not None:
            item.response_id = response_id
        for name in ("role", "status", "name", "call_id", "arguments", "output"):
            value = getattr(source, name, None)
            if value is not None and value != "":
                setattr(item, name, str(_plain(value)))
        for index, part in enumerate(getattr(source, "content", None) or ()):
            target = item.part(index, str(_plain(part.type)))
            text = getattr(part, "text", None)
            if text:
                target.text = text
            transcript = getattr(part, "transcript", None)
            if transcript:
                target.transcript = transcript
        return item


# --------------------------------------------------------------------------------- handlers


def _item_created(view: ConversationView, event: Any) -> None:
    assert isinstance(event, ServerEventConversationItemCreated)
    if event.item is not None:
        view._merge(event.item, previous_item_id=event.previous_item_id)


def _item_retrieved(view: ConversationView, event: Any) -> None:
    assert isinstance(event, ServerEventConversationItemRetrieved)
    if event.item is not None and event.item.id in view._index:
        view._merge(event.item)


def _output_item(view: ConversationView, event: Any) -> None:
    assert isinstance(
        event, (ServerEventResponseOutputItemAdded, ServerEventResponseOutputItemDone)
    )
    if event.item is not None:
        view._merge(event.item, response_id=event.response_id)


def _content_part(view: ConversationView, event: Any) -> None:
    assert isinstance(
        event, (ServerEventResponseContentPartAdded, ServerEventResponseContentPartDone)
    )
    item = view._ensure(event.item_id)
    item.response_id = item.response_id or event.response_id
    if event.part is None:  # a frame may leave the part out
        return
    part = item.part(event.content_index, str(_plain(event.part.type)))
    text = getattr(event.part, "text", None)
    if text:
        part.text = text
    transcript = getattr(event.part, "transcript", None)
    if transcript:
        part.transcript = transcript


def _text_delta(view: ConversationView, event: Any) -> None:
    assert isinstance(event, ServerEventResponseTextDelta)
    item = view._ensure(event.item_id)
    item.part(event.content_index).text += event.delta


def _text_done(view: ConversationView, event: Any) -> None:
    assert isinstance(event, ServerEventResponseTextDone)
    view._ensure(event.item_id).part(event.content_index).text = event.text


def _transcript_delta(view: ConversationView, event: Any) -> None:
    assert isinstance(event, ServerEventResponseAudioTranscriptDelta)
    item = view._ensure(event.item_id)
    part = item.part(event.content_index)
    if part.type == "text" and not part.text:
        part.type = "audio"
    part.transcript += event.delta


def _transcript_done(view: ConversationView, event: Any) -> None:
    assert isinstance(event, ServerEventResponseAudioTranscriptDone)
    item = view._ensure(event.item_id)
    part = item.part(event.content_index)
    if part.type == "text" and not part.text:
        part.type = "audio"
    part.transcript = event.transcript


def _user_transcript_delta(view: ConversationView, event: Any) -> None:
    assert isinstance(event, ServerEventConversationItemInputAudioTranscriptionDelta)
    item = view._index.get(event.item_id)
    if item is not None and event.delta:
        item.part(event.content_index or 0, "input_audio").transcript += event.delta


def _user_transcript_done(view: ConversationView, event: Any) -> None:
    assert isinstance(event, ServerEventConversationItemInputAudioTranscriptionCompleted)
    item = view._index.get(event.item_id)
    if item is not None:
        item.part(event.content_index, "input_audio").transcript = event.transcript


def _user_transcript_failed(view: ConversationView, event: Any) -> None:
    assert isinstance(event, ServerEventConversationItemInputAudioTranscriptionFailed)
    item = view._index.get(event.item_id)
    if item is not None:
        item.part(event.content_index, "input_audio").transcription_failed = True


def _arguments_delta(view: ConversationView, event: Any) -> None:
    assert isinstance(event, ServerEventResponseFunctionCallArgumentsDelta)
    item = view._ensure(event.item_id)
    item.type = "function_call"
    item.call_id = item.call_id or event.call_id
    item.arguments = (item.arguments or "") + event.delta


def _arguments_done(view: ConversationView, event: Any) -> None:
    assert isinstance(event, ServerEventResponseFunctionCallArgumentsDone)
    item = view._ensure(event.item_id)
    item.type = "function_call"
    item.call_id = event.call_id
    item.name = event.name or item.name
    item.arguments = event.arguments
    item.response_id = item.response_id or event.response_id


def _truncated(view: ConversationView, event: Any) -> None:
    assert isinstance(event, ServerEventConversationItemTruncated)
    item = view._index.get(event.item_id)
    if item is not None:
        item.truncated_ms = event.audio_end_ms


def _deleted(view: ConversationView, event: Any) -> None:
    assert isinstance(event, ServerEventConversationItemDeleted)
    view.remove(event.item_id)


def _response_done(view: ConversationView, event: Any) -> None:
    assert isinstance(event, ServerEventResponseDone)
    if event.response is None:  # a frame may leave the response out
        return
    for output in event.response.output or ():
        if output.id and output.id in view._index:
            view._merge(output, response_id=event.response.id)


_HANDLERS: dict[str, Any] = {
    "conversation.item.created": _item_created,
    "conversation.item.retrieved": _item_retrieved,
    "response.output_item.added": _output_item,
    "response.output_item.done": _output_item,
    "response.content_part.added": _content_part,
    "response.content_part.done": _content_part,
    "response.text.delta": _text_delta,
    "response.text.done": _text_done,
    "response.audio_transcript.delta": _transcript_delta,
    "response.audio_transcript.done": _transcript_done,
    "conversation.item.input_audio_transcription.delta": _user_transcript_delta,
    "conversation.item.input_audio_transcription.completed": _user_transcript_done,
    "conversation.item.input_audio_transcription.failed": _user_transcript_failed,
    "response.function_call_arguments.delta": _arguments_delta,
    "response.function_call_arguments.done": _arguments_done,
    "conversation.item.truncated": _truncated,
    "conversation.item.deleted": _deleted,
    "response.done": _response_done,
}
