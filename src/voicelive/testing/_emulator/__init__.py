"""The Voice Live service emulator: a sans-I/O server-side state machine.

:class:`Emulator` consumes client events (typed models, dicts or raw frames) and produces the
server events the service would send, as plain JSON-ready ``dict`` objects in wire order.
It performs no I/O and reads no clock except for ``expires_at``: the async driver in
:mod:`voicelive.testing._server` puts it on a socket and paces it.

Model of a connection::

    emulator.start()            -> [session.created]
    emulator.receive(event)     -> events answering one client event
    emulator.step()             -> the next chunk of the active response (deltas...)
    emulator.response_active    -> is a response streaming?

A response is streamed in *steps* so that a ``response.cancel`` or barge-in speech can land
in the middle of it: ``receive()`` starts it (``response.created``), each ``step()`` emits the
next events (an audio chunk with its transcript delta, a text delta, ...), the last step emits
the ``.done`` events and ``response.done``. :attr:`Emulator.last_step_ms` tells the driver how
much audio (or text time) the step held, for real-time pacing.

Ids are deterministic per connection: ``event_0001``, ``item_0001``, ``resp_0001``,
``call_0001``; the session and conversation ids are given by the driver (``sess_0001``,
``conv_0001``).

Errors follow the service's shape and always copy the client's ``event_id``::

    {"type": "error", "event_id": "event_0007",
     "error": {"type": "invalid_request_error", "code": "item_not_found",
               "message": "...", "param": "item_id", "event_id": "<client event_id>"}}

The emulator is a small package whose modules show its parts: :mod:`._session` (session
configuration and its validation), :mod:`._input` (input audio with VAD and turns),
:mod:`._items` (conversation items), :mod:`._responses` (response generation) and
:mod:`._features` (the optional service features); :mod:`._core` assembles them into
:class:`Emulator`, the one public entry.
"""

from __future__ import annotations

from ._base import ERROR_CODES, MIN_COMMIT_MS, TEXT_DELTA_MS, WireEvent
from ._core import Emulator
from ._session import DEFAULT_TURN_DETECTION, default_session

__all__ = [
    "DEFAULT_TURN_DETECTION",
    "ERROR_CODES",
    "MIN_COMMIT_MS",
    "TEXT_DELTA_MS",
    "Emulator",
    "WireEvent",
    "default_session",
]
