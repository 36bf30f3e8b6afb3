"""Hypothesis strategies for every wire model, derived from the models' own annotations.

``wire_data(cls)`` generates plain Python data (the shape a ``dict`` caller or a decoded JSON
frame has) for a model class: required fields always, optional fields sometimes (so "unset"
vs "explicitly set" varies), discriminated unions by picking a member, open enums as members
or arbitrary strings, ``Any`` as arbitrary JSON. Server-side models also get unknown extra
keys, which they must keep. Nothing here is hand-written per class, so a model added tomorrow
is fuzzed without touching this file.
"""

from __future__ import annotations

import enum
import types
import typing
from datetime import datetime, timezone
from typing import Any

from hypothesis import strategies as st
from pydantic import BaseModel
from pydantic.fields import FieldInfo

__all__ = ["json_values", "wire_data"]

_MAX_DEPTH = 4

# Text without surrogates (a WebSocket text frame is strict UTF-8), with some unicode.
_text = st.text(st.characters(exclude_categories=("Cs",)), max_size=12)
_keys = st.text("abcdefghijklmnopqrstuvwxyz_", min_size=1, max_size=8)

json_scalars: st.SearchStrategy[Any] = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(min_value=-(2**70), max_value=2**70),
    st.floats(allow_nan=False, allow_infinity=False),
    _text,
)
json_values: st.SearchStrategy[Any] = st.recursive(
    json_scalars,
    lambda children: st.one_of(
        st.lists(children, max_size=3), st.dictionaries(_keys, children, max_size=3)
    ),
    max_leaves=8,
)


def _is_model(tp: Any) -> bool:
    return isinstance(tp, type) and issubclass(tp, BaseModel)


def _for_type(tp: Any, depth: int) -> st.SearchStrategy[Any]:
    origin = typing.get_origin(tp)
    if origin is typing.Annotated:
        return _for_type(typing.get_args(tp)[0], depth)
    if origin in (typing.Union, types.UnionType):
        members = typing.get_args(tp)
        # Deep in a structure, prefer the non-model members to keep examples small.
        if depth >= _MAX_DEPTH:
            flat = [m for m in members if not _contains_model(m)]
            members = tuple(flat) or members
        return st.one_of(*(_for_type(m, depth) for m in members))
    if origin is typing.Literal:
        return st.sampled_from(typing.get_args(tp))
    if origin is list:
        (item,) = typing.get_args(tp) or (Any,)
        return st.lists(_for_type(item, depth + 1), max_size=0 if depth >= _MAX_DEPTH else 3)
    if origin is dict:
        _, value = typing.get_args(tp) or (str, Any)
        return st.dictionaries(_keys, _for_type(value, depth + 1), max_size=3)
    if tp is Any or tp is object:
        return json_values
    if tp is type(None) or tp is None:
        return st.none()
    if tp is bool:
        return st.booleans()
    if tp is int:
        return st.integers(min_value=-(2**70), max_value=2**70)
    if tp is float:
        return st.floats(allow_nan=False, allow_infinity=False)
    if tp is str:
        return _text
    if tp is bytes:
        return st.binary(max_size=64)
    if tp is datetime:
        # Wire form is integer Unix seconds; whole seconds round-trip exactly.
        return st.integers(min_value=0, max_value=4_102_444_800).map(
            lambda s: datetime.fromtimestamp(s, tz=timezone.utc)
        )
    if isinstance(tp, type) and issubclass(tp, enum.Enum):
        return st.sampled_from(list(tp))
    if _is_model(tp):
        return wire_data(tp, depth + 1)
    raise TypeError(f"no strategy for annotation {tp!r}")


def _contains_model(tp: Any) -> bool:
    if _is_model(tp):
        return True
    return any(_contains_model(arg) for arg in typing.get_args(tp) if not isinstance(arg, str))


def _field_strategy(info: FieldInfo, depth: int) -> st.SearchStrategy[Any]:
    return _for_type(info.annotation, depth)


def _allows_extra(cls: type[BaseModel]) -> bool:
    return cls.model_config.get("extra") == "allow"


def wire_data(cls: type[BaseModel], depth: int = 0) -> st.SearchStrategy[dict[str, Any]]:
    """Plain data for ``cls`` (keys are the wire names / aliases)."""
    required: dict[str, st.SearchStrategy[Any]] = {}
    optional: dict[str, st.SearchStrategy[Any]] = {}
    for name, info in cls.model_fields.items():
        key = info.alias or name
        strategy = _field_strategy(info, depth)
        constant = typing.get_origin(info.annotation) is typing.Literal and (
            len(typing.get_args(info.annotation)) == 1
        )
        if info.is_required() or constant:  # discriminators are always on the wire
            required[key] = strategy
        elif depth < _MAX_DEPTH:
            optional[key] = strategy
    base = st.fixed_dictionaries(required, optional=optional)
    if not _allows_extra(cls) or depth >= _MAX_DEPTH:
        return base
    taken = set(required) | set(optional) | set(cls.model_fields)
    extras = st.dictionaries(
        _keys.map(lambda k: "x_" + k).filter(lambda k: k not in taken), json_values, max_size=2
    )
    return st.tuples(base, extras).map(lambda pair: {**pair[1], **pair[0]})
