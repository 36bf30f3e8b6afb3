"""Runtime objects for the event unions :data:`ServerEvent` and :data:`ClientEvent`.

A type checker sees each union as what it is, an ``Annotated[A | B | ..., discriminator]``
alias: that is what lets ``mypy --strict`` narrow ``event`` after ``if event.type == "...":``.
At runtime such an alias cannot answer ``isinstance(x, ServerEvent)`` (``TypeError``), which the
official SDK's code does, since its ``ServerEvent`` is a real base class.

So at runtime the name is bound to a small class built by :func:`event_union` instead:

* ``isinstance(x, ServerEvent)`` / ``issubclass(C, ServerEvent)`` delegate to the common base
  class (:class:`ServerEventBase` / the client event base), so every event -- the two the
  decoder makes up (:class:`UnknownServerEvent`, :class:`InvalidServerEvent`) included --
  answers ``True``, at the cost of one ordinary ``isinstance``.
* ``__get_pydantic_core_schema__`` hands pydantic the discriminated union, so a field or a
  ``TypeAdapter`` annotated with ``ServerEvent`` validates exactly as before (dispatch on
  ``type`` in pydantic-core).
* Calling it raises a ``TypeError`` naming what to build instead.

Why not the alternatives: making ``ServerEvent`` the base class itself loses narrowing (a type
checker only narrows unions); a ``Protocol`` cannot narrow on a ``Literal`` attribute either;
keeping the alias keeps the ``TypeError``. The ``if TYPE_CHECKING`` split is the one place where
the static and the runtime object differ, and both describe the same set of classes.
"""

from __future__ import annotations

from typing import Any

from pydantic import GetCoreSchemaHandler
from pydantic_core import CoreSchema

__all__ = ["event_union"]


class _EventUnionMeta(type):
    """Metaclass whose ``isinstance``/``issubclass`` checks delegate to the union's base."""

    _vl_base: type
    _vl_union: Any

    def __instancecheck__(cls, instance: object) -> bool:
        return isinstance(instance, cls._vl_base)

    def __subclasscheck__(cls, subclass: type) -> bool:
        return isinstance(subclass, type) and issubclass(subclass, cls._vl_base)

    def __repr__(cls) -> str:
        return f"<event union {cls.__module__}.{cls.__qualname__}>"


def event_union(name: str, module: str, union: Any, base: type, doc: str) -> type:
    """The runtime stand-in for the discriminated union alias ``union`` (see module doc)."""

    def __new__(cls: type, *args: Any, **kwargs: Any) -> Any:
        raise TypeError(
            f"{name} is the union of every event class and cannot be instantiated; build "
            f"a concrete class (e.g. the one for your event's type) or validate a dict with "
            f"the {name.upper().replace('EVENT', '_EVENT')}_ADAPTER"
        )

    def __get_pydantic_core_schema__(
        cls: type, source: Any, handler: GetCoreSchemaHandler
    ) -> CoreSchema:
        return handler.generate_schema(union)

    namespace = {
        "__module__": module,
        "__qualname__": name,
        "__doc__": doc,
        "__slots__": (),
        "__new__": __new__,
        "__get_pydantic_core_schema__": classmethod(__get_pydantic_core_schema__),
        "_vl_base": base,
        "_vl_union": union,
    }
    return _EventUnionMeta(name, (), namespace)
