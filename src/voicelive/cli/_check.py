"""``voicelive check``: round-trip a ``session.update`` and compare what the service applied."""

from __future__ import annotations

import json
import math
from typing import Any

__all__ = ["session_mismatches"]

_MISSING: Any = object()


def _norm(value: Any) -> Any:
    return value.strip().lower() if isinstance(value, str) else value


def session_mismatches(requested: Any, effective: Any, path: str = "") -> list[str]:
    """Every requested setting the effective session does not carry, as readable lines.

    Only keys that were requested are compared (the service adds its own). Strings compare
    case-insensitively, numbers with a small tolerance, lists of strings as sets, and a voice
    requested by name matches an effective voice object with that ``name``.
    """
    where = path or "session"
    if effective is _MISSING:
        return [f"{where}: requested {_show(requested)}, not in the effective session"]
    if isinstance(requested, dict):
        if not isinstance(effective, dict):
            return [f"{where}: requested {_show(requested)}, effective {_show(effective)}"]
        found: list[str] = []
        for key, value in requested.items():
            child = f"{path}.{key}" if path else key
            found += session_mismatches(value, effective.get(key, _MISSING), child)
        return found
    if isinstance(requested, str) and isinstance(effective, dict) and "name" in effective:
        effective = effective["name"]  # voice "alloy" vs {"type": "openai", "name": "alloy"}
    if isinstance(requested, list) and isinstance(effective, list):
        if all(isinstance(v, str) for v in requested + effective):
            same = {_norm(v) for v in requested} == {_norm(v) for v in effective}
        else:
            same = len(requested) == len(effective) and all(
                not session_mismatches(r, e) for r, e in zip(requested, effective, strict=True)
            )
    elif isinstance(requested, (int, float)) and not isinstance(requested, bool):
        same = (
            isinstance(effective, (int, float))
            and not isinstance(effective, bool)
            and math.isclose(requested, effective, rel_tol=1e-6, abs_tol=1e-9)
        )
    else:
        same = _norm(requested) == _norm(effective)
    if same:
        return []
    return [f"{where}: requested {_show(requested)}, effective {_show(effective)}"]


def _show(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False, default=str)
