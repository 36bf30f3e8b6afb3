"""Strict base64 decoding of audio given as text (appends, phone frames)."""

from __future__ import annotations

import base64
import binascii
import sys

__all__ = ["b64decode_strict"]

if sys.version_info >= (3, 11):

    def b64decode_strict(text: str) -> bytes:
        """``base64.b64decode(text.encode("ascii"), validate=True)`` without its two wrappers
        (the same check on 3.11+: the alphabet, padding, no stray characters).

        Raises:
            ValueError: not base64 (``binascii.Error``) or not ASCII.
        """
        return binascii.a2b_base64(text, strict_mode=True)

else:  # pragma: no cover - Python 3.10: no strict_mode

    def b64decode_strict(text: str) -> bytes:
        """``base64.b64decode(text.encode("ascii"), validate=True)``.

        Raises:
            ValueError: not base64 (``binascii.Error``) or not ASCII.
        """
        return base64.b64decode(text.encode("ascii"), validate=True)
