"""Run OpenAI Agents SDK realtime agents on Azure AI Voice Live.

``pip install "voicelive[agents]"``, then::

    runner = RealtimeRunner(agent, model=VoiceLiveRealtimeModel(endpoint=..., credential=...))

:class:`VoiceLiveRealtimeModel` implements the SDK's ``agents.realtime.RealtimeModel`` on
:func:`voicelive.aio.connect`. The GA-vs-Voice-Live name tables are
:data:`VOICE_LIVE_TO_GA` (server events) and :data:`SESSION_KEYS` (session settings).
See ``docs/frameworks.md``.
"""

from ._model import VoiceLiveRealtimeModel
from ._names import GA_TO_VOICE_LIVE, SESSION_KEYS, VOICE_LIVE_TO_GA, normalize_server_event
from ._session import session_from_settings

__all__ = [
    "GA_TO_VOICE_LIVE",
    "SESSION_KEYS",
    "VOICE_LIVE_TO_GA",
    "VoiceLiveRealtimeModel",
    "normalize_server_event",
    "session_from_settings",
]
