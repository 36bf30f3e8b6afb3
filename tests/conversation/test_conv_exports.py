"""voicelive.conversation's public surface: every name exists, is documented and typed."""

from __future__ import annotations

import inspect

import voicelive.conversation as conversation


def test_all_names_exist_unique_and_documented() -> None:
    names = list(conversation.__all__)
    assert len(names) == len(set(names))
    for name in names:
        value = getattr(conversation, name)
        if inspect.isclass(value) or inspect.isfunction(value):
            assert inspect.getdoc(value), f"{name} has no docstring"


def test_resources_import_conversation_lazily() -> None:
    import voicelive.aio._resources as resources

    assert "conversation" not in vars(resources)
