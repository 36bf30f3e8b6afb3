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

Mapping view (the official SDK's models are ``MutableMapping`` objects and its samples use
them that way): every model is a :class:`collections.abc.MutableMapping` keyed by **wire
names** (aliases, e.g. ``"type"`` for :attr:`AvatarConfig.avatar_type`). Attribute access stays
the primary, typed API; the mapping view is a set of methods on the base class, so decoding
allocates nothing more per event and no field is shadowed (no wire model has a field named
like a mapping method; a test keeps it that way). The rules, chosen to match the official SDK:

* A key is *present* (``"delta" in event``, ``keys()``, ``len()``, ``dict(event)``) when it is
  in the wire dict: a field that came in the frame or that the caller set (constant
  discriminators such as ``type`` count as set), or an unknown key kept from the frame. A
  field left at its default is absent, exactly as :meth:`_WireModel.to_wire_dict` leaves it out.
* ``event[key]`` returns the value in its wire form where that differs from the attribute:
  ``bytes`` as base64 text (``event["delta"]`` is what the frame carried, ``event.delta`` the
  decoded bytes) and ``datetime`` as integer Unix seconds. Nested objects come back as the
  models themselves, which are mappings too: ``event["warning"]["message"]`` and
  ``event["warning"].message`` both work.
* ``model[key] = value`` validates the value like the constructor does (a client model still
  refuses an unknown key, naming the closest valid one); ``del model[key]`` resets a field to
  its default and marks it unset (a required field cannot be removed).
* ``Model({"type": "function", "name": "f"})`` -- a positional mapping with wire keys -- is
  accepted by every constructor, alone or with keyword arguments (which win).
* Deliberate difference: a model is always truthy, even with no key present (pydantic's
  behaviour, kept so ``if session.turn_detection:`` style checks keep meaning "not None").
"""

import base64
import difflib
import typing
from collections.abc import ItemsView, Iterator, KeysView, Mapping, MutableMapping, ValuesView
from datetime import datetime
from typing import TYPE_CHECKING, Any, ClassVar, Literal

from pydantic import BaseModel, ConfigDict, ValidationError

__all__ = [
    "ServerEventBase",
    "ServerModel",
    "SharedFieldsSet",
    "VoiceLiveModel",
    "closest_name",
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


_MISSING: Any = object()


def closest_name(name: str, candidates: typing.Iterable[str]) -> str | None:
    """The candidate most like ``name`` (``difflib``, cutoff 0.6), or ``None``."""
    matches = difflib.get_close_matches(name, list(candidates), n=1, cutoff=0.6)
    return matches[0] if matches else None


def _wire_value(value: Any) -> Any:
    """An attribute value in its wire form: base64 text for ``bytes``, Unix seconds for
    ``datetime``; everything else (models included) as is."""
    if type(value) is bytes:
        return base64.b64encode(value).decode("ascii")
    if isinstance(value, datetime):
        return int(value.timestamp())
    return value


# The mapping view is declared to type checkers as a ``MutableMapping`` base, but at run time
# ``_WireModel`` is only *registered* as one (below): every method the mixins would add is
# defined here, and keeping the six ``collections.abc`` classes out of the MRO spares pydantic
# walking them again for each of the ~220 model classes at import (its decorator and
# annotation collection visit every base of every class).
if TYPE_CHECKING:
    _MappingBase = MutableMapping[str, Any]
else:
    _MappingBase = object


class _WireModel(BaseModel, _MappingBase):
    """Behaviour shared by every wire model (not public): serialization and the mapping view.

    The mapping methods are defined here (not inherited from the ``MutableMapping`` mixins) so
    each is one lookup in the per-class key table, and so they replace pydantic's own
    ``__iter__`` (which yields ``(name, value)`` pairs) with the mapping protocol's keys.
    """

    model_config = ConfigDict(**_COMMON_CONFIG)

    _constant_field_names: ClassVar[frozenset[str]] = frozenset()
    _wire_keys: ClassVar[dict[str, str]] = {}
    """Wire key (alias) -> field name, in declaration order."""

    @classmethod
    def __pydantic_init_subclass__(cls, **kwargs: Any) -> None:
        super().__pydantic_init_subclass__(**kwargs)
        cls._constant_field_names = _constant_fields(cls)
        cls._wire_keys = {info.alias or name: name for name, info in cls.model_fields.items()}

    def __init__(self, data: Mapping[str, Any] | None = None, /, **kwargs: Any) -> None:
        """Build from keyword arguments, or from one positional mapping with wire keys (the
        official SDK's form) merged with keyword arguments (which win)."""
        if data is not None:
            if not isinstance(data, Mapping):
                raise TypeError(
                    f"{type(self).__name__}() takes a mapping (dict) or keyword arguments, "
                    f"got {type(data).__name__}"
                )
            kwargs = {**data, **kwargs}
        try:
            super().__init__(**kwargs)
        except ValidationError as error:
            # Unknown keys name the closest valid field ("did you mean 'instructions'?").
            raise _hints.with_field_hints(error, [type(self)]) from None
        if isinstance(self, VoiceLiveModel):
            # Enum-like values the library does not know: sent, with one warning per value.
            _hints.warn_unknown_values(self)

    # Not a custom ``__init__`` for pydantic: validation keeps building instances in
    # pydantic-core (see ServerEventBase) and never calls this.
    __init__.__pydantic_base_init__ = True  # type: ignore[attr-defined]

    # ---- mapping view (wire keys; see the module docstring) -----------------------------------

    def _present_field(self, key: str) -> str | None:
        name = self._wire_keys.get(key)
        if name is not None and name in self.__pydantic_fields_set__:
            return name
        return None

    def __getitem__(self, key: str) -> Any:
        name = self._wire_keys.get(key)
        if name is not None:
            if name in self.__pydantic_fields_set__:
                return _wire_value(getattr(self, name))
            raise KeyError(key)
        extra = self.__pydantic_extra__
        if extra is not None and key in extra:
            return extra[key]
        raise KeyError(key)

    def __contains__(self, key: object) -> bool:
        if not isinstance(key, str):
            return False
        name = self._wire_keys.get(key)
        if name is not None:
            return name in self.__pydantic_fields_set__
        extra = self.__pydantic_extra__
        return extra is not None and key in extra

    def __iter__(self) -> Iterator[str]:  # type: ignore[override]
        fields_set = self.__pydantic_fields_set__
        for key, name in self._wire_keys.items():
            if name in fields_set:
                yield key
        extra = self.__pydantic_extra__
        if extra:
            yield from list(extra)

    def __len__(self) -> int:
        fields_set = self.__pydantic_fields_set__
        count = sum(1 for name in self._wire_keys.values() if name in fields_set)
        extra = self.__pydantic_extra__
        return count + (len(extra) if extra else 0)

    def __bool__(self) -> bool:
        return True

    def __eq__(self, other: object) -> bool:
        """Equal to a model as pydantic compares them, and to a mapping with the same wire
        items (``event.session == {"voice": {...}}``), as the official SDK's models are."""
        if isinstance(other, BaseModel):
            return super().__eq__(other)
        if isinstance(other, Mapping):
            return dict(self.items()) == dict(other.items())
        return NotImplemented

    __hash__ = None  # type: ignore[assignment]  # mutable: unhashable, as before
    __reversed__ = None  # as ``Mapping``: ``reversed(model)`` is a TypeError

    def get(self, key: str, default: Any = None) -> Any:
        """``self[key]`` if ``key`` is present, else ``default`` (wire keys)."""
        try:
            return self[key]
        except KeyError:
            return default

    def keys(self) -> KeysView[str]:
        """The present wire keys."""
        return KeysView(self)

    def items(self) -> ItemsView[str, Any]:
        """``(wire key, value)`` pairs of the present keys."""
        return ItemsView(self)

    def values(self) -> ValuesView[Any]:
        """The values of the present keys."""
        return ValuesView(self)

    def __setitem__(self, key: str, value: Any) -> None:
        name = self._wire_keys.get(key)
        # ``model_extra`` / ``model_fields_set`` give a received event its own extras dict and
        # fields set (the decoder may share them; see ``compact_server_event``).
        extra = self.model_extra
        if name is None:
            if extra is None:
                raise KeyError(self._unknown_key_message(key))
            extra[key] = value
            return
        if type(value) is str and self._is_bytes_field(name):
            value = base64.b64decode(value, validate=True)
        self.model_fields_set  # noqa: B018 (own copy before pydantic records the change)
        self.__pydantic_validator__.validate_assignment(self, name, value)

    def __delitem__(self, key: str) -> None:
        name = self._wire_keys.get(key)
        if name is None:
            extra = self.model_extra
            if extra is None or key not in extra:
                raise KeyError(key)
            del extra[key]
            return
        fields_set = self.model_fields_set
        if name not in fields_set:
            raise KeyError(key)
        info = type(self).model_fields[name]
        if info.is_required():
            raise TypeError(
                f"{key!r} is required by {type(self).__name__} and cannot be removed; "
                "assign a new value instead"
            )
        self.__dict__[name] = info.get_default(call_default_factory=True, validated_data={})
        fields_set.discard(name)

    def pop(self, key: str, default: Any = _MISSING) -> Any:
        """Remove ``key`` and return its value (``default`` if absent, else ``KeyError``)."""
        try:
            value = self[key]
        except KeyError:
            if default is _MISSING:
                raise
            return default
        del self[key]
        return value

    def popitem(self) -> tuple[str, Any]:
        """Remove and return the last present ``(key, value)`` pair (declaration order)."""
        keys = list(self)
        if not keys:
            raise KeyError("popitem(): the model has no keys present")
        key = keys[-1]
        return key, self.pop(key)

    def clear(self) -> None:
        """Remove every removable key (required fields stay)."""
        for key in list(self):
            name = self._wire_keys.get(key)
            if name is not None and type(self).model_fields[name].is_required():
                continue
            del self[key]

    def setdefault(self, key: str, default: Any = None) -> Any:
        """``self[key]`` if present, else set it to ``default`` and return ``default``."""
        try:
            return self[key]
        except KeyError:
            self[key] = default
            return self[key]

    def update(self, other: Any = (), /, **kwargs: Any) -> None:
        """Set several wire keys at once (each validated as by ``self[key] = value``)."""
        pairs = other.items() if isinstance(other, Mapping) else other
        for key, value in pairs:
            self[key] = value
        for key, value in kwargs.items():
            self[key] = value

    @classmethod
    def _is_bytes_field(cls, name: str) -> bool:
        annotation = cls.model_fields[name].annotation
        return annotation is bytes or bytes in typing.get_args(annotation)

    def _unknown_key_message(self, key: str) -> str:
        hint = closest_name(key, self._wire_keys)
        suffix = f"; did you mean {hint!r}?" if hint else ""
        return f"{type(self).__name__} has no field {key!r}{suffix}"

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
    _all_fields_set: ClassVar["SharedFieldsSet"]
    _all_fields_count: ClassVar[int]

    @classmethod
    def __pydantic_init_subclass__(cls, **kwargs: Any) -> None:
        super().__pydantic_init_subclass__(**kwargs)
        cls._all_fields_set = SharedFieldsSet(cls.model_fields)
        cls._all_fields_count = len(cls._all_fields_set)

    def __init__(self, data: Mapping[str, Any] | None = None, /, **kwargs: Any) -> None:
        super().__init__(data, **kwargs)
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


MutableMapping.register(_WireModel)

_SET_FIELDS_SET = BaseModel.__dict__["__pydantic_fields_set__"].__set__
_SET_EXTRA = BaseModel.__dict__["__pydantic_extra__"].__set__


def _shared_set_is_read_only(self: "SharedFieldsSet", *args: Any) -> None:
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
    difference_update = intersection_update = symmetric_difference_update = _shared_set_is_read_only
    __ior__ = __iand__ = __isub__ = __ixor__ = _shared_set_is_read_only  # type: ignore[assignment]

    def __copy__(self) -> set[str]:
        return set(self)

    def __deepcopy__(self, memo: Any) -> set[str]:
        return set(self)

    def __reduce__(self) -> tuple[Any, ...]:
        return (set, (list(self),))


ServerEventBase._all_fields_set = SharedFieldsSet(ServerEventBase.model_fields)
ServerEventBase._all_fields_count = len(ServerEventBase._all_fields_set)


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
        if len(event.__pydantic_fields_set__) == event._all_fields_count:
            _SET_FIELDS_SET(event, event._all_fields_set)


# Imported last: ``_hints`` uses :func:`closest_name` from this module.
from . import _hints  # noqa: E402
