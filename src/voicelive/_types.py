"""Type aliases at the official SDK's private path (``azure.ai.voicelive._types``).

Official samples import :data:`InterimResponseConfig` (and :data:`Voice`, :data:`ToolChoice`)
from there, so ported code finds them here after the import swap. The aliases are the ones of
:mod:`voicelive.models`: a voice is a voice name or any voice model, a tool choice a mode string
or a selection, an interim response configuration either kind of config.
"""

from __future__ import annotations

from .models._session import InterimResponseConfig, ToolChoice, Voice

__all__ = ["InterimResponseConfig", "ToolChoice", "Voice"]
