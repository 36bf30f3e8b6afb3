"""Errors and warnings that say what to do (issue #14): nothing here runs on the receive path.

* :func:`with_field_hints` rewrites a :class:`pydantic.ValidationError` so that every unknown
  key (``extra_forbidden``) names the closest valid field of the model at that place:
  ``unknown field 'instrucions'; did you mean 'instructions'?``. The model at an error's
  location is found by walking the field annotations from the root class, following union
  tags (``session.update``, ``server_vad``) where pydantic puts them in the location.
* :func:`warn_unknown_values` looks at a client model the app built and logs **one warning per
  process** for each value of an enum-like field the library does not know (``modalities=
  ["txt"]``, ``input_audio_format="pcm24"``, an unknown voice or turn-detection ``type``, a
  sampling rate other than 8/16/24 kHz), naming the closest known value. The value is still
  sent: the service adds values before the library knows them, so refusing would be wrong.

Both are called from the places where the app hands the library something to send: model
constructors (``VoiceLiveModel.__init__``), ``model_validate`` and the dict path of
``connection.send``.
"""

from __future__ import annotations

import typing
from collections.abc import Iterable, Sequence
from enum import Enum
from typing import Any

from pydantic import BaseModel, ValidationError
from pydantic_core import InitErrorDetails, PydanticCustomError

from .._logging import get_logger
from ._base import closest_name

__all__ = ["warn_unknown_values", "with_field_hints"]

_log = get_logger("models")

# ---------------------------------------------------------------------------------------------
# Unknown field names
# ---------------------------------------------------------------------------------------------


def _model_classes(annotation: Any) -> list[type[BaseModel]]:
    """The model classes an annotation can hold (through Annotated, unions, lists, dicts)."""
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return [annotation]
    out: list[type[BaseModel]] = []
    origin = typing.get_origin(annotation)
    args = typing.get_args(annotation)
    if origin is typing.Annotated:
        return _model_classes(args[0])
    for arg in args:
        out.extend(_model_classes(arg))
    return out


def _wire_keys(cls: type[BaseModel]) -> dict[str, str]:
    keys: dict[str, str] | None = getattr(cls, "_wire_keys", None)
    if keys is None:
        keys = {info.alias or name: name for name, info in cls.model_fields.items()}
    return keys


def _tags(cls: type[BaseModel]) -> set[str]:
    names: frozenset[str] = getattr(cls, "_constant_field_names", frozenset())
    return {str(cls.model_fields[name].default) for name in names}


def _classes_at(roots: Sequence[type[BaseModel]], path: Sequence[Any]) -> list[type[BaseModel]]:
    """The candidate model classes at ``path`` (a pydantic error location) below ``roots``."""
    candidates = list(roots)
    for element in path:
        if not isinstance(element, str):
            continue  # a list index
        holders = [cls for cls in candidates if element in _wire_keys(cls)]
        if holders:
            nxt: list[type[BaseModel]] = []
            for cls in holders:
                info = cls.model_fields[_wire_keys(cls)[element]]
                nxt.extend(_model_classes(info.annotation))
            candidates = nxt
            continue
        tagged = [cls for cls in candidates if element in _tags(cls)]
        if tagged:
            candidates = tagged
        # else: a tag pydantic made up ('message:user', 'str'): keep the candidates
    return candidates


def with_field_hints(error: ValidationError, roots: Sequence[type[BaseModel]]) -> ValidationError:
    """``error`` with every ``extra_forbidden`` line naming the closest valid field.

    Returns ``error`` itself when no line changes (or when it cannot be rebuilt).
    """
    details = error.errors(include_url=False)
    if not any(d["type"] == "extra_forbidden" for d in details):
        return error
    lines: list[InitErrorDetails] = []
    changed = False
    for detail in details:
        loc = tuple(detail["loc"])
        if detail["type"] == "extra_forbidden" and loc and isinstance(loc[-1], str):
            known: set[str] = set()
            for cls in _classes_at(roots, loc[:-1]):
                known.update(_wire_keys(cls))
            hint = closest_name(loc[-1], known)
            message = (
                f"unknown field {loc[-1]!r}; did you mean {hint!r}?"
                if hint
                else f"unknown field {loc[-1]!r} (not a field of this object)"
            )
            lines.append(
                {
                    # no context: the message is used verbatim, braces included
                    "type": PydanticCustomError("extra_forbidden", message),
                    "loc": loc,
                    "input": detail.get("input"),
                }
            )
            changed = True
            continue
        lines.append(
            {
                "type": PydanticCustomError(detail["type"], detail["msg"]),
                "loc": loc,
                "input": detail.get("input"),
            }
        )
    if not changed:
        return error
    try:
        return ValidationError.from_exception_data(error.title, lines)
    except Exception:  # pragma: no cover - never hide the original error
        return error


# ---------------------------------------------------------------------------------------------
# Unknown enum-like values
# ---------------------------------------------------------------------------------------------

_SAMPLING_RATES = (8000, 16000, 24000)
_warned: set[tuple[str, str]] = set()
_specs: dict[type[BaseModel], tuple[tuple[str, type[Enum]], ...]] = {}
_inert: dict[type[BaseModel], bool] = {}


def _is_inert(cls: type[BaseModel]) -> bool:
    """True for a class with nothing to check (no enum field, no nested model, no rate): the
    audio append sent many times a second costs one dict lookup."""
    inert = _inert.get(cls)
    if inert is None:
        inert = not (
            _enum_fields(cls)
            or "input_audio_sampling_rate" in cls.model_fields
            or any(_model_classes(info.annotation) for info in cls.model_fields.values())
        )
        _inert[cls] = inert
    return inert


def _enum_classes(annotation: Any) -> list[type[Enum]]:
    if isinstance(annotation, type) and issubclass(annotation, Enum):
        return [annotation]
    out: list[type[Enum]] = []
    args = typing.get_args(annotation)
    if typing.get_origin(annotation) is typing.Annotated:
        return _enum_classes(args[0])
    for arg in args:
        out.extend(_enum_classes(arg))
    return out


def _enum_fields(cls: type[BaseModel]) -> tuple[tuple[str, type[Enum]], ...]:
    spec = _specs.get(cls)
    if spec is None:
        pairs = []
        for name, info in cls.model_fields.items():
            enums = _enum_classes(info.annotation)
            if len(enums) == 1 and name not in getattr(cls, "_constant_field_names", ()):
                pairs.append((name, enums[0]))
        spec = _specs[cls] = tuple(pairs)
    return spec


def _fallback_tags() -> dict[type[BaseModel], tuple[str, str, frozenset[str]]]:
    """Fallback class -> (what, discriminator field, known values)."""
    from . import _session

    return {
        _session.UnknownVoice: ("voice type", "type", frozenset(_session._VOICE_CLASSES)),
        _session.UnknownTurnDetection: (
            "turn-detection type",
            "type",
            frozenset(_session._TURN_DETECTION_CLASSES),
        ),
        _session.UnknownEouDetection: (
            "end-of-utterance model",
            "model",
            frozenset(_session._EOU_CLASSES),
        ),
        _session.UnknownTool: ("tool type", "type", frozenset(_session._TOOL_CLASSES)),
        _session.UnknownInterimResponseConfig: (
            "interim-response type",
            "type",
            frozenset({"static_interim_response", "llm_interim_response"}),
        ),
    }


_FALLBACKS: dict[type[BaseModel], tuple[str, str, frozenset[str]]] | None = None


def _warn_once(what: str, value: str, known: Iterable[str], where: str) -> None:
    key = (what, value)
    if key in _warned:
        return
    _warned.add(key)
    hint = closest_name(value.lower(), [k.lower() for k in known])
    original = next((k for k in known if k.lower() == hint), hint) if hint else None
    suggestion = f"; did you mean {original!r}?" if original else ""
    _log.warning(
        "%s: unknown %s %r%s (sent as is: the service may know it; this warning is shown "
        "once per process)",
        where,
        what,
        value,
        suggestion,
    )


def warn_unknown_values(model: BaseModel, where: str = "") -> None:
    """Log one warning per unknown enum-like value found in ``model`` and its nested models."""
    global _FALLBACKS
    if _FALLBACKS is None:
        _FALLBACKS = _fallback_tags()
    _walk(model, where or type(model).__name__, _FALLBACKS)


def _walk(
    model: BaseModel, where: str, fallbacks: dict[type[BaseModel], tuple[str, str, frozenset[str]]]
) -> None:
    cls = type(model)
    fallback = fallbacks.get(cls)
    if fallback is None and _is_inert(cls):
        return
    if fallback is not None:
        what, field, known = fallback
        value = getattr(model, field, None)
        if isinstance(value, str):
            _warn_once(what, value, known, where)
    values = model.__dict__
    for name, enum_cls in _enum_fields(cls):
        value = values.get(name)
        for item in value if isinstance(value, list) else (value,):
            if type(item) is str:
                names = [str(member.value) for member in enum_cls]
                if item.lower() not in {k.lower() for k in names}:
                    _warn_once(f"{enum_cls.__name__} value", item, names, f"{where}.{name}")
    rate = values.get("input_audio_sampling_rate")
    if isinstance(rate, int) and rate not in _SAMPLING_RATES:
        key = ("input_audio_sampling_rate", str(rate))
        if key not in _warned:
            _warned.add(key)
            closest = min(_SAMPLING_RATES, key=lambda known_rate: abs(known_rate - rate))
            _log.warning(
                "%s.input_audio_sampling_rate: unknown sampling rate %d; did you mean %d? "
                "(sent as is; this warning is shown once per process)",
                where,
                rate,
                closest,
            )
    for name in cls.model_fields:
        value = values.get(name)
        if isinstance(value, BaseModel):
            _walk(value, f"{where}.{name}", fallbacks)
        elif isinstance(value, list):
            for item in value:
                if isinstance(item, BaseModel):
                    _walk(item, f"{where}.{name}", fallbacks)
