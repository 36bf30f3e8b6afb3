"""What the conversation helpers need from a connection (structural type, private).

Both :class:`~voicelive.aio.VoiceLiveConnection` and
:class:`~voicelive.conversation.ResilientConnection` satisfy :class:`ConnectionLike`, so every
helper works on either.
"""

from __future__ import annotations

import asyncio
import contextlib
import secrets
from collections.abc import Callable, Mapping
from typing import TYPE_CHECKING, Any, Protocol, TypeVar, overload

from ..models import ClientEvent, ServerEvent, ServerEventBase

if TYPE_CHECKING:
    from .._protocol import VoiceLiveProtocol

__all__ = ["ConnectionLike", "discard_future", "new_event_id", "observe_connection"]

_E = TypeVar("_E", bound=ServerEventBase)


class ConnectionLike(Protocol):
    """The part of :class:`~voicelive.aio.VoiceLiveConnection` the helpers use."""

    @property
    def protocol(self) -> VoiceLiveProtocol:
        """Protocol state (``protocol.session`` is the last session seen)."""
        ...

    async def send(self, event: ClientEvent | Mapping[str, Any]) -> None:
        """Send one client event."""
        ...

    def expect(
        self, event_type: type[Any] | str, *, predicate: Callable[[Any], bool] | None = None
    ) -> asyncio.Future[Any]:
        """Register interest in an event before sending."""
        ...

    async def wait_future(
        self, future: asyncio.Future[Any], *, timeout: float | None = 30.0
    ) -> Any:
        """Await a future from :meth:`expect`, reading if nobody else does."""
        ...

    @overload
    async def wait_for(
        self,
        event_type: type[_E],
        *,
        predicate: Callable[[_E], bool] | None = None,
        timeout: float | None = 30.0,
    ) -> _E: ...

    @overload
    async def wait_for(
        self,
        event_type: str,
        *,
        predicate: Callable[[ServerEvent], bool] | None = None,
        timeout: float | None = 30.0,
    ) -> ServerEvent: ...

    def add_event_observer(self, observer: Callable[[ServerEvent], None]) -> None:
        """Call ``observer(event)`` for every event read."""
        ...


def new_event_id() -> str:
    """A fresh client ``event_id`` (so an ``error`` reply can be matched to its request)."""
    return "evt_" + secrets.token_hex(8)


async def discard_future(conn: ConnectionLike, future: asyncio.Future[Any]) -> None:
    """Unregister a future from ``conn.expect`` that will not be awaited (e.g. send failed)."""
    if not future.done():
        future.set_result(None)
    # The future may already hold an error (connection closed): that is fine here.
    with contextlib.suppress(Exception):
        await conn.wait_future(future, timeout=None)


def observe_connection(
    conn: ConnectionLike, observe: Callable[[ServerEvent], None], reset: Callable[[], None]
) -> None:
    """Call ``observe`` for every event ``conn`` reads, and ``reset`` after each reconnect.

    Reconnect notifications exist only on a ``ResilientConnection`` (its ``on_reconnect``
    callback list); on a plain connection only ``observe`` is registered.
    """
    conn.add_event_observer(observe)
    callbacks = getattr(conn, "on_reconnect", None)
    if isinstance(callbacks, list):
        callbacks.append(lambda _notice: reset())
