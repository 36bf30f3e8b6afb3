"""voicelive.conversation: the helpers every voice app rewrites, done once, opt-in.

All of them work on a plain :class:`~voicelive.aio.VoiceLiveConnection` (or on a
:class:`ResilientConnection`); the low-level API is unchanged. See ``docs/conversation.md``.

* **Awaited acknowledgements** -- ``conn.session.update(..., wait=True)``,
  ``conn.conversation.item.create(..., wait=True)``, ``conn.input_audio_buffer.commit(
  wait=True)`` (or :func:`update_session`, :func:`create_item`, :func:`commit_audio`,
  :func:`send_and_wait`): the reply, or :class:`~voicelive.exceptions.ServerError` /
  :class:`~voicelive.exceptions.WaitTimeoutError`; session echoes are checked
  (:class:`SessionMismatchWarning` / :class:`SessionMismatchError`).
* **Playback and truncation** -- :class:`PlaybackTracker`: tell it what was played; on
  barge-in ``await tracker.interrupt()`` cancels and truncates correctly.
* **Tools** -- :class:`ToolRegistry` (``@tools.tool``: JSON schema from type hints) and
  :class:`ToolRunner` (answers calls, parallel calls, errors become outputs).
* **Response guard** -- :class:`ResponseGuard`: ``response.create`` that waits for (or
  cancels) the active response; :func:`classify_error` / :func:`classify_close`: which
  server errors and close codes are recoverable.
* **Reconnect** -- :class:`ResilientConnection` / :func:`connect_resilient`: backoff,
  restore, :class:`Reconnected` notifications, recycling before ``expires_at``.
* **Transcript** -- :class:`ConversationView`: items in order with assembled text.
"""

from ._acks import (
    DEFAULT_CHECKED_FIELDS,
    MismatchPolicy,
    SessionMismatch,
    SessionMismatchError,
    SessionMismatchWarning,
    commit_audio,
    compare_session,
    create_item,
    send_and_wait,
    update_session,
)
from ._conn import ConnectionLike
from ._errors import CloseKind, ErrorKind, classify_close, classify_error, classify_exception
from ._guard import GuardPolicy, ResponseGuard
from ._playback import Interruption, PlaybackTracker, Truncation
from ._reconnect import (
    Disconnected,
    LostItem,
    Reconnected,
    ReconnectFailedError,
    ReconnectPolicy,
    ResilientConnection,
    connect_resilient,
)
from ._tools import Tool, ToolCallRecord, ToolRegistry, ToolRunner
from ._transcript import ConversationView, TranscriptItem, TranscriptPart

__all__ = [
    "DEFAULT_CHECKED_FIELDS",
    "CloseKind",
    "ConnectionLike",
    "ConversationView",
    "Disconnected",
    "ErrorKind",
    "GuardPolicy",
    "Interruption",
    "LostItem",
    "MismatchPolicy",
    "PlaybackTracker",
    "ReconnectFailedError",
    "ReconnectPolicy",
    "Reconnected",
    "ResilientConnection",
    "ResponseGuard",
    "SessionMismatch",
    "SessionMismatchError",
    "SessionMismatchWarning",
    "Tool",
    "ToolCallRecord",
    "ToolRegistry",
    "ToolRunner",
    "TranscriptItem",
    "TranscriptPart",
    "Truncation",
    "classify_close",
    "classify_error",
    "classify_exception",
    "commit_audio",
    "compare_session",
    "connect_resilient",
    "create_item",
    "send_and_wait",
    "update_session",
]
