"""Integration tests: frameworks driven against voicelive.testing.MockServer on loopback.

The Agents SDK's tracing would export spans to OpenAI's servers; tests talk only to
127.0.0.1, so it is switched off before the SDK is imported.
"""

from __future__ import annotations

import os

os.environ["OPENAI_AGENTS_DISABLE_TRACING"] = "1"
