"""What building the ~220 model classes costs at import: pinned so it does not creep back.

Pydantic evaluates every annotation of a class and of its bases once per class; string
annotations (``from __future__ import annotations``) are compiled and evaluated as forward
references each time, and every extra base in the MRO is walked again for each class.
"""

from __future__ import annotations

import collections.abc
import inspect

import voicelive.models as models
from voicelive.models._base import _WireModel


def _all_model_classes() -> list[type[_WireModel]]:
    seen: list[type[_WireModel]] = []
    todo: list[type[_WireModel]] = [_WireModel]
    while todo:
        cls = todo.pop()
        if cls not in seen:
            seen.append(cls)
            todo.extend(cls.__subclasses__())
    return seen


def test_the_walk_finds_every_exported_model() -> None:
    classes = set(_all_model_classes())
    exported = [getattr(models, name) for name in models.__all__]
    wire = [obj for obj in exported if isinstance(obj, type) and issubclass(obj, _WireModel)]
    assert len(wire) > 150
    assert set(wire) <= classes


def test_model_annotations_are_objects_not_strings() -> None:
    stringly = [
        f"{cls.__module__}.{cls.__qualname__}.{name}"
        for cls in _all_model_classes()
        for name, value in inspect.get_annotations(cls).items()
        if isinstance(value, str) and cls.__module__.startswith("voicelive.models")
    ]
    assert stringly == []


def test_mapping_view_is_registered_not_inherited() -> None:
    event = models.ServerEventResponseAudioDelta(
        response_id="r", item_id="i", output_index=0, content_index=0, delta=b"\x00\x01"
    )
    assert isinstance(event, collections.abc.MutableMapping)
    assert issubclass(models.RequestSession, collections.abc.Mapping)
    abc_bases = [
        base
        for cls in _all_model_classes()
        for base in cls.__mro__
        if base.__module__ in ("collections.abc", "_collections_abc")
    ]
    assert abc_bases == []
    # what the Mapping mixins provided and the base class now defines itself
    assert dict(event)["delta"] == "AAE="
    assert event != {"delta": "AAE="}
    try:
        reversed(event)  # type: ignore[call-overload]
    except TypeError:
        pass
    else:  # pragma: no cover - the assertion below names the failure
        raise AssertionError("reversed(model) must be a TypeError, as for a Mapping")
