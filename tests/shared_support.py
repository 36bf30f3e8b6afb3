"""Helpers shared by the tests of several directories.

A directory's own helpers stay in its ``<dir>_support.py``; what more than one directory
needs is here. ``pythonpath = ["tests"]`` (pyproject.toml) makes this module importable from
every test file, however pytest is pointed at the tests.
"""

from __future__ import annotations

import json

__all__ = ["text_frame"]


def text_frame(i: int, **extra: object) -> str:
    """A ``response.text.delta`` frame: event id ``ev<i>``, delta ``d<i>``.

    ``extra`` adds fields, or replaces them (``delta="x" * 5_000_000``).
    """
    return json.dumps(
        {
            "type": "response.text.delta",
            "event_id": f"ev{i}",
            "response_id": "r",
            "item_id": "it",
            "output_index": 0,
            "content_index": 0,
            "delta": f"d{i}",
            **extra,
        }
    )
