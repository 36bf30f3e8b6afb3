"""Helpers above the wire (work in progress)."""

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
    "update_session",
]
