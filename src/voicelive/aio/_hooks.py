"""Connection lifecycle hooks: the seam telemetry (and anything else) plugs into.

Nothing here patches anything. :func:`voicelive.aio.connect` calls every registered *open
hook* with the new connection and a :class:`ConnectionInfo` (no credentials, no query
string); the hook may then attach per-connection observers with the connection's own
methods (``add_frame_observer``, ``add_send_observer``, ``add_close_observer``).

Cost when unused: ``connect()`` checks ``if OPEN_HOOKS:`` once per connection, the reader
checks ``if self._frame_observers:`` once per frame and ``close()`` checks
``if self._close_observers:`` once. No hook, no observer, no other work.

This module imports neither aiohttp nor opentelemetry.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

from .._logging import get_logger

if TYPE_CHECKING:
    from ._connection import VoiceLiveConnection

__all__ = [
    "OPEN_HOOKS",
    "CloseObserver",
    "ConnectionInfo",
    "OpenHook",
    "add_open_hook",
    "notify_closed",
    "notify_opened",
    "remove_open_hook",
]

_log = get_logger("hooks")


@dataclass(frozen=True)
class ConnectionInfo:
    """What ``connect()`` knows about a connection it opened (never credentials or URLs)."""

    host: str
    """The endpoint host name."""
    port: int | None
    """The TCP port (443 for ``wss://`` unless the endpoint names another)."""
    model: str | None
    """The ``model`` query parameter, if any."""
    api_version: str
    """The ``api-version`` query parameter."""
    agent_name: str | None = None
    """The Foundry agent name in agent mode, else ``None``."""


OpenHook = Callable[["VoiceLiveConnection", ConnectionInfo], None]
"""``hook(connection, info)``: called by ``connect()`` right after the handshake, before the
caller sees the connection (so no event can be missed). Must not raise (logged, ignored)."""

CloseObserver = Callable[[int | None, str], None]
"""``observer(close_code, reason)``: called once when the connection is found closed."""

OPEN_HOOKS: list[OpenHook] = []
"""The registered open hooks, in registration order. Use the functions below to change it."""


def add_open_hook(hook: OpenHook) -> None:
    """Register ``hook`` for every connection opened from now on (idempotent)."""
    if hook not in OPEN_HOOKS:
        OPEN_HOOKS.append(hook)


def remove_open_hook(hook: OpenHook) -> None:
    """Unregister ``hook`` (no error if it was not registered)."""
    if hook in OPEN_HOOKS:
        OPEN_HOOKS.remove(hook)


def notify_opened(connection: VoiceLiveConnection, info: ConnectionInfo) -> None:
    """Call every open hook; an exception in a hook is logged and never reaches ``connect()``."""
    for hook in tuple(OPEN_HOOKS):
        try:
            hook(connection, info)
        except Exception:
            _log.exception("connection open hook %r raised; ignored", hook)


def notify_closed(observers: Sequence[CloseObserver], code: int | None, reason: str) -> None:
    """Call every close observer; the caller drops them first, so each runs at most once."""
    for observer in observers:
        try:
            observer(code, reason)
        except Exception:
            _log.exception("connection close observer %r raised; ignored", observer)
