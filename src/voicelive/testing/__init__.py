"""voicelive.testing: run and test Voice Live apps with no cloud and no credentials.

* :class:`MockServer` -- a loopback Voice Live server. By default every connection is served
  by an :class:`Emulator` that behaves like the service; pass a handler to script one by hand,
  or use :meth:`MockServer.replay` to play back a recorded :class:`Cassette`.
* :class:`Emulator` -- the sans-I/O service state machine behind the default server.
* Responders (:class:`EchoResponder`, :class:`ScriptedResponder`, :class:`Reply`,
  :class:`FunctionCall`, :class:`McpCall`, ...) decide what the emulated model says;
  :func:`load_script` reads the same thing from a JSON/YAML script.
* :class:`FakeTwilioCall` / :class:`FakeAcsCall` -- fake phone callers for
  :mod:`voicelive.telephony` (a controllable playback clock, marks, DTMF, hang-up).
* :class:`Fault` -- fault injection (close codes, drops, stalls, malformed frames, ...).
* The pytest plugin (``voicelive.testing.pytest_plugin``) provides opt-in fixtures.

See ``docs/testing.md``.
"""

from ._cassette import (
    CASSETTE_VERSION,
    Cassette,
    CassetteError,
    CassetteFrame,
    CassetteMismatchError,
    Matcher,
    MatchMode,
)
from ._emulator import DEFAULT_TURN_DETECTION, ERROR_CODES, Emulator, WireEvent
from ._faults import Fault
from ._phone import FakeAcsCall, FakePhoneCall, FakeTwilioCall
from ._recorder import CassetteRecorder, record
from ._responders import (
    AgentCall,
    EchoResponder,
    Failure,
    FunctionCall,
    McpCall,
    Reply,
    Responder,
    ResponderExhaustedError,
    ResponseContext,
    ScriptedResponder,
    SearchCall,
    Transcriber,
    stand_in_transcript,
)
from ._script import Script, ScriptError, load_script
from ._server import MockServer, MockServerConnection, Pace, ServerHandler, run_emulator
from ._speech import EnergyVad, synthesize_speech

__all__ = [
    "CASSETTE_VERSION",
    "DEFAULT_TURN_DETECTION",
    "ERROR_CODES",
    "AgentCall",
    "Cassette",
    "CassetteError",
    "CassetteFrame",
    "CassetteMismatchError",
    "CassetteRecorder",
    "EchoResponder",
    "Emulator",
    "EnergyVad",
    "Failure",
    "FakeAcsCall",
    "FakePhoneCall",
    "FakeTwilioCall",
    "Fault",
    "FunctionCall",
    "MatchMode",
    "Matcher",
    "McpCall",
    "MockServer",
    "MockServerConnection",
    "Pace",
    "Reply",
    "Responder",
    "ResponderExhaustedError",
    "ResponseContext",
    "Script",
    "ScriptError",
    "ScriptedResponder",
    "SearchCall",
    "ServerHandler",
    "Transcriber",
    "WireEvent",
    "load_script",
    "record",
    "run_emulator",
    "stand_in_transcript",
    "synthesize_speech",
]
