"""Base classes for every wire model.

Three bases, one rule each:

* :class:`VoiceLiveModel` -- objects the client writes (client events and every nested
  object that appears in them: session configuration, tools, voices, request items).
  Unknown keys are rejected (``extra="forbid"``) so a typo fails locally, before anything
  is sent. When the same nested class arrives inside a *server* event, the decoder
  validates with ``extra="allow"`` so unknown keys the service adds are kept, not refused.
* :class:`ServerModel` -- nested objects that only the server writes (response items,
  content parts, usage, ...). Unknown keys are kept.
* :class:`ServerEventBase` -- the envelope of every server event. Unknown keys are kept.

Serialization rule shared by all of them (see :meth:`VoiceLiveModel.to_wire_dict`): fields
the caller never set are omitted; fields explicitly set to ``None`` are written as JSON
``null`` (``turn_detection=None`` turns server VAD off); constant discriminator fields
(``type``, ``timestamp_type``, EOU ``model``, ...) are always written.

``bytes`` fields travel as base64 text on the wire (``val_json_bytes`` / ``ser_json_bytes``),
decoded by pydantic-core without a Python round trip.
"""

from __future__ import annotations

import typing
from typing import Any, ClassVar, Literal

from pydantic import BaseModel, ConfigDict

__all__ = ["ServerEventBase", "ServerModel", "VoiceLiveModel"]

_COMMON_CONFIG = ConfigDict(
    populate_by_name=True,
    protected_namespaces=(),
    use_attribute_docstrings=True,
    ser_json_bytes="base64",
    val_json_bytes="base64",
    use_enum_values=False,
)


def _constant_fields(cls: type[BaseModel]) -> frozenset[str]:
    """Names of fields whose type is a one-value ``Literal`` with that value as default."""
    names: set[str] = set()
    for name, info in cls.model_fields.items():
        annotation = info.annotation
        if typing.get_origin(annotation) is Literal:
            args = typing.get_args(annotation)
            if len(args) == 1 and info.default == args[0]:
                names.add(name)
    return frozenset(names)


class _WireModel(BaseModel):
    """Behaviour shared by every wire model (not public)."""

    model_config = ConfigDict(**_COMMON_CONFIG)

    _constant_field_names: ClassVar[frozenset[str]] = frozenset()

    @classmethod
    def __pydantic_init_subclass__(cls, **kwargs: Any) -> None:
        super().__pydantic_init_subclass__(**kwargs)
        cls._constant_field_names = _constant_fields(cls)

    def to_wire_dict(self) -> dict[str, Any]:
        """The JSON-ready ``dict`` this model puts on the wire.

        Unset fields are left out, explicit ``None`` stays as ``None`` (JSON ``null``),
        ``bytes`` become base64 text and aliases (``avatar_type`` -> ``type``) are applied.
        """
        return self.model_dump(mode="json", by_alias=True, exclude_unset=True)

    def to_wire_json(self) -> str:
        """The JSON text of :meth:`to_wire_dict`, produced in one pass by pydantic-core."""
        return self.model_dump_json(by_alias=True, exclude_unset=True)

    # ``as_dict`` is the official SDK's spelling; kept so ported code keeps working.
    def as_dict(self) -> dict[str, Any]:
        """Same as :meth:`to_wire_dict` (the official SDK's method name)."""
        return self.to_wire_dict()


class VoiceLiveModel(_WireModel):
    """Base of every model the client sends (and of nested objects shared with the server).

    Unknown keys are rejected with a :class:`pydantic.ValidationError` naming the key.
    """

    model_config = ConfigDict(**_COMMON_CONFIG, extra="forbid")

    def model_post_init(self, context: Any, /) -> None:
        """Mark constant discriminator fields as set, so they are always serialized."""
        if self._constant_field_names:
            self.__pydantic_fields_set__.update(self._constant_field_names)


class ServerModel(_WireModel):
    """Base of nested objects only the server writes; unknown keys are kept."""

    model_config = ConfigDict(**_COMMON_CONFIG, extra="allow")

    def model_post_init(self, context: Any, /) -> None:
        """Mark constant discriminator fields as set, so they are always serialized."""
        if self._constant_field_names:
            self.__pydantic_fields_set__.update(self._constant_field_names)


class ServerEventBase(_WireModel):
    """Base of every server event: ``type`` plus optional ``event_id``; unknown keys kept.

    Decoding never runs ``__init__`` (pydantic-core builds the instance straight from the
    frame text and the frame always carries ``type``), so the constant-field bookkeeping
    lives in ``__init__`` and costs nothing on the receive path.
    """

    model_config = ConfigDict(**_COMMON_CONFIG, extra="allow")

    type: str
    """The event type (the discriminator); each subclass narrows it to one ``Literal``."""
    event_id: str | None = None
    """Server-assigned id of this event."""

    def __init__(self, /, **data: Any) -> None:
        super().__init__(**data)
        if self._constant_field_names:
            self.__pydantic_fields_set__.update(self._constant_field_names)

    # Tell pydantic this ``__init__`` is not a custom one, so validation (``validate_json``)
    # keeps building instances in pydantic-core instead of calling ``__init__`` with a Python
    # dict (which would validate twice and drop a call-time ``extra="allow"`` for nested
    # models). Pydantic's own ``BaseModel.__init__``/``RootModel.__init__`` use this marker.
    __init__.__pydantic_base_init__ = True  # type: ignore[attr-defined]
