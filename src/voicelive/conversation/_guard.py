"""Response guard: one response at a time, without "conversation already has an active response".

The service runs at most one response per conversation. A ``response.create`` sent while
one is in progress (one the app started, or one server VAD started when the user stopped
talking) fails with ``conversation_already_has_active_response``; apps that ignore that error
silently lose the answer (a tool result nobody speaks, a greeting never said).

:class:`ResponseGuard` tracks the response in progress from the events (``response.created``
/ ``response.done``) and sequences ``create()``:

* ``policy="wait"`` (default): wait until the active response is done, then create;
* ``policy="cancel"``: cancel the active response, wait for its ``response.done``, create.

It also survives the race it cannot see coming (server VAD creating a response at the same
moment): the ``error`` for *its* request (matched by ``event_id``) is classified, and a
``retry`` kind (see :mod:`voicelive.conversation._errors`) makes it wait and send again, up to
``max_retries`` times. Concurrent ``create()`` calls are served one after the other.
"""

from __future__ import annotations

import asyncio
from collections.abc import Mapping
from typing import Any, Literal

from .._logging import get_logger
from ..exceptions import WaitTimeoutError
from ..models import (
    ClientEventResponseCancel,
    ClientEventResponseCreate,
    Response,
    ResponseCreateParams,
    ServerEvent,
    ServerEventBase,
    ServerEventError,
    ServerEventResponseCreated,
    ServerEventResponseDone,
)
from ._acks import server_error_from
from ._conn import ConnectionLike, discard_future, new_event_id, observe_connection
from ._errors import ErrorKind, classify_error

__all__ = ["TAG_KEY", "GuardPolicy", "ResponseGuard"]

TAG_KEY = "voicelive_request"
"""Response ``metadata`` key carrying the ``event_id`` of the guard's ``response.create``."""
_MAX_METADATA = 16

GuardPolicy = Literal["wait", "cancel"]
"""What :meth:`ResponseGuard.create` does when a response is in progress."""

_log = get_logger("conversation.guard")


def _tag(event: ServerEventResponseCreated) -> str | None:
    metadata = (event.response.metadata if event.response is not None else None) or {}
    return metadata.get(TAG_KEY)


class ResponseGuard:
    """Sequences ``response.create`` so it never collides with an active response.

    Args:
        conn: the connection to observe and send on (or call :meth:`attach` later).
        policy: ``"wait"`` for the active response to finish, or ``"cancel"`` it first.
        timeout: seconds to wait for an active response to finish / for ``response.created``.
        max_retries: how often to send again after a ``retry``-kind error for our request.
        tag_responses: put ``metadata["voicelive_request"] = <event_id>`` on the response
            so its ``response.created`` can be told from one server VAD started at the same
            moment (the service echoes response metadata).
        echo_grace: seconds to wait, after an *untagged* ``response.created``, for our own
            (tagged) one or our ``error``; if neither comes the server does not echo
            metadata and the untagged one is taken as ours from then on.
    """

    def __init__(
        self,
        conn: ConnectionLike | None = None,
        *,
        policy: GuardPolicy = "wait",
        timeout: float | None = 60.0,
        max_retries: int = 3,
        tag_responses: bool = True,
        echo_grace: float = 0.25,
    ) -> None:
        if policy not in ("wait", "cancel"):
            raise ValueError(f"policy must be 'wait' or 'cancel', not {policy!r}")
        self._conn: ConnectionLike | None = None
        self.policy: GuardPolicy = policy
        self.timeout = timeout
        self.max_retries = max_retries
        self.tag_responses = tag_responses
        self.echo_grace = echo_grace
        self._echo_unsupported = False
        # Set by observe() only: the connection calls its event observers before it wakes
        # the task waiting for that event, so the guard's view is never behind create().
        self._active: str | None = None
        self._dones = 0  # response.done events observed (see the retry in create())
        self._lock = asyncio.Lock()
        if conn is not None:
            self.attach(conn)

    def __repr__(self) -> str:
        return f"<ResponseGuard policy={self.policy!r} active={self._active!r}>"

    def attach(self, conn: ConnectionLike) -> ResponseGuard:
        """Observe every event ``conn`` reads and send on it; returns self.

        On a :class:`~voicelive.conversation.ResilientConnection` the guard is reset after
        each reconnect (no response is in progress on a new connection).
        """
        self._conn = conn
        observe_connection(conn, self.observe, self.reset)
        return self

    @property
    def active(self) -> str | None:
        """The id of the response in progress, or ``None``."""
        return self._active

    def observe(self, event: ServerEvent) -> None:
        """Track ``response.created`` / ``response.done``."""
        if event.type == "response.created":
            self._active = (event.response and event.response.id) or "?"
        elif event.type == "response.done":
            self._dones += 1
            done_id = event.response.id if event.response is not None else None
            # A response.done without its response object ends whatever was active.
            if done_id is None or self._active in (None, "?", done_id):
                self._active = None

    def reset(self) -> None:
        """Forget the response in progress (e.g. after a reconnect)."""
        self._active = None

    def _connection(self) -> ConnectionLike:
        if self._conn is None:
            raise RuntimeError("ResponseGuard needs a connection (pass it or call attach())")
        return self._conn

    async def wait_idle(self, *, timeout: float | None = None) -> None:
        """Wait until no response is in progress.

        Raises:
            WaitTimeoutError: still busy after ``timeout`` seconds.
        """
        conn = self._connection()
        limit = self.timeout if timeout is None else timeout
        while self._active is not None:
            active = self._active

            def finished(event: ServerEventResponseDone, active: str = active) -> bool:
                done_id = event.response.id if event.response is not None else None
                return active == "?" or done_id is None or done_id == active

            # observe() ends the active response when that done is read; a done read earlier
            # (queued, already observed) was for an earlier response: wait for the next one.
            await conn.wait_for(ServerEventResponseDone, predicate=finished, timeout=limit)

    async def cancel(self) -> bool:
        """Cancel the response in progress, if any; returns whether a cancel was sent."""
        active = self._active
        if active is None:
            return False
        params = {} if active == "?" else {"response_id": active}
        await self._connection().send(ClientEventResponseCancel(**params))
        return True

    def _tagged(
        self, template: ClientEventResponseCreate, event_id: str
    ) -> ClientEventResponseCreate:
        update: dict[str, Any] = {"event_id": event_id}
        params = template.response
        metadata = dict((params.metadata if params is not None else None) or {})
        if self.tag_responses and len(metadata) < _MAX_METADATA:
            metadata[TAG_KEY] = event_id
            base = params if params is not None else ResponseCreateParams()
            update["response"] = base.model_copy(update={"metadata": metadata})
        # model_copy(update=...) marks the updated fields as set, so they are sent
        return template.model_copy(update=update)

    async def _send_and_match(
        self, conn: ConnectionLike, event: ClientEventResponseCreate, event_id: str
    ) -> ServerEventBase:
        def ours_or_error(candidate: ServerEventBase) -> bool:
            if isinstance(candidate, ServerEventError):
                return candidate.error.event_id == event_id
            return isinstance(candidate, ServerEventResponseCreated) and _tag(candidate) == event_id

        def any_created_or_error(candidate: ServerEventBase) -> bool:
            return ours_or_error(candidate) or isinstance(candidate, ServerEventResponseCreated)

        first_future = conn.expect(ServerEventBase, predicate=any_created_or_error)
        ours_future = conn.expect(ServerEventBase, predicate=ours_or_error)
        try:
            try:
                await conn.send(event)
            except BaseException:
                await discard_future(conn, first_future)
                raise
            try:
                first = await conn.wait_future(first_future, timeout=self.timeout)
            except WaitTimeoutError:
                raise WaitTimeoutError(
                    f"no response.created within {self.timeout} s after response.create"
                ) from None
            tagged = event.response is not None and TAG_KEY in (event.response.metadata or {})
            if (
                isinstance(first, ServerEventResponseCreated)
                and _tag(first) != event_id
                and tagged
                and not self._echo_unsupported
            ):
                # Someone else's response (server VAD), or a server that drops metadata.
                try:
                    result: ServerEventBase = await conn.wait_future(
                        ours_future, timeout=self.echo_grace
                    )
                    return result
                except WaitTimeoutError:
                    if _tag(first) is None:
                        _log.debug("response metadata is not echoed; matching by order")
                        self._echo_unsupported = True
                        return first
                    raise WaitTimeoutError(
                        f"no response.created for our request within {self.echo_grace} s"
                    ) from None
            result = first
            return result
        finally:
            await discard_future(conn, ours_future)

    async def create(
        self,
        *,
        response: ResponseCreateParams | Mapping[str, Any] | None = None,
        additional_instructions: str | None = None,
        policy: GuardPolicy | None = None,
    ) -> Response:
        """Send ``response.create`` once no response is in progress; return the new response.

        Args:
            response: per-response overrides (as for ``conn.response.create``).
            additional_instructions: appended to the session instructions (Voice Live).
            policy: override the guard's policy for this call.

        Returns:
            The ``response`` of the ``response.created`` event that answered it.

        Raises:
            ServerError: the server rejected the request (a non-retryable error, or retries
                exhausted).
            WaitTimeoutError: the active response did not finish, or no ``response.created``
                came, within ``timeout``.
        """
        conn = self._connection()
        chosen = policy or self.policy
        fields: dict[str, Any] = {}
        if response is not None:
            fields["response"] = response
        if additional_instructions is not None:
            fields["additional_instructions"] = additional_instructions
        template = ClientEventResponseCreate.model_validate(fields)
        async with self._lock:
            attempt = 0
            while True:
                if chosen == "cancel" and self._active is not None:
                    await self.cancel()
                await self.wait_idle()
                event_id = new_event_id()
                event = self._tagged(template, event_id)
                dones = self._dones
                answer = await self._send_and_match(conn, event, event_id)
                if isinstance(answer, ServerEventResponseCreated):
                    # observe() has already marked it active (or, if its response.done was
                    # read meanwhile, finished). A frame may leave the response object out:
                    # an empty one stands in.
                    return answer.response or Response()
                assert isinstance(answer, ServerEventError)
                if classify_error(answer) is ErrorKind.RETRY and attempt < self.max_retries:
                    attempt += 1
                    _log.info(
                        "response.create collided (%s); retrying after the active response",
                        answer.error.code,
                    )
                    # The other response is not visible yet: wait for a response.done --
                    # unless one was already read since the request went out (the app's
                    # reader may have consumed it before this task resumed).
                    if self._active is None and self._dones == dones:
                        self._active = "?"
                    continue
                raise server_error_from(answer, "response.create")
