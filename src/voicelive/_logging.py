"""Logger names and redaction helpers.

Logger ``voicelive`` (children: ``voicelive.protocol``, ``voicelive.connection``, ...).
DEBUG lines say direction, event type and size; audio is shown as a byte count, never as
data. Header values that carry secrets are replaced by ``***`` wherever headers are shown.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping

__all__ = ["SECRET_HEADERS", "get_logger", "redact_headers"]

SECRET_HEADERS = frozenset({"api-key", "authorization", "ocp-apim-subscription-key", "cookie"})
"""Header names (lower case) whose values are never shown."""


def get_logger(name: str = "") -> logging.Logger:
    """The ``voicelive`` logger or one of its children (``get_logger("protocol")``)."""
    return logging.getLogger(f"voicelive.{name}" if name else "voicelive")


def redact_headers(headers: Mapping[str, str]) -> dict[str, str]:
    """A copy of ``headers`` with secret values replaced by ``***``."""
    return {
        key: ("***" if key.lower() in SECRET_HEADERS else value) for key, value in headers.items()
    }
