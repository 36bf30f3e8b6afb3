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

Garbage-collector work per received event (see :func:`compact_server_event`): pydantic-core
gives every decoded model its own fields-set ``set`` and, with ``extra="allow"``, its own
extras ``dict`` even when empty. The client decodes tens of thousands of events per second
in a busy process, so the receive path swaps both for shared objects: an empty extras dict
becomes ``None`` (``model_extra`` still answers ``{}``) and, when the frame carried every field
of its class, the fields set is the class's shared :class:`SharedFieldsSet` (read-only; an
event gets its own copy before any change). Unknown fields, "unset vs ``None``" on serialize
and equality are kept.
"""

from __future__ import annotations

import typing
from typing import Any, ClassVar, Literal

from pydantic import BaseModel, ConfigDict

__all__ = [
    "ServerEventBase",
    "ServerModel",
    "SharedFieldsSet",
    "VoiceLiveModel",
    "compact_server_event",
]

_COMMON_CONFIG = ConfigDict(
    populate_by_name=True,
    protected_namespaces=(),
    use_attribute_docstrings=False,
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

    # Every field name of the class, shared by received events that carried all of them.
    _all_fields_set: ClassVar[SharedFieldsSet]

    @classmethod
    def __pydantic_init_subclass__(cls, **kwargs: Any) -> None:
        super().__pydantic_init_subclass__(**kwargs)
        cls._all_fields_set = SharedFieldsSet(cls.model_fields)

    def __init__(self, /, **data: Any) -> None:
        super().__init__(**data)
        if self._constant_field_names:
            self.__pydantic_fields_set__.update(self._constant_field_names)

    @property
    def model_extra(self) -> dict[str, Any] | None:
        """Unknown keys the event carried (``{}`` when none); the dict belongs to this event."""
        extra = self.__pydantic_extra__
        if extra is None:
            extra = {}
            _SET_EXTRA(self, extra)
        return extra

    @property
    def model_fields_set(self) -> set[str]:
        """Names of the fields this event carried or that were set; this event's own set."""
        return self._own_fields_set()

    def _own_fields_set(self) -> set[str]:
        fields_set = self.__pydantic_fields_set__
        if type(fields_set) is SharedFieldsSet:
            fields_set = set(fields_set)
            _SET_FIELDS_SET(self, fields_set)
        return fields_set

    def __setattr__(self, name: str, value: Any) -> None:
        # A received event shares its fields set and may have no extras dict: give it its
        # own before pydantic records the assignment in them.
        self._own_fields_set()
        if self.__pydantic_extra__ is None:
            _SET_EXTRA(self, {})
        super().__setattr__(name, value)

    # Tell pydantic this ``__init__`` is not a custom one, so validation (``validate_json``)
    # keeps building instances in pydantic-core instead of calling ``__init__`` with a Python
    # dict (which would validate twice and drop a call-time ``extra="allow"`` for nested
    # models). Pydantic's own ``BaseModel.__init__``/``RootModel.__init__`` use this marker.
    __init__.__pydantic_base_init__ = True  # type: ignore[attr-defined]


_SET_FIELDS_SET = BaseModel.__dict__["__pydantic_fields_set__"].__set__
_SET_EXTRA = BaseModel.__dict__["__pydantic_extra__"].__set__


def _shared_set_is_read_only(self: SharedFieldsSet, *args: Any) -> None:
    raise TypeError(
        "this fields set is shared by many received events and is read-only; use "
        "event.model_fields_set, which gives the event its own copy"
    )


class SharedFieldsSet(set[str]):
    """A fields set shared by received events of one class that carried the same keys.

    Read-only (changing it would change every event sharing it); copies are plain ``set``
    objects, and :class:`ServerEventBase` swaps in its own copy before any change (field
    assignment, :attr:`~pydantic.BaseModel.model_fields_set`).
    """

    __slots__ = ()

    add = discard = remove = pop = clear = update = _shared_set_is_read_only  # type: ignore[assignment]
    difference_update = intersection_update = symmetric_difference_update = (
        _shared_set_is_read_only
    )
    __ior__ = __iand__ = __isub__ = __ixor__ = _shared_set_is_read_only  # type: ignore[assignment]

    def __copy__(self) -> set[str]:
        return set(self)

    def __deepcopy__(self, memo: Any) -> set[str]:
        return set(self)

    def __reduce__(self) -> tuple[Any, ...]:
        return (set, (list(self),))


ServerEventBase._all_fields_set = SharedFieldsSet(ServerEventBase.model_fields)


def compact_server_event(event: ServerEventBase) -> None:
    """Drop the per-event bookkeeping objects pydantic-core allocated for a decoded event.

    An empty extras dict becomes ``None``; a fields set naming every field of the class (no
    extras, so it holds model field names only and equal size means equal sets) is replaced
    by the class's shared :class:`SharedFieldsSet`. Net effect: two GC-tracked allocations
    per event (the instance and its ``__dict__``) instead of four.
    :meth:`voicelive._protocol.VoiceLiveProtocol.decode_server_frame` runs the same steps
    inline (a function call costs as much as one of them).
    """
    if not event.__pydantic_extra__:
        _SET_EXTRA(event, None)
        shared = event._all_fields_set
        if len(event.__pydantic_fields_set__) == len(shared):
            _SET_FIELDS_SET(event, shared)
