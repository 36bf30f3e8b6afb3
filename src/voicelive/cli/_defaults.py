"""Names the parser needs, kept free of heavy imports so ``voicelive --help`` starts fast.

The command modules (``_demo``, ``_target``) re-export them.
"""

from __future__ import annotations

__all__ = ["DEFAULT_INSTRUCTIONS", "DEFAULT_MODEL", "DEFAULT_VOICE", "ENDPOINT_ENV", "KEY_ENV"]

ENDPOINT_ENV = "AZURE_COGNITIVE_SERVICES_ENDPOINT"
"""Environment variable naming the Voice Live endpoint (unset: use the local emulator)."""
KEY_ENV = "AZURE_COGNITIVE_SERVICES_KEY"
"""Environment variable holding an API key (unset: ``DefaultAzureCredential``)."""
DEFAULT_MODEL = "gpt-realtime"
"""Model deployment used when ``--model`` is not given."""
DEFAULT_VOICE = "en-US-AvaNeural"
"""Voice used when ``--voice`` is not given."""
DEFAULT_INSTRUCTIONS = "You are a friendly voice assistant. Answer in one or two short sentences."
"""Instructions used when ``--instructions`` is not given."""
