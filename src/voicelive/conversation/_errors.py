"""Classification of server ``error`` codes, close codes and connect failures.

The helpers of :mod:`voicelive.conversation` all need to answer the same questions: *may the
conversation go on after this error?*, *is it worth sending the request again?*, *should a
dropped connection be re-opened?* This module answers them once, from a table, so the answer
is the same everywhere and documented in one place (``docs/conversation.md``).

Server ``error`` events (:func:`classify_error`) fall into five kinds:

=================  ======================================================================
kind               meaning / what the helpers do
=================  ======================================================================
``benign``         nothing went wrong that matters (``response_cancel_not_active``: the
                   response was already over). Ignored.
``retry``          the same request will work later (``conversation_already_has_active_
                   response``, ``rate_limit_exceeded``, ``server_error``). The response
                   guard waits for the active response and sends it again.
``invalid``        this request is wrong (bad value, unknown item, truncation past the
                   audio); fix the request. The session is fine. Awaited helpers raise
                   :class:`~voicelive.exceptions.ServerError`.
``session_ended``  this session cannot go on but a new connection can
                   (``session_expired``). The reconnect wrapper opens a new one.
``fatal``          stop: credentials, quota, content policy (``invalid_api_key``,
                   ``insufficient_quota``, ...). The reconnect wrapper gives up.
=================  ======================================================================

``recoverable`` (the session continues) is true for the first three kinds.

Close codes (:func:`classify_close`): 1000 is a normal end; 1001 (going away / session
expired), 1005, 1006 (no close frame: network loss), 1011 (server error), 1012 (service
restart), 1013 (try again later) and 1014 (bad gateway) are recoverable by reconnecting;
1002, 1003, 1007, 1008 (policy violation), 1009, 1010 and 1015 are fatal, and so is every
application code 4000-4999: the service uses that range to refuse a client (authentication,
quota, policy) and its codes are not documented, so reconnecting would only hammer it. Pass
``recoverable_close_codes`` to :class:`~voicelive.conversation.ReconnectPolicy` to change that.
"""

from __future__ import annotations

import enum
from collections.abc import Mapping
from typing import Final

from ..exceptions import (
    AuthenticationError,
    ConnectionClosed,
    HandshakeError,
    LocalProtocolError,
    RedirectRefusedError,
    ServerError,
)
from ..exceptions import ConnectionError as VoiceLiveConnectionError
from ..models import ServerEventError, ServerEventErrorDetails

__all__ = [
    "CloseKind",
    "ErrorKind",
    "classify_close",
    "classify_error",
    "classify_exception",
    "error_code",
]


class ErrorKind(str, enum.Enum):
    """What an ``error`` event means for the conversation (see the module docstring)."""

    BENIGN = "benign"
    """Harmless (e.g. cancelling a response that already finished)."""
    RETRY = "retry"
    """The same request can succeed later (active response, rate limit, server error)."""
    INVALID = "invalid"
    """The request itself is wrong; the session is fine."""
    SESSION_ENDED = "session_ended"
    """This session is over; a new connection can continue (``session_expired``)."""
    FATAL = "fatal"
    """Stop: credentials, quota or policy. Reconnecting will not help."""

    @property
    def recoverable(self) -> bool:
        """True when the session goes on after this error (benign, retry, invalid)."""
        return self in (ErrorKind.BENIGN, ErrorKind.RETRY, ErrorKind.INVALID)


class CloseKind(str, enum.Enum):
    """What a WebSocket close (or a failure to connect) means for reconnecting."""

    NORMAL = "normal"
    """Closed on purpose with 1000: the conversation is over."""
    RECOVERABLE = "recoverable"
    """Transient (network loss, server restart, session expiry): reconnect."""
    FATAL = "fatal"
    """Reconnecting will not help (policy, authentication, quota, protocol errors)."""


ERROR_CODES: Final[Mapping[str, ErrorKind]] = {
    # harmless
    "response_cancel_not_active": ErrorKind.BENIGN,
    "input_audio_buffer_commit_empty": ErrorKind.BENIGN,
    # later
    "conversation_already_has_active_response": ErrorKind.RETRY,
    "rate_limit_exceeded": ErrorKind.RETRY,
    "server_error": ErrorKind.RETRY,
    "internal_error": ErrorKind.RETRY,
    "service_unavailable": ErrorKind.RETRY,
    "timeout": ErrorKind.RETRY,
    # this session is over
    "session_expired": ErrorKind.SESSION_ENDED,
    "session_timeout": ErrorKind.SESSION_ENDED,
    # stop
    "invalid_api_key": ErrorKind.FATAL,
    "unauthorized": ErrorKind.FATAL,
    "authentication_error": ErrorKind.FATAL,
    "permission_denied": ErrorKind.FATAL,
    "forbidden": ErrorKind.FATAL,
    "insufficient_quota": ErrorKind.FATAL,
    "quota_exceeded": ErrorKind.FATAL,
    "billing_hard_limit_reached": ErrorKind.FATAL,
    "content_filter": ErrorKind.FATAL,
    "policy_violation": ErrorKind.FATAL,
    "deployment_not_found": ErrorKind.FATAL,
    "model_not_found": ErrorKind.FATAL,
}
"""Known ``error.code`` values and their kind. Unknown codes are ``invalid`` (the request
failed, the session goes on), except that an unknown code of ``error.type`` ``server_error``
is ``retry`` and of type ``authentication_error`` / ``permission_error`` is ``fatal``."""

_ERROR_TYPES: Final[Mapping[str, ErrorKind]] = {
    "server_error": ErrorKind.RETRY,
    "authentication_error": ErrorKind.FATAL,
    "permission_error": ErrorKind.FATAL,
    "insufficient_quota": ErrorKind.FATAL,
}

RECOVERABLE_CLOSE_CODES: Final[frozenset[int]] = frozenset(
    {1001, 1005, 1006, 1011, 1012, 1013, 1014}
)
"""Close codes after which a new connection is worth trying."""

FATAL_CLOSE_CODES: Final[frozenset[int]] = frozenset({1002, 1003, 1007, 1008, 1009, 1010, 1015})
"""Close codes after which reconnecting will not help (plus every code 4000-4999)."""

FATAL_HANDSHAKE_STATUSES: Final[frozenset[int]] = frozenset({400, 401, 403, 404, 429})
"""HTTP statuses of a refused handshake that end reconnecting (bad request or endpoint,
credentials, quota / rate limit); 5xx and no answer at all are recoverable."""


def error_code(error: ServerEventError | ServerEventErrorDetails | ServerError | str) -> str:
    """The ``code`` of an ``error`` event, its details, a :class:`ServerError` or a code."""
    if isinstance(error, str):
        return error
    if isinstance(error, ServerEventError):
        return error.error.code or ""
    return error.code or ""


def classify_error(
    error: ServerEventError | ServerEventErrorDetails | ServerError | str,
) -> ErrorKind:
    """The :class:`ErrorKind` of an ``error`` event (or its details, a ``ServerError``, a code).

    >>> classify_error("conversation_already_has_active_response").recoverable
    True
    >>> classify_error("session_expired")
    <ErrorKind.SESSION_ENDED: 'session_ended'>
    """
    code = error_code(error).lower()
    kind = ERROR_CODES.get(code)
    if kind is not None:
        return kind
    if isinstance(error, ServerEventError):
        error_type = error.error.type
    elif isinstance(error, ServerEventErrorDetails):
        error_type = error.type
    elif isinstance(error, ServerError):
        error_type = error.error_type
    else:
        error_type = None
    return _ERROR_TYPES.get((error_type or "").lower(), ErrorKind.INVALID)


def classify_close(
    code: int | None,
    *,
    recoverable: frozenset[int] | set[int] = frozenset(),
    fatal: frozenset[int] | set[int] = frozenset(),
) -> CloseKind:
    """The :class:`CloseKind` of a WebSocket close code (``None``: no close frame, as 1006).

    ``recoverable`` / ``fatal`` add codes to (and win over) the built-in tables.
    """
    value = 1006 if code is None else code
    if value in recoverable:
        return CloseKind.RECOVERABLE
    if value in fatal:
        return CloseKind.FATAL
    if value == 1000:
        return CloseKind.NORMAL
    if value in RECOVERABLE_CLOSE_CODES:
        return CloseKind.RECOVERABLE
    if value in FATAL_CLOSE_CODES or 4000 <= value <= 4999:
        return CloseKind.FATAL
    # Other registered or private codes (1004, 1016-2999, 3000-3999): treat as transient.
    return CloseKind.RECOVERABLE


def classify_exception(
    exc: BaseException,
    *,
    recoverable: frozenset[int] | set[int] = frozenset(),
    fatal: frozenset[int] | set[int] = frozenset(),
) -> CloseKind:
    """The :class:`CloseKind` of an exception raised while connecting or reading.

    * :class:`~voicelive.exceptions.ConnectionClosed`: by its close code (see
      :func:`classify_close`);
    * :class:`~voicelive.exceptions.AuthenticationError` (401/403), a refused redirect,
      a handshake refused with 400/404/429, or a local protocol error: fatal;
    * any other handshake failure (5xx, no answer), ``OSError`` and ``TimeoutError``
      (network loss): recoverable;
    * anything else (a bug): fatal, so it is raised instead of retried.
    """
    if isinstance(exc, ConnectionClosed):
        return classify_close(exc.code, recoverable=recoverable, fatal=fatal)
    if isinstance(exc, (AuthenticationError, RedirectRefusedError, LocalProtocolError)):
        return CloseKind.FATAL
    if isinstance(exc, HandshakeError):
        if exc.status_code in FATAL_HANDSHAKE_STATUSES:
            return CloseKind.FATAL
        return CloseKind.RECOVERABLE
    if isinstance(exc, (VoiceLiveConnectionError, OSError, TimeoutError)):
        return CloseKind.RECOVERABLE
    return CloseKind.FATAL
