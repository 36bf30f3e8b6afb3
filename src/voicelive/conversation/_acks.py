"""Awaitable acknowledgements: send a request, return the server's answer or raise.

``conn.session.update(session=..., wait=True)``, ``conn.conversation.item.create(item=...,
wait=True)`` and ``conn.input_audio_buffer.commit(wait=True)`` delegate here. Each request:

1. is validated and given an ``event_id`` (a fresh one unless the caller chose it);
2. registers interest in the reply with ``conn.expect(...)`` *before* sending, so a fast reply
   cannot be missed, and matches the service's ``error`` event by ``error.event_id``;
3. returns the reply (``session.updated``'s session, the created item, the ``committed``
   event) or raises :class:`~voicelive.exceptions.ServerError` (an ``error`` for that request)
   or :class:`~voicelive.exceptions.WaitTimeoutError`.

The reply is *observed*, not consumed: ``async for event in conn`` still sees it.

``session.update`` also checks the echo: requested fields the server did not apply (the
voice, audio formats, sample rate, modalities, turn detection) are reported as a
:class:`SessionMismatchWarning` (default), raised as :class:`SessionMismatchError`, or ignored.
"""

from __future__ import annotations

import math
import warnings
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from typing import Any, Final, Literal, TypeVar, cast

from ..exceptions import ServerError, VoiceLiveError, WaitTimeoutError
from ..models import (
    ClientEvent,
    ClientEventConversationItemCreate,
    ClientEventInputAudioBufferCommit,
    ClientEventSessionUpdate,
    ConversationRequestItem,
    RequestSession,
    ResponseItem,
    ResponseSession,
    ServerEventBase,
    ServerEventConversationItemCreated,
    ServerEventError,
    ServerEventInputAudioBufferCommitted,
    ServerEventSessionUpdated,
)
from ..models._client_events import ClientEventBase
from ._conn import ConnectionLike, discard_future, new_event_id

__all__ = [
    "DEFAULT_CHECKED_FIELDS",
    "MismatchPolicy",
    "SessionMismatch",
    "SessionMismatchError",
    "SessionMismatchWarning",
    "commit_audio",
    "compare_session",
    "create_item",
    "send_and_wait",
    "server_error_from",
    "update_session",
]

_R = TypeVar("_R", bound=ServerEventBase)

MismatchPolicy = Literal["warn", "raise", "ignore"]
"""What ``session.update(wait=True)`` does when the echo differs from the request."""

DEFAULT_CHECKED_FIELDS: Final[tuple[str, ...]] = (
    "voice",
    "modalities",
    "input_audio_format",
    "input_audio_sampling_rate",
    "output_audio_format",
    "turn_detection",
)
"""Session fields whose echo is compared with the request by default."""

_FORMAT_FIELDS: Final = frozenset({"input_audio_format", "output_audio_format"})
_MISSING: Final = object()


@dataclass(frozen=True)
class SessionMismatch:
    """One requested session field the server's ``session.updated`` echo does not match.

    Attributes:
        field: dotted path, e.g. ``"voice.name"`` or ``"output_audio_format"``.
        requested: what was asked for (wire form).
        applied: what the server reports (wire form; ``None`` when absent).
    """

    field: str
    requested: Any
    applied: Any

    def __str__(self) -> str:
        return f"{self.field}: requested {self.requested!r}, server applied {self.applied!r}"


class SessionMismatchWarning(UserWarning):
    """The server applied a session different from the one requested (see ``mismatches``)."""

    def __init__(self, message: str, mismatches: list[SessionMismatch]) -> None:
        super().__init__(message)
        self.mismatches = mismatches


class SessionMismatchError(VoiceLiveError):
    """Raised by ``session.update(wait=True, on_mismatch="raise")`` on a differing echo.

    Attributes:
        mismatches: the differing fields.
        session: the session the server actually applied.
    """

    def __init__(
        self, message: str, *, mismatches: list[SessionMismatch], session: ResponseSession
    ) -> None:
        super().__init__(message)
        self.mismatches = mismatches
        self.session = session


def server_error_from(event: ServerEventError, what: str = "request") -> ServerError:
    """A :class:`~voicelive.exceptions.ServerError` carrying an ``error`` event's details."""
    details = event.error
    message = f"{what} failed: {details.message or 'server error'}"
    if details.code:
        message += f" (code {details.code})"
    return ServerError(
        message,
        code=details.code,
        error_type=details.type,
        param=details.param,
        event_id=details.event_id,
    )


async def send_and_wait(
    conn: ConnectionLike,
    event: ClientEventBase,
    reply: type[_R],
    *,
    predicate: Callable[[_R], bool] | None = None,
    timeout: float | None = 30.0,
) -> _R:
    """Send ``event`` and return its ``reply`` event, or raise on the matching ``error``.

    A missing ``event.event_id`` is filled in with a fresh one, so the service's ``error``
    for this request can be told from others.

    Raises:
        ServerError: the server answered this request with an ``error`` event.
        WaitTimeoutError: no reply within ``timeout`` seconds.
        ConnectionClosed: the connection closed first.
    """
    if event.event_id is None:
        event = event.model_copy(update={"event_id": new_event_id()})
        event.__pydantic_fields_set__.add("event_id")
    event_id = event.event_id

    def matches(candidate: ServerEventBase) -> bool:
        if isinstance(candidate, ServerEventError):
            return candidate.error.event_id == event_id
        return isinstance(candidate, reply) and (predicate is None or predicate(candidate))

    future = conn.expect(ServerEventBase, predicate=matches)
    try:
        await conn.send(cast("ClientEvent", event))
    except BaseException:
        await discard_future(conn, future)
        raise
    try:
        answer = await conn.wait_future(future, timeout=timeout)
    except WaitTimeoutError:
        raise WaitTimeoutError(
            f"no {reply.__name__} reply to {event.type} (event_id {event_id}) within "
            f"{timeout} s; the connection is unaffected"
        ) from None
    if isinstance(answer, ServerEventError):
        raise server_error_from(answer, event.type)
    result: _R = answer
    return result


async def update_session(
    conn: ConnectionLike,
    session: RequestSession | Mapping[str, Any],
    *,
    event_id: str | None = None,
    timeout: float | None = 30.0,
    on_mismatch: MismatchPolicy = "warn",
    check_fields: Iterable[str] = DEFAULT_CHECKED_FIELDS,
) -> ResponseSession:
    """Send ``session.update`` and return the session from ``session.updated``.

    Requested fields listed in ``check_fields`` that the echo does not match are reported
    according to ``on_mismatch``: ``"warn"`` (a :class:`SessionMismatchWarning`),
    ``"raise"`` (:class:`SessionMismatchError`) or ``"ignore"``.

    Raises:
        ServerError: the server rejected the update (``error`` event for this request).
        WaitTimeoutError: no ``session.updated`` within ``timeout`` seconds.
        SessionMismatchError: with ``on_mismatch="raise"``.
    """
    if on_mismatch not in ("warn", "raise", "ignore"):
        raise ValueError(f"on_mismatch must be 'warn', 'raise' or 'ignore', not {on_mismatch!r}")
    fields: dict[str, Any] = {"session": session}
    if event_id is not None:
        fields["event_id"] = event_id
    event = ClientEventSessionUpdate.model_validate(fields)
    reply = await send_and_wait(conn, event, ServerEventSessionUpdated, timeout=timeout)
    if reply.session is None:  # a frame may leave the session out: nothing to compare
        return ResponseSession()
    if on_mismatch != "ignore":
        mismatches = compare_session(event.session, reply.session, fields=check_fields)
        if mismatches:
            message = "the server did not apply the requested session: " + "; ".join(
                str(m) for m in mismatches
            )
            if on_mismatch == "raise":
                raise SessionMismatchError(message, mismatches=mismatches, session=reply.session)
            warnings.warn(SessionMismatchWarning(message, mismatches), stacklevel=3)
    return reply.session


async def create_item(
    conn: ConnectionLike,
    item: ConversationRequestItem | Mapping[str, Any],
    *,
    previous_item_id: str | None = None,
    event_id: str | None = None,
    timeout: float | None = 30.0,
) -> ResponseItem:
    """Send ``conversation.item.create`` and return the item from ``conversation.item.created``.

    The reply is recognised by the item's ``id`` when one was given, otherwise by its type,
    role, ``call_id`` and text content (an item the server creates on its own at the same
    moment, such as a user turn from server VAD, has audio content and is not mistaken for
    it).

    Raises:
        ServerError: the server rejected the item.
        WaitTimeoutError: no ``conversation.item.created`` within ``timeout`` seconds.
    """
    fields: dict[str, Any] = {"item": item}
    if previous_item_id is not None:
        fields["previous_item_id"] = previous_item_id
    if event_id is not None:
        fields["event_id"] = event_id
    event = ClientEventConversationItemCreate.model_validate(fields)
    request_item = event.item
    if request_item is None:  # pragma: no cover - the resource always passes an item
        raise ValueError("conversation.item.create needs an item")

    def is_ours(created: ServerEventConversationItemCreated) -> bool:
        return created.item is not None and item_matches(request_item, created.item)

    reply = await send_and_wait(
        conn, event, ServerEventConversationItemCreated, predicate=is_ours, timeout=timeout
    )
    assert reply.item is not None
    return reply.item


async def commit_audio(
    conn: ConnectionLike, *, event_id: str | None = None, timeout: float | None = 30.0
) -> ServerEventInputAudioBufferCommitted:
    """Send ``input_audio_buffer.commit`` and return the ``input_audio_buffer.committed`` event.

    Raises:
        ServerError: e.g. ``input_audio_buffer_commit_empty``.
        WaitTimeoutError: no ``committed`` within ``timeout`` seconds.
    """
    event = ClientEventInputAudioBufferCommit(event_id=event_id or new_event_id())
    return await send_and_wait(conn, event, ServerEventInputAudioBufferCommitted, timeout=timeout)


# ------------------------------------------------------------------------------------ matching


def _text_parts(content: Any) -> list[tuple[str, str | None]]:
    parts: list[tuple[str, str | None]] = []
    for part in content or ():
        kind = str(_plain(getattr(part, "type", "")))
        text = getattr(part, "text", None) if kind in ("input_text", "text") else None
        parts.append((kind, text))
    return parts


def item_matches(request: ConversationRequestItem, created: ResponseItem) -> bool:
    """Whether ``created`` (server item) is the echo of ``request`` (client item)."""
    if request.id is not None:
        return created.id == request.id
    if str(_plain(created.type)) != str(_plain(request.type)):
        return False
    for name in ("role", "call_id", "name", "approval_request_id"):
        wanted = getattr(request, name, None)
        if wanted is not None and str(_plain(getattr(created, name, None))) != str(_plain(wanted)):
            return False
    if request.type == "message":
        return _text_parts(getattr(request, "content", None)) == _text_parts(
            getattr(created, "content", None)
        )
    return True


# ------------------------------------------------------------------------------------ echo check


def _plain(value: Any) -> Any:
    return getattr(value, "value", value)


def _norm_string(field: str, value: str) -> str:
    text = value.strip().lower()
    if field in _FORMAT_FIELDS:
        text = text.replace("-", "_")
    return text


def _diff(path: str, field: str, requested: Any, applied: Any, out: list[SessionMismatch]) -> None:
    requested, applied = _plain(requested), _plain(applied)
    if isinstance(requested, Mapping):
        if not isinstance(applied, Mapping):
            out.append(SessionMismatch(path, requested, applied))
            return
        for key, value in requested.items():
            if key in applied:  # nested keys the server leaves out are its defaults
                _diff(f"{path}.{key}", field, value, applied[key], out)
        return
    if isinstance(requested, list):
        if not isinstance(applied, list):
            out.append(SessionMismatch(path, requested, applied))
            return
        if field == "modalities":
            wanted = sorted(str(_plain(v)).lower() for v in requested)
            got = sorted(str(_plain(v)).lower() for v in applied)
            if wanted != got:
                out.append(SessionMismatch(path, requested, applied))
            return
        if len(requested) != len(applied):
            out.append(SessionMismatch(path, requested, applied))
            return
        for index, (want, got_value) in enumerate(zip(requested, applied, strict=True)):
            _diff(f"{path}[{index}]", field, want, got_value, out)
        return
    if isinstance(requested, bool) or isinstance(applied, bool):
        if requested is not applied:
            out.append(SessionMismatch(path, requested, applied))
        return
    if isinstance(requested, (int, float)) and isinstance(applied, (int, float)):
        if not math.isclose(requested, applied, rel_tol=1e-6, abs_tol=1e-9):
            out.append(SessionMismatch(path, requested, applied))
        return
    if isinstance(requested, str) and isinstance(applied, str):
        if _norm_string(field, requested) != _norm_string(field, applied):
            out.append(SessionMismatch(path, requested, applied))
        return
    if requested != applied:
        out.append(SessionMismatch(path, requested, applied))


def compare_session(
    requested: RequestSession,
    applied: ResponseSession,
    *,
    fields: Iterable[str] = DEFAULT_CHECKED_FIELDS,
) -> list[SessionMismatch]:
    """The requested ``fields`` that ``applied`` (a ``session.updated`` echo) does not match.

    Only fields present in the request are compared. Strings compare case-insensitively
    (formats also ignore ``-`` vs ``_``), numbers with a small tolerance, ``modalities`` as a
    set; inside objects (voice, turn detection) only the keys the server echoes are compared.
    A requested ``None`` (e.g. ``turn_detection=None``) must come back as ``null`` or absent.
    """
    wanted = requested.to_wire_dict()
    got = applied.to_wire_dict()
    out: list[SessionMismatch] = []
    for field in fields:
        if field not in wanted:
            continue
        value = wanted[field]
        echoed = got.get(field, _MISSING)
        if echoed is _MISSING:
            if value is not None:
                out.append(SessionMismatch(field, value, None))
            continue
        _diff(field, field, value, echoed, out)
    return out
