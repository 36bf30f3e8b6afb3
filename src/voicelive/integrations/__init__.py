"""voicelive.integrations: adapters that run agent frameworks on Voice Live.

Each adapter lives in its own subpackage and needs its framework installed (an optional
extra), so importing this package imports no framework:

* :mod:`voicelive.integrations.openai_agents` -- a ``RealtimeModel`` for the OpenAI Agents
  SDK (``pip install "voicelive[agents]"``).

pipecat and LiveKit Agents need no adapter: their own Azure Voice Live services run against
:class:`voicelive.testing.MockServer` (and LiveKit's on voicelive itself after
:func:`voicelive.install_as_azure_ai_voicelive`). See ``docs/frameworks.md``.
"""

__all__: list[str] = []
