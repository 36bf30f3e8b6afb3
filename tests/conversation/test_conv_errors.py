"""Error-code and close-code classification tables."""

from __future__ import annotations

import pytest

from voicelive.conversation import (
    CloseKind,
    ErrorKind,
    classify_close,
    classify_error,
    classify_exception,
)
from voicelive.exceptions import (
    AuthenticationError,
    ConnectionClosedError,
    ConnectionClosedOK,
    HandshakeError,
    LocalProtocolError,
    ReceiveTimeoutError,
    ServerError,
)
from voicelive.models import ServerEventError, ServerEventErrorDetails


@pytest.mark.parametrize(
    ("code", "kind"),
    [
        ("response_cancel_not_active", ErrorKind.BENIGN),
        ("input_audio_buffer_commit_empty", ErrorKind.BENIGN),
        ("conversation_already_has_active_response", ErrorKind.RETRY),
        ("rate_limit_exceeded", ErrorKind.RETRY),
        ("session_expired", ErrorKind.SESSION_ENDED),
        ("invalid_api_key", ErrorKind.FATAL),
        ("insufficient_quota", ErrorKind.FATAL),
        ("invalid_value", ErrorKind.INVALID),
        ("item_not_found", ErrorKind.INVALID),
        ("SOMETHING_NEW", ErrorKind.INVALID),
    ],
)
def test_error_codes(code: str, kind: ErrorKind) -> None:
    assert classify_error(code) is kind
    assert kind.recoverable == (kind in (ErrorKind.BENIGN, ErrorKind.RETRY, ErrorKind.INVALID))


def test_error_event_details_and_server_error_inputs() -> None:
    event = ServerEventError.model_validate(
        {"type": "error", "error": {"type": "server_error", "message": "x"}}
    )
    assert classify_error(event) is ErrorKind.RETRY  # unknown code, server_error type
    details = ServerEventErrorDetails(type="authentication_error", message="no")
    assert classify_error(details) is ErrorKind.FATAL
    assert classify_error(ServerError("x", code="session_expired")) is ErrorKind.SESSION_ENDED
    assert classify_error(ServerError("x", error_type="permission_error")) is ErrorKind.FATAL
    assert not ErrorKind.FATAL.recoverable
    assert not ErrorKind.SESSION_ENDED.recoverable


@pytest.mark.parametrize(
    ("code", "kind"),
    [
        (1000, CloseKind.NORMAL),
        (1001, CloseKind.RECOVERABLE),
        (1006, CloseKind.RECOVERABLE),
        (None, CloseKind.RECOVERABLE),
        (1011, CloseKind.RECOVERABLE),
        (1012, CloseKind.RECOVERABLE),
        (1013, CloseKind.RECOVERABLE),
        (1002, CloseKind.FATAL),
        (1008, CloseKind.FATAL),
        (1009, CloseKind.FATAL),
        (4001, CloseKind.FATAL),
        (4429, CloseKind.FATAL),
        (3000, CloseKind.RECOVERABLE),
    ],
)
def test_close_codes(code: int | None, kind: CloseKind) -> None:
    assert classify_close(code) is kind


def test_close_code_overrides_win() -> None:
    assert classify_close(4500, recoverable={4500}) is CloseKind.RECOVERABLE
    assert classify_close(1011, fatal={1011}) is CloseKind.FATAL


def test_exceptions() -> None:
    assert classify_exception(ConnectionClosedError(1006)) is CloseKind.RECOVERABLE
    assert classify_exception(ConnectionClosedError(1008)) is CloseKind.FATAL
    assert classify_exception(ConnectionClosedOK(1000)) is CloseKind.NORMAL
    assert classify_exception(AuthenticationError("no", status_code=401)) is CloseKind.FATAL
    assert classify_exception(HandshakeError("quota", status_code=429)) is CloseKind.FATAL
    assert classify_exception(HandshakeError("busy", status_code=503)) is CloseKind.RECOVERABLE
    assert classify_exception(HandshakeError("no answer")) is CloseKind.RECOVERABLE
    assert classify_exception(OSError("refused")) is CloseKind.RECOVERABLE
    assert classify_exception(ReceiveTimeoutError("quiet")) is CloseKind.RECOVERABLE
    assert classify_exception(LocalProtocolError("bad")) is CloseKind.FATAL
    assert classify_exception(KeyError("bug")) is CloseKind.FATAL
