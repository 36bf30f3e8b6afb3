"""Strict base64 decoding of audio given as text (appends, phone frames)."""

from __future__ import annotations

import base64
import binascii
import functools
import sys
from collections.abc import Callable

__all__ = ["b64decode_strict"]

if sys.version_info >= (3, 11):
    b64decode_strict: Callable[[str], bytes] = functools.partial(
        binascii.a2b_base64, strict_mode=True
    )
    """``base64.b64decode(text.encode("ascii"), validate=True)`` without its two wrappers and
    with no Python frame of its own (the same check on 3.11+: the alphabet, padding, no
    stray characters). Raises ``ValueError``: not base64 (``binascii.Error``) or not ASCII."""

else:  # pragma: no cover - Python 3.10: no strict_mode

    def b64decode_strict(text: str) -> bytes:
        """``base64.b64decode(text.encode("ascii"), validate=True)``.

        Raises:
            ValueError: not base64 (``binascii.Error``) or not ASCII.
        """
        return base64.b64decode(text.encode("ascii"), validate=True)
